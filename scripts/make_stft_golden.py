#!/usr/bin/python3
"""Writes tests/dsp/golden/stft_hann_512_400_160.txt: scipy STFT frames for the C++ StftAnalyzer.

Causal framing (boundary=None, padded=False), periodic Hann window of 400 samples, hop 160,
n_fft 512, unscaled (scipy's 1/sum(window) scaling undone). Line 1: "n_samples n_frames
n_bins"; then the input samples; then per frame n_bins lines "re im". Run: /usr/bin/python3
scripts/make_stft_golden.py
"""
import os

import numpy as np
from scipy import signal

N_FFT, WIN, HOP, N = 512, 400, 160, 880
t = np.arange(N)
rng = np.random.default_rng(20240601)
x = (0.5 * np.sin(2 * np.pi * 440.0 * t / 16000) + 0.2 * np.sin(2 * np.pi * 3000.0 * t / 16000)
     + 0.05 * rng.standard_normal(N)).astype(np.float32)
window = signal.get_window("hann", WIN, fftbins=True)
_, _, z = signal.stft(x.astype(np.float64), fs=16000, window=window, nperseg=WIN,
                      noverlap=WIN - HOP, nfft=N_FFT, boundary=None, padded=False,
                      detrend=False, return_onesided=True)
z = z * window.sum()
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "dsp", "golden",
                   "stft_hann_512_400_160.txt")
with open(out, "w") as f:
    f.write(f"{N} {z.shape[1]} {z.shape[0]}\n")
    f.write(" ".join(f"{v:.9g}" for v in x) + "\n")
    for frame in z.T:
        for c in frame:
            f.write(f"{c.real:.7g} {c.imag:.7g}\n")
