#!/usr/bin/python3
"""Writes the front-end golden files under tests/dsp/golden/ (raw little-endian float32).

An independent numpy implementation of ARCHITECTURE.md §8 from the textbook formulas, checked
by tests/dsp/mel_filterbank_test.cc and tests/dsp/feature_extractor_test.cc:
  frontend_input.f32             (8000,) test signal, 16 kHz
  frontend_mel_htk_80_512.f32    (80, 257) HTK mel, 20-7600 Hz, no area normalisation
  frontend_mel_slaney_40_256.f32 (40, 129) Slaney mel + Slaney area norm, 0-8000 Hz
  frontend_logmel.f32            (T=48, 80) standard log-mel front end of the input
  frontend_mfcc.f32              (T=48, 39) pre-emphasis 0.97, 13 MFCC (ortho DCT-II, lifter 22)
                                 + deltas + delta-deltas (N=2, edge replicated)
Run: /usr/bin/python3 scripts/make_frontend_golden.py
"""
import os

import numpy as np
from scipy.fft import dct

SR, WIN, HOP, N_FFT = 16000, 400, 160, 512
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "dsp", "golden")


def hz_to_mel(f, scale):
    f = np.asarray(f, dtype=np.float64)
    if scale == "htk":
        return 2595.0 * np.log10(1.0 + f / 700.0)
    lin = f / (200.0 / 3.0)
    log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(f < 1000.0, lin, log)


def mel_to_hz(m, scale):
    m = np.asarray(m, dtype=np.float64)
    if scale == "htk":
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    lin = m * (200.0 / 3.0)
    log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0))
    return np.where(m < 15.0, lin, log)


def mel_matrix(sr, n_fft, n_mels, fmin, fmax, scale, norm):
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin, scale), hz_to_mel(fmax, scale), n_mels + 2),
                      scale)
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    w = np.zeros((n_mels, freqs.size))
    for m in range(n_mels):
        lo, c, hi = edges[m:m + 3]
        w[m] = np.maximum(0.0, np.minimum((freqs - lo) / (c - lo), (hi - freqs) / (hi - c)))
        if norm:
            w[m] *= 2.0 / (hi - lo)
    return w


def frames(x):
    t = (x.size - WIN) // HOP + 1
    n = np.arange(WIN)
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * n / WIN)  # periodic Hann
    idx = HOP * np.arange(t)[:, None] + n[None, :]
    return x[idx] * window


def log_mel(x, preemphasis=0.0):
    x = x.astype(np.float64)
    if preemphasis > 0.0:
        x = x - preemphasis * np.concatenate([[0.0], x[:-1]])
    spec = np.abs(np.fft.rfft(frames(x), n=N_FFT, axis=1)) ** 2
    mel = spec @ mel_matrix(SR, N_FFT, 80, 20.0, 7600.0, "htk", False).T
    return np.log(np.maximum(mel, 1e-6))


def delta(c, n_win=2):
    padded = np.pad(c, ((n_win, n_win), (0, 0)), mode="edge")
    t = c.shape[0]
    num = sum(n * (padded[n_win + n:n_win + n + t] - padded[n_win - n:n_win - n + t])
              for n in range(1, n_win + 1))
    return num / (2.0 * sum(n * n for n in range(1, n_win + 1)))


def main():
    rng = np.random.default_rng(20261122)
    n = np.arange(8000)
    x = (0.4 * np.sin(2 * np.pi * 440.0 * n / SR) + 0.2 * np.sin(2 * np.pi * 2500.0 * n / SR)
         * np.linspace(0.0, 1.0, n.size) + 0.02 * rng.standard_normal(n.size))
    x[3000:3800] = 0.0  # exercises the log floor
    x = x.astype(np.float32)

    lm = log_mel(x)
    ceps = dct(log_mel(x, 0.97), type=2, norm="ortho", axis=1)[:, :13]
    ceps *= 1.0 + 11.0 * np.sin(np.pi * np.arange(13) / 22.0)
    d1 = delta(ceps)
    mfcc = np.concatenate([ceps, d1, delta(d1)], axis=1)

    files = {
        "frontend_input.f32": x,
        "frontend_mel_htk_80_512.f32": mel_matrix(SR, 512, 80, 20.0, 7600.0, "htk", False),
        "frontend_mel_slaney_40_256.f32": mel_matrix(SR, 256, 40, 0.0, 8000.0, "slaney", True),
        "frontend_logmel.f32": lm,
        "frontend_mfcc.f32": mfcc,
    }
    for name, a in files.items():
        np.asarray(a, dtype="<f4").tofile(os.path.join(OUT, name))
        print(name, a.shape)


if __name__ == "__main__":
    main()
