"""Synthetic machinery noise for training mixes: the non-stationary, non-speech sounds that
the few real noise clips do not cover (used by the vad recipe's --machine)."""

from __future__ import annotations

import numpy as np

from models.recipes.common.augment import SAMPLE_RATE, _EPS, as_rng, coloured_noise, \
    random_colouring, rms


def machine_noise(n: int, rng=None, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Synthetic machinery noise, n samples at unit RMS: the non-stationary, non-speech
    sounds of motors, pedals, fans and tools that the few real clips do not cover. A sum of
    (each present with probability 0.7, at least one):
    * a hum: fundamental 30..400 Hz with 2..12 harmonics decaying 0..12 dB each, the pitch
      wandering by up to +-3 % at 0.1..2 Hz;
    * repeated transients (clanks, clicks, thumps): bursts at 0.5..12 per second with up to
      40 % timing jitter, each white noise decaying with a 3..80 ms time constant, all given
      one random spectral shape (random_colouring without modulation) and levels within
      +-6 dB;
    * a broadband bed: coloured noise modulated in a rhythm (a raised sine of 0.5..6 Hz to
      the power 1..4, so it swells and falls like a pedal stroke or a rotating part).
    Components are mixed at random levels within 20 dB of each other."""
    rng = as_rng(rng)
    t = np.arange(n) / sample_rate
    parts = []
    present = rng.random(3) < 0.7
    if not present.any():
        present[int(rng.integers(3))] = True
    if present[0]:  # hum
        f0 = float(np.exp(rng.uniform(np.log(30.0), np.log(400.0))))
        wander = 1 + rng.uniform(0, 0.03) * np.sin(2 * np.pi * rng.uniform(0.1, 2.0) * t
                                                   + rng.uniform(0, 2 * np.pi))
        phase = 2 * np.pi * f0 * np.cumsum(wander) / sample_rate
        decay = rng.uniform(0, 12)
        hum = np.zeros(n)
        for k in range(1, int(rng.integers(2, 13)) + 1):
            if k * f0 >= 0.45 * sample_rate:
                break
            hum += 10 ** (-decay * (k - 1) / 20) * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
        parts.append(hum)
    if present[1]:  # repeated transients
        period = sample_rate / rng.uniform(0.5, 12.0)
        tau = rng.uniform(0.003, 0.08) * sample_rate
        burst_len = int(min(5 * tau, n))
        envelope = np.exp(-np.arange(burst_len) / tau)
        clanks = np.zeros(n)
        pos = rng.uniform(0, period)
        while pos < n:
            start = int(pos)
            m = min(burst_len, n - start)
            level = 10 ** (rng.uniform(-6, 6) / 20)
            clanks[start:start + m] += level * envelope[:m] * rng.standard_normal(m)
            pos += period * (1 + rng.uniform(-0.4, 0.4))
        parts.append(random_colouring(clanks, rng, sample_rate, max_modulation=0.0))
    if present[2]:  # rhythmic broadband bed
        bed = coloured_noise(n, ["white", "pink", "brown", "blue"][int(rng.integers(4))], rng)
        swell = 0.5 * (1 + np.sin(2 * np.pi * rng.uniform(0.5, 6.0) * t
                                  + rng.uniform(0, 2 * np.pi)))
        parts.append(bed * (0.1 + swell ** rng.uniform(1, 4)))
    y = np.zeros(n)
    for p in parts:
        y += p / (rms(p) + _EPS) * 10 ** (rng.uniform(-20, 0) / 20)
    return (y / (rms(y) + _EPS)).astype(np.float32)
