#!/usr/bin/python3
"""Writes tests/dsp/golden/{dwt_db4,cwt_morlet,cwt_morse,cwt_bump}.txt for dsp/dwt and dsp/cwt.

An independent numpy reference (no pywt):
- DWT: db4 filters from the spectral factorisation of Daubechies' polynomial (numpy.roots,
  minimum phase), periodization mode exactly as documented in dsp/dwt.h (odd lengths extended
  by repeating the last sample), 4 levels on a 203-sample signal. File: "n levels", the input,
  then the coefficients [a_J, d_J, ..., d_1] (PyWavelets' wavedec order), one level per line.
- CWT: frequency-domain analytic wavelets of dsp/cwt.h on the signal's own FFT grid (periodic),
  magnitude of numpy.fft.ifft. File: "n num_scales", the input, then num_scales rows of n.
Run: /usr/bin/python3 scripts/make_wavelet_golden.py
"""
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "dsp", "golden")


def daubechies(n):
    """Minimum-phase Daubechies scaling filter h (sum sqrt(2)), largest taps first."""
    p = [math.comb(n - 1 + k, k) for k in range(n)]
    zeros = []
    for y in np.roots(p[::-1]) if n > 1 else []:
        b = 2 - 4 * y  # z + 1/z = b
        z = (b + np.sqrt(b * b - 4 + 0j)) / 2
        zeros.append(z if abs(z) < 1 else 1 / z)
    h = np.real(np.poly([-1.0] * n + zeros))
    return h * math.sqrt(2) / h.sum()


def dwt_level(x, h, g):
    n = len(x)
    xe = np.append(x, x[-1]) if n % 2 else x
    m = len(xe)
    idx = (2 * np.arange(m // 2)[:, None] + np.arange(len(h))[None, :]) % m
    return xe[idx] @ h, xe[idx] @ g


def write_dwt():
    h = daubechies(4)
    g = np.array([(-1) ** i * h[len(h) - 1 - i] for i in range(len(h))])
    rng = np.random.default_rng(4)
    n, levels = 203, 4
    x = (np.sin(2 * np.pi * 0.03 * np.arange(n)) + 0.3 * rng.standard_normal(n)).astype(np.float32)
    a, details = x.astype(np.float64), []
    for _ in range(levels):
        a, d = dwt_level(a, h, g)
        details.append(d)
    with open(os.path.join(OUT, "dwt_db4.txt"), "w") as f:
        f.write(f"{n} {levels}\n")
        f.write(" ".join(f"{v:.9g}" for v in x) + "\n")
        for c in [a] + details[::-1]:
            f.write(" ".join(f"{v:.9g}" for v in c) + "\n")


def mother(name, w):
    out = np.zeros_like(w)
    pos = w > 0
    if name == "morlet":
        out[pos] = 2 * np.exp(-0.5 * (w[pos] - 6.0) ** 2)
    elif name == "morse":
        beta, gamma = 20.0, 3.0
        out[pos] = 2 * np.exp(beta / gamma * (1 + np.log(gamma) - np.log(beta))
                              + beta * np.log(w[pos]) - w[pos] ** gamma)
    else:
        u = (w - 5.0) / 0.6
        inside = np.abs(u) < 1
        out[inside] = 2 * np.exp(1 - 1 / (1 - u[inside] ** 2))
    return out


PEAK = {"morlet": 6.0, "morse": (20.0 / 3.0) ** (1 / 3.0), "bump": 5.0}
FS, FMIN, FMAX, VOICES, N = 16000.0, 250.0, 6000.0, 3, 256


def write_cwt(name):
    t = np.arange(N)
    rng = np.random.default_rng(7)
    x = (0.6 * np.cos(2 * np.pi * 1000 * t / FS) + 0.3 * np.cos(2 * np.pi * (400 + 8 * t) * t / FS)
         + 0.1 * rng.standard_normal(N)).astype(np.float32)
    num_scales = int(math.floor(VOICES * math.log2(FMAX / FMIN) + 1e-9)) + 1
    spectrum = np.fft.fft(x.astype(np.float64))
    k = np.arange(N)
    omega = 2 * np.pi * k / N
    keep = (k > 0) & (2 * k < N)  # positive frequencies, no DC or Nyquist
    rows = []
    for i in range(num_scales):
        f = FMAX * 2.0 ** (-i / VOICES)
        s = PEAK[name] / (2 * np.pi * f / FS)
        psi = np.where(keep, mother(name, s * omega), 0.0)
        rows.append(np.abs(np.fft.ifft(spectrum * psi)))
    with open(os.path.join(OUT, f"cwt_{name}.txt"), "w") as f:
        f.write(f"{N} {num_scales}\n")
        f.write(" ".join(f"{v:.9g}" for v in x) + "\n")
        for r in rows:
            f.write(" ".join(f"{v:.6g}" for v in r) + "\n")


if __name__ == "__main__":
    write_dwt()
    for wavelet in ("morlet", "morse", "bump"):
        write_cwt(wavelet)
