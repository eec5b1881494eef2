"""SpecAugment (Park et al. 2019) frequency and time masks on (T, F) feature matrices, numpy
and torch; part of the augmentation toolkit (re-exported by `augment`)."""

from __future__ import annotations

import numpy as np


def _as_rng(rng=None) -> np.random.Generator:
    from models.recipes.common.augment import as_rng
    return as_rng(rng)


def sample_masks(num_frames: int, num_bins: int, rng=None, num_freq_masks: int = 2,
                 freq_width: int = 27, num_time_masks: int = 2, time_width: int = 40,
                 p: float = 1.0):
    """SpecAugment (Park et al. 2019) mask positions: lists of (start, width).
    Each frequency mask has width uniform in [0, min(freq_width, num_bins)]; each time
    mask width uniform in [0, min(time_width, floor(p * num_frames))]; starts uniform so
    the mask fits. Masks may overlap."""
    rng = _as_rng(rng)
    fmax = max(0, min(int(freq_width), num_bins))
    tmax = max(0, min(int(time_width), int(np.floor(p * num_frames))))
    freq, time = [], []
    for _ in range(num_freq_masks):
        w = int(rng.integers(0, fmax + 1))
        freq.append((int(rng.integers(0, num_bins - w + 1)), w))
    for _ in range(num_time_masks):
        w = int(rng.integers(0, tmax + 1))
        time.append((int(rng.integers(0, num_frames - w + 1)), w))
    return freq, time


def _mask_value(feats, mask_value):
    if mask_value == "mean":
        return float(np.mean(feats)) if np.size(feats) else 0.0
    if mask_value in ("zero", None):
        return 0.0
    return float(mask_value)


def apply_masks(feats, freq_masks=(), time_masks=(), mask_value="mean") -> np.ndarray:
    """Masked copy of a (T, F) matrix; mask_value "mean" (of the unmasked input),
    "zero"/0, or a number."""
    out = np.array(feats, copy=True)
    v = _mask_value(feats, mask_value)
    for s, w in freq_masks:
        out[:, s:s + w] = v
    for s, w in time_masks:
        out[s:s + w, :] = v
    return out


def spec_augment(feats, rng=None, num_freq_masks: int = 2, freq_width: int = 27,
                 num_time_masks: int = 2, time_width: int = 40, p: float = 1.0,
                 mask_value="mean", return_masks: bool = False):
    """SpecAugment frequency and time masking of a (T, F) feature matrix (copy)."""
    t, f = np.shape(feats)
    fm, tm = sample_masks(t, f, rng, num_freq_masks, freq_width, num_time_masks,
                          time_width, p)
    out = apply_masks(feats, fm, tm, mask_value)
    return (out, fm, tm) if return_masks else out


def spec_augment_torch(feats, rng=None, mask_value="mean", return_masks: bool = False,
                       **kw):
    """`spec_augment` on a torch tensor (..., T, F); masks drawn with the numpy rng (so
    the same seed gives the same masks as the numpy version); returns a new tensor."""
    import torch
    t, f = feats.shape[-2], feats.shape[-1]
    fm, tm = sample_masks(t, f, rng, **kw)
    out = feats.clone()
    if mask_value == "mean":
        v = feats.mean() if feats.numel() else torch.zeros((), dtype=feats.dtype)
    else:
        v = torch.tensor(0.0 if mask_value in ("zero", None) else float(mask_value),
                         dtype=feats.dtype)
    for s, w in fm:
        out[..., :, s:s + w] = v
    for s, w in tm:
        out[..., s:s + w, :] = v
    return (out, fm, tm) if return_masks else out
