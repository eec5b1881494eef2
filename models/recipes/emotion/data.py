"""Emotion data: paths and signal constants, the category -> (arousal, valence) mapping,
`prepare` (EmoDB + RAVDESS -> waveform cache), the cached `Corpus`, `speech_mask` (energy
rule for the utterance summary) and `frames` (the "waveform_frames" front end)."""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

from models.recipes.common import readers

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = readers.REPO_ROOT
CACHE_DIR = os.path.join(HERE, "cache")
CKPT_DIR = os.path.join(HERE, "checkpoints")
MODEL_PATH = os.path.join(REPO, "models", "emotion", "emotion.safetensors")
EVAL_PATH = os.path.join(REPO, "models", "emotion", "eval.json")
EVAL_CPP_PATH = os.path.join(REPO, "models", "emotion", "eval_cpp.json")  # eval --engine cpp
GOLDEN_DIR = os.path.join(REPO, "tests", "models", "golden")

SR = 16000
FRAME = 160                      # samples per input frame (10 ms)
SUBSAMPLING = 4                  # input frames per output frame
BLOCK = FRAME * SUBSAMPLING      # samples per output frame (40 ms, 25 Hz)
FRONT_END = {"type": "waveform_frames", "frame_samples": FRAME}
OUTPUTS = ["arousal", "valence"]

# Categories on Russell's circumplex: (arousal, valence), the convention of
# ../shared/data/README.md. Surprise only occurs in RAVDESS, boredom only in EmoDB.
CIRCUMPLEX = {
    "anger": (0.8, -0.6), "fear": (0.7, -0.7), "happiness": (0.6, 0.8),
    "surprise": (0.7, 0.3), "disgust": (0.3, -0.7), "neutral": (0.0, 0.0),
    "calm": (-0.5, 0.3), "boredom": (-0.7, -0.3), "sadness": (-0.6, -0.7),
}
CATEGORIES = tuple(CIRCUMPLEX)   # class ids of `train --category-weight` (training only)
STRONG_AROUSAL_SCALE = 1.2       # RAVDESS 'strong' intensity: arousal x 1.2, clipped to [-1, 1]

# Validation speakers for checkpoint selection: not trained on and never the held-out ones
# of readers.HELDOUT_REAL_SPEAKERS; both sexes (EmoDB 16 f; RAVDESS 17 m, 18 f).
VALIDATION_SPEAKERS = frozenset({"emodb-16", "ravdess-17", "ravdess-18"})


def map_label(emotion: str, intensity: str = "normal") -> tuple[float, float]:
    a, v = CIRCUMPLEX[emotion]
    if intensity == "strong":
        a = float(np.clip(a * STRONG_AROUSAL_SCALE, -1.0, 1.0))
    return a, v


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def prepare(cache_dir: str = CACHE_DIR, limit: int | None = None, root: str | None = None):
    """Reads EmoDB + RAVDESS, maps labels, and caches the waveforms as one float32 array
    (waves.npy) + offsets (offsets.npy, N+1 entries) + utts.json (labels, speakers).
    `limit`: keep only about `limit` utterances per corpus (evenly spaced; for tests)."""
    import soundfile as sf
    utts = []
    for corpus, items in (("emodb", readers.read_emodb(root)),
                          ("ravdess", readers.read_ravdess(root))):
        if limit:
            step = max(1, len(items) // limit)
            items = items[::step][:limit]
        for u in items:
            utts.append((corpus, u))
    waves, offsets, records = [], [0], []
    t0 = time.time()
    for corpus, u in utts:
        x, sr = sf.read(u.path, dtype="float32", always_2d=True)
        x = x.mean(axis=1)
        if sr != SR:
            from fractions import Fraction
            from scipy import signal
            fr = Fraction(SR, sr)
            x = signal.resample_poly(x, fr.numerator, fr.denominator).astype(np.float32)
        emotion = u.extra["emotion"]
        intensity = u.extra.get("intensity", "normal")
        a, v = map_label(emotion, intensity)
        waves.append(x)
        offsets.append(offsets[-1] + len(x))
        records.append({"path": os.path.relpath(u.path, readers.shared_data_root()
                                                if root is None else root),
                        "corpus": corpus, "speaker": u.speaker, "emotion": emotion,
                        "intensity": intensity, "arousal": a, "valence": v,
                        "split": ("heldout" if readers.is_heldout_speaker(u.speaker) else
                                  "valid" if u.speaker in VALIDATION_SPEAKERS else "train")})
    os.makedirs(cache_dir, exist_ok=True)
    np.save(os.path.join(cache_dir, "waves.npy"), np.concatenate(waves).astype(np.float32))
    np.save(os.path.join(cache_dir, "offsets.npy"), np.array(offsets, dtype=np.int64))
    summary = {"utterances": len(records),
               "hours": offsets[-1] / SR / 3600,
               "by_split": {s: sum(r["split"] == s for r in records)
                            for s in ("train", "valid", "heldout")},
               "by_corpus": {c: sum(r["corpus"] == c for r in records)
                             for c in ("emodb", "ravdess")},
               "mapping": {k: list(v) for k, v in CIRCUMPLEX.items()},
               "strong_arousal_scale": STRONG_AROUSAL_SCALE,
               "seconds": time.time() - t0}
    with open(os.path.join(cache_dir, "utts.json"), "w") as fh:
        json.dump({"summary": summary, "utts": records}, fh, indent=0)
    log(f"prepare: {json.dumps(summary)}")
    return summary


class Corpus:
    def __init__(self, cache_dir: str = CACHE_DIR):
        if not os.path.exists(os.path.join(cache_dir, "utts.json")):
            raise SystemExit(f"no cache in {cache_dir}: run `prepare` first")
        self.waves = np.load(os.path.join(cache_dir, "waves.npy"), mmap_mode="r")
        self.offsets = np.load(os.path.join(cache_dir, "offsets.npy"))
        with open(os.path.join(cache_dir, "utts.json")) as fh:
            d = json.load(fh)
        self.utts = d["utts"]
        self.summary = d["summary"]

    def wave(self, i: int) -> np.ndarray:
        return np.array(self.waves[self.offsets[i]:self.offsets[i + 1]], dtype=np.float32)

    def length(self, i: int) -> int:
        return int(self.offsets[i + 1] - self.offsets[i])

    def select(self, split=None, corpus=None) -> list[int]:
        return [i for i, u in enumerate(self.utts)
                if (split is None or u["split"] in ((split,) if isinstance(split, str)
                                                     else split))
                and (corpus is None or u["corpus"] == corpus)]

    def labels(self, idx) -> np.ndarray:
        return np.array([[self.utts[i]["arousal"], self.utts[i]["valence"]] for i in idx],
                        dtype=np.float32)

    def categories(self, idx) -> np.ndarray:
        """Class ids (index in CATEGORIES) of the utterances' emotion categories."""
        return np.array([CATEGORIES.index(self.utts[i]["emotion"]) for i in idx],
                        dtype=np.int64)


def speech_mask(wave: np.ndarray, n_out: int | None = None, floor_db: float = 35.0):
    """Speech frames at the output rate: a 40 ms block (samples [640 j, 640 j + 640)) is
    speech when its energy is within `floor_db` dB of the utterance's loudest block.
    Relative to the loudest block, so invariant to input gain. Falls back to all frames
    when nothing qualifies."""
    n = len(wave) // BLOCK if n_out is None else n_out
    if n == 0:
        return np.zeros(0, dtype=bool)
    x = np.asarray(wave[:n * BLOCK], dtype=np.float64).reshape(n, BLOCK)
    db = 10 * np.log10(np.mean(x * x, axis=1) + 1e-12)
    m = db > db.max() - floor_db
    return m if m.any() else np.ones(n, dtype=bool)


def frames(wave: np.ndarray) -> np.ndarray:
    """(T, 160) input frames, T a multiple of 4 (the tail that does not fill an output
    frame is dropped)."""
    t = (len(wave) // BLOCK) * SUBSAMPLING
    return np.ascontiguousarray(wave[:t * FRAME], dtype=np.float32).reshape(t, FRAME)
