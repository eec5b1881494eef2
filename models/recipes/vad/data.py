"""Data of the `vad` recipe: the frame labels (the energy rule of tests/dsp/vad_test_audio.h),
the training/evaluation mixtures (`make_sequence`) and the speech onsets (`onset_frames`,
`onset_weights` for --onset-weight, `onset_errors` for eval). numpy only; recipe.py has the
network, training, tuning, export and eval."""

from __future__ import annotations

import numpy as np

from models.recipes.common import augment
from models.recipes.common.machine_noise import machine_noise

SR = 16000
FRAME = 160
TRUTH_DB = -40.0
BRIDGE_FRAMES = 20
SEQUENCE = 8 * SR
ONSET_FRAMES = 15  # frames after a true onset that --onset-weight emphasises (150 ms)


def frame_energy(x: np.ndarray) -> np.ndarray:
    n = len(x) // FRAME
    f = np.asarray(x[:n * FRAME], np.float64).reshape(n, FRAME)
    return (f * f).sum(axis=1)


def truth_labels(clean: np.ndarray) -> np.ndarray:
    """Per 10 ms frame: the rule of tests/dsp/vad_test_audio.h (TruthLabels)."""
    e = frame_energy(clean)
    if len(e) == 0 or e.max() <= 0:
        return np.zeros(len(e), bool)
    truth = e > e.max() * 10 ** (TRUTH_DB / 10)
    idx = np.flatnonzero(truth)
    for a, b in zip(idx[:-1], idx[1:]):
        if 1 < b - a <= BRIDGE_FRAMES:
            truth[a:b] = True
    return truth


def speech_snr_gain(clean, truth, noise, snr_db: float) -> float:
    """Gain for `noise` so that the mean power of clean's speech frames is snr_db above it."""
    e = frame_energy(clean)[:len(truth)]
    active = e[truth[:len(e)]].sum() / max(1, truth[:len(e)].sum() * FRAME)
    pn = float(np.mean(np.square(noise, dtype=np.float64)))
    if active <= 0 or pn <= 0:
        return 0.0
    return float(np.sqrt(active / pn / 10 ** (snr_db / 10)))


def make_sequence(clean_set, noise_set, voices, rng, n=SEQUENCE, snr_range=(-5.0, 20.0),
                  p_noise_only=0.08, p_clean=0.07, noise_kind=None, p_narrowband=0.15,
                  p_babble=0.30, babble_snr_range=None, p_recolour=0.0, p_machine=0.0):
    """(noisy float32 (n,), labels bool (n // 160,)) for one training/eval sequence.
    Without noise_kind the noise is babble with probability p_babble (at an SNR from
    babble_snr_range when given, else snr_range), otherwise real or coloured noise in the
    ratio 45:25. With probability p_narrowband the mixture goes through an 8 kHz channel
    (half of those the telephone band with mu-law, half a plain 8 kHz round trip), as 8 kHz
    input reaches the model after resampling. With probability p_recolour a real or coloured
    noise gets a random spectral shape and slow modulation (augment.random_colouring, as in
    the denoise recipe), so the few real clips stand for many stationary noise types. With
    probability p_machine a real or coloured draw becomes synthetic machinery noise instead
    (common/machine_noise.py: hum, repeated clanks, rhythmic swells), so that non-stationary
    non-speech sounds are not taken for speech onsets."""
    clean = np.zeros(n, np.float32)
    if rng.random() >= p_noise_only:
        pos = int(rng.uniform(0.1, 1.0) * SR)
        for _ in range(int(rng.integers(1, 5))):
            if pos >= n - SR // 4:
                break
            u = clean_set[int(rng.integers(len(clean_set)))]
            u = u / (augment.rms(u) + 1e-9) * 10 ** (rng.uniform(-6, 6) / 20)
            u = u[:n - pos]
            clean[pos:pos + len(u)] = u
            pos += len(u) + int(rng.uniform(0.1, 1.5) * SR)
    truth = truth_labels(clean)
    if truth.any():
        level = rng.uniform(-45, -10)
        e = frame_energy(clean)
        active = np.sqrt(e[truth].sum() / (truth.sum() * FRAME))
        clean *= 10 ** (level / 20) / active
    kind = noise_kind
    narrow = rng.random() < p_narrowband
    telephone = rng.random() < 0.5
    if kind is None and rng.random() < p_clean and truth.any():
        return _channel(clean, narrow, telephone), truth
    if kind is None:
        r = rng.random()
        p_real = (1.0 - p_babble) * 0.45 / 0.70
        kind = "real" if r < p_real else "babble" if r < p_real + p_babble else "coloured"
        if p_machine > 0 and kind != "babble" and rng.random() < p_machine:
            kind = "machine"
    if isinstance(kind, np.ndarray):
        noise = augment.fit_length(kind, n, rng)
    elif kind == "real":
        noise = augment.fit_length(noise_set[int(rng.integers(len(noise_set)))], n, rng)
    elif kind == "babble":
        noise = augment.babble(voices, n, rng, k_range=(3, 7))
    elif kind == "coloured":
        noise = augment.coloured_noise(n, ["white", "pink", "brown", "blue"][
            int(rng.integers(4))], rng)
    elif kind == "machine":
        noise = machine_noise(n, rng)
    else:
        raise ValueError(f"unknown noise kind {kind!r}")
    if isinstance(kind, str) and kind in ("real", "coloured"):  # babble stays babble
        noise = augment.maybe_recolour(noise, rng, p_recolour)
    noise = np.asarray(noise, np.float32)
    if truth.any():
        is_babble = isinstance(kind, str) and kind == "babble"
        lo, hi = babble_snr_range if is_babble and babble_snr_range else snr_range
        gain = speech_snr_gain(clean, truth, noise, rng.uniform(lo, hi))
    else:
        gain = 10 ** (rng.uniform(-60, -15) / 20) / (augment.rms(noise) + 1e-9)
    noisy = clean + gain * noise
    peak = float(np.max(np.abs(noisy)))
    if peak > 0.99:
        noisy *= 0.99 / peak
    return _channel(noisy, narrow, telephone), truth


def _channel(x, narrow: bool, telephone: bool) -> np.ndarray:
    if narrow:
        x = augment.telephone(x, SR) if telephone else augment.telephone(x, SR, band=None,
                                                                        mulaw=False)
    return np.asarray(x, np.float32)


def onset_frames(truth: np.ndarray) -> np.ndarray:
    """Indices of the first frame of each true speech segment of one (T,) bool row."""
    return np.flatnonzero(truth & ~np.concatenate([[False], truth[:-1]]))


def onset_weights(truth: np.ndarray, weight: float, frames: int = ONSET_FRAMES) -> np.ndarray:
    """(N, T) bool labels -> float32 loss weights: `weight` on the first `frames` frames of
    each true speech segment and on the `frames` // 2 frames before it (where a late or
    early begin event is decided), 1 elsewhere."""
    w = np.ones(truth.shape, np.float32)
    before = frames // 2
    for row, t in zip(w, truth):
        for s in onset_frames(t):
            row[max(0, s - before):s + frames] = weight
    return w


def onset_errors(decisions, truth) -> list:
    """For each true speech segment, |first decided-speech frame at or after (onset - 10)
    minus the onset| in frames (None when speech is never decided within the segment)."""
    errs = []
    t = np.asarray(truth)
    for s in onset_frames(t):
        end = s
        while end < len(t) and t[end]:
            end += 1
        lo = max(0, s - 10)
        hit = np.flatnonzero(decisions[lo:end])
        errs.append(None if len(hit) == 0 else abs(int(lo + hit[0]) - int(s)))
    return errs
