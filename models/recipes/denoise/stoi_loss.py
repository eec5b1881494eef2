"""A differentiable STOI-like intelligibility term for denoiser training (the idea of
Fu et al. 2018, "End-to-end waveform utterance enhancement for direct evaluation metrics
optimization"): the mean correlation of one-third-octave band envelopes of the estimate
and the clean target over 375 ms segments, with STOI's normalisation and clipping.

It follows metrics.stoi (Taal et al. 2011) at 16 kHz instead of 10 kHz: 400-sample
(25 ms) Hann frames, hop 200, 512-point FFT, the same 15 bands from 150 Hz and
beta = -15 dB, segments of 15 frames (375 ms, hop 8 frames). Silent-frame removal is not
differentiable, so instead segments whose clean energy is more than 40 dB below the
loudest segment of the same example are left out of the mean.

Shapes: (N, S) float tensors at 16 kHz, S >= one segment (about 0.4 s). Pure function.
"""

from __future__ import annotations

from models.recipes.common import metrics

SR = 16000
FRAME = 400
HOP = 200
NFFT = 512
SEG = 15           # frames per segment (375 ms)
SEG_HOP = 8
DYN_RANGE_DB = 40.0

_OBM = None


def _band_matrix():
    import torch
    global _OBM
    if _OBM is None:
        _OBM = torch.from_numpy(metrics._third_octave_matrix(
            SR, NFFT, metrics.STOI_BANDS, metrics.STOI_MIN_CF)).float()
    return _OBM


def band_envelopes(x):
    """(N, S) -> (N, bands, frames): one-third-octave band magnitudes."""
    import torch
    w = torch.hann_window(FRAME + 2, periodic=False, dtype=x.dtype)[1:-1]
    frames = x.unfold(-1, FRAME, HOP) * w
    power = torch.fft.rfft(frames, n=NFFT, dim=-1).abs().pow(2)  # (N, T, bins)
    return torch.sqrt(torch.einsum("kb,ntb->nkt", _band_matrix(), power) + 1e-12)


def intelligibility(target, est):
    """(N, S), (N, S) -> (N,): the STOI-like score of est against target, about [0, 1]."""
    import torch
    xt, yt = band_envelopes(target), band_envelopes(est)
    xs = xt.unfold(-1, SEG, SEG_HOP)  # (N, bands, segments, SEG)
    ys = yt.unfold(-1, SEG, SEG_HOP)
    y_norm = ys * xs.norm(dim=-1, keepdim=True) / (ys.norm(dim=-1, keepdim=True) + 1e-8)
    clip = 10 ** (-metrics.STOI_BETA / 20)
    y_prime = torch.minimum(y_norm, xs * (1 + clip))
    y_prime = y_prime - y_prime.mean(-1, keepdim=True)
    xc = xs - xs.mean(-1, keepdim=True)
    corr = (y_prime * xc).sum(-1) / (y_prime.norm(dim=-1) * xc.norm(dim=-1) + 1e-8)
    energy = xs.pow(2).sum(dim=(1, 3))  # (N, segments)
    floor = energy.max(dim=1, keepdim=True).values * 10 ** (-DYN_RANGE_DB / 10)
    keep = (energy > floor).to(corr.dtype)  # (N, segments)
    per_segment = corr.mean(1)  # over bands
    return (per_segment * keep).sum(1) / keep.sum(1).clamp(min=1)

