"""Denoise training examples: the babble voice pool and (noisy, clean) mixtures."""

from __future__ import annotations

import numpy as np

from models.recipes.common import augment
from models.recipes.common.machine_noise import machine_noise

SEGMENT = 2 * 16000  # samples per training example (2 s at 16 kHz)


def is_synthetic(path: str) -> bool:
    """A synth.py file (its wav/ folder), as opposed to a real recording."""
    return "/synth" in path or "/wav/" in path


def babble_pool(voices: list, clean: list, clean_paths: list, count: int, seed: int) -> list:
    """The babble voices of training: the synthetic babble utterances plus `count` real
    training recordings drawn (seeded) from the clean training set, so babble also holds
    real voices (EmoDB, RAVDESS and Asterisk training speakers). count 0: unchanged."""
    if count <= 0:
        return list(voices)
    real = [i for i, p in enumerate(clean_paths) if not is_synthetic(p)]
    if count > len(real):
        raise SystemExit(f"--babble-real {count}: only {len(real)} real training "
                         f"recordings in the cache")
    rng = np.random.default_rng([seed, 11])
    return list(voices) + [clean[i] for i in sorted(rng.permutation(real)[:count])]


def _segment(x, n, rng):
    return augment.fit_length(x, n, rng)


def with_machine(noise, rng) -> np.ndarray:
    """machine_noise of the same length instead of `noise`, or (probability 0.5) added to
    it: both at unit RMS, the machine part -10..+10 dB relative; unit RMS out."""
    m = machine_noise(len(noise), rng)
    if rng.random() < 0.5:
        return m
    y = noise / (augment.rms(noise) + 1e-12) + m * 10 ** (rng.uniform(-10.0, 10.0) / 20)
    return (y / (augment.rms(y) + 1e-12)).astype(np.float32)


def make_example(clean_set, noise_set, voices, rng, snr_range=(-5.0, 20.0),
                 n=SEGMENT, p_clean=0.05, p_recolour=0.0, p_machine=0.0):
    """(noisy, clean) float32 pair of n samples; clean has a random level. With probability
    p_recolour a real or coloured noise gets a random spectral shape and slow modulation
    (augment.random_colouring), so 5 real clips stand for many noise types. Then, with
    probability p_machine, it is replaced by `machine_noise` (hum, repeated transients,
    rhythmic beds), or, half of those times, by machine noise mixed with it (with_machine).
    Each draws from rng only when its probability is > 0, so earlier mixes are reproduced
    exactly."""
    clean = _segment(clean_set[int(rng.integers(len(clean_set)))], n, rng)
    level_db = rng.uniform(-35, -5)
    clean = clean / (augment.rms(clean) + 1e-9) * 10 ** (level_db / 20)
    if rng.random() < p_clean:
        return clean.astype(np.float32), clean.astype(np.float32)
    r = rng.random()
    if r < 0.45:
        noise = _segment(noise_set[int(rng.integers(len(noise_set)))], n, rng)
    elif r < 0.75:
        noise = augment.babble(voices, n, rng, k_range=(3, 7))
    else:
        colour = ["white", "pink", "brown", "blue"][int(rng.integers(4))]
        noise = augment.coloured_noise(n, colour, rng)
    if not 0.45 <= r < 0.75:  # babble stays babble
        noise = augment.maybe_recolour(noise, rng, p_recolour)
        if p_machine > 0 and rng.random() < p_machine:
            noise = with_machine(noise, rng)
    noisy = augment.add_noise(clean, noise, rng.uniform(*snr_range), rng)
    peak = np.max(np.abs(noisy))
    if peak > 0.99:
        noisy, clean = noisy * 0.99 / peak, clean * 0.99 / peak
    return noisy.astype(np.float32), clean.astype(np.float32)
