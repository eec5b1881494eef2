"""The standard auris speech front end (ARCHITECTURE.md section 8), numpy and torch.

16 kHz mono float in [-1, 1]; frames of 400 samples every 160 (frame t covers samples
[160 t, 160 t + 400), causal, no centre padding, trailing partial frame dropped);
periodic Hann window; 512-point FFT; power spectrum |X|^2 (no 1/N scaling); 80 mel bins,
HTK mel scale (2595 log10(1 + f/700)), 20-7600 Hz; triangular filters without area
normalisation (peak 1), defined in linear frequency between 82 mel-spaced edge
frequencies and evaluated at the FFT bin frequencies k * 16000 / 512 (as librosa
`mel(htk=True, norm=None)`); natural log with floor 1e-6 (log(max(p, 1e-6))); no dither,
no pre-emphasis. Global CMVN (per-bin mean and std, stored in the model file) is applied
separately by `apply_cmvn`.
"""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000
FRAME_LENGTH = 400
FRAME_SHIFT = 160
N_FFT = 512
N_MELS = 80
F_MIN = 20.0
F_MAX = 7600.0
LOG_FLOOR = 1e-6

FRONTEND_PARAMS = {
    "type": "logmel",
    "sample_rate": SAMPLE_RATE, "frame_length": FRAME_LENGTH, "frame_shift": FRAME_SHIFT,
    "window": "hann_periodic", "n_fft": N_FFT, "power": 2.0, "n_mels": N_MELS,
    "mel_scale": "htk", "f_min": F_MIN, "f_max": F_MAX, "mel_norm": None,
    "log": "natural", "log_floor": LOG_FLOOR, "dither": 0.0, "preemphasis": 0.0,
    "center": False,
}


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def hann_periodic(n: int = FRAME_LENGTH) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)


def mel_filterbank(n_mels: int = N_MELS, n_fft: int = N_FFT, sample_rate: int = SAMPLE_RATE,
                   f_min: float = F_MIN, f_max: float = F_MAX) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular filter matrix, float64, peak value 1."""
    edges = mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2))
    freqs = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    lower = edges[:-2, None]
    centre = edges[1:-1, None]
    upper = edges[2:, None]
    up = (freqs[None, :] - lower) / (centre - lower)
    down = (upper - freqs[None, :]) / (upper - centre)
    return np.maximum(0.0, np.minimum(up, down))


def num_frames(num_samples: int) -> int:
    if num_samples < FRAME_LENGTH:
        return 0
    return 1 + (num_samples - FRAME_LENGTH) // FRAME_SHIFT


def frame_signal(x: np.ndarray) -> np.ndarray:
    """(T, 400) frames; frame t = x[160 t : 160 t + 400]."""
    x = np.asarray(x)
    t = num_frames(len(x))
    if t == 0:
        return np.zeros((0, FRAME_LENGTH), dtype=x.dtype)
    idx = np.arange(t)[:, None] * FRAME_SHIFT + np.arange(FRAME_LENGTH)[None, :]
    return x[idx]


_FBANK = mel_filterbank()
_WINDOW = hann_periodic()


def log_mel(x, dtype=np.float32) -> np.ndarray:
    """(T, 80) log-mel features of a 16 kHz mono signal (numpy, float64 internally)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    frames = frame_signal(x) * _WINDOW
    spec = np.fft.rfft(frames, n=N_FFT, axis=1)
    power = spec.real ** 2 + spec.imag ** 2
    mel = power @ _FBANK.T
    return np.log(np.maximum(mel, LOG_FLOOR)).astype(dtype)


def log_mel_torch(x):
    """Torch version of `log_mel` (same maths; differentiable; works on (..., N) batches).

    Imports torch lazily so the numpy path works where torch is absent."""
    import torch
    x = torch.as_tensor(x)
    if not torch.is_floating_point(x):
        x = x.float()
    n = x.shape[-1]
    t = num_frames(n)
    if t == 0:
        return x.new_zeros(x.shape[:-1] + (0, N_MELS))
    frames = x.unfold(-1, FRAME_LENGTH, FRAME_SHIFT)  # (..., T, 400)
    window = torch.as_tensor(_WINDOW, dtype=x.dtype, device=x.device)
    spec = torch.fft.rfft(frames * window, n=N_FFT, dim=-1)
    power = spec.real ** 2 + spec.imag ** 2
    fbank = torch.as_tensor(_FBANK.T, dtype=x.dtype, device=x.device)
    return torch.log(torch.clamp(power @ fbank, min=LOG_FLOOR))


def compute_cmvn(feature_list) -> tuple[np.ndarray, np.ndarray]:
    """Global per-bin mean and std over all frames of a list of (T, 80) arrays."""
    count = 0
    s = np.zeros(N_MELS)
    s2 = np.zeros(N_MELS)
    for f in feature_list:
        f = np.asarray(f, dtype=np.float64)
        count += f.shape[0]
        s += f.sum(axis=0)
        s2 += np.square(f).sum(axis=0)
    if count == 0:
        raise ValueError("no frames for CMVN")
    mean = s / count
    std = np.sqrt(np.maximum(s2 / count - mean ** 2, 1e-12))
    return mean.astype(np.float32), std.astype(np.float32)


def apply_cmvn(features, mean, std):
    return (features - mean) / std
