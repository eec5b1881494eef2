"""Emotion export: the model file (weights + auris metadata) and the golden I/O of the C++
parity test, computed from the weights as stored."""

from __future__ import annotations

import json
import os

import numpy as np

from models.recipes.common import export, readers, trainer
from models.recipes.emotion.data import (BLOCK, CIRCUMPLEX, CKPT_DIR, FRAME, FRONT_END,
                                         OUTPUTS, SR, STRONG_AROUSAL_SCALE, SUBSAMPLING,
                                         VALIDATION_SPEAKERS, log)
from models.recipes.emotion.model import (load_checkpoint, load_exported, model_cost,
                                          predict_frames)


def golden_input(n: int = 32 * BLOCK, seed: int = 1) -> np.ndarray:
    """A deterministic speech-like test signal (not corpus audio, which may not be copied
    into the repository): a harmonic tone with gliding pitch and syllable envelope, plus
    noise, then 0.2 s of near-silence."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    f0 = 140 + 40 * np.sin(2 * np.pi * 1.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    x = sum(np.sin(k * phase) / k for k in range(1, 12))
    env = 0.5 * (1 - np.cos(2 * np.pi * 3.0 * t)) ** 2
    x = 0.2 * env * x + 0.01 * rng.standard_normal(n)
    x[-SR // 5:] *= 0.01
    return x.astype(np.float32)


def run_export(args) -> dict:
    trainer.set_threads(args.threads)
    model, spec, state = load_checkpoint(args.checkpoint or os.path.join(CKPT_DIR, "best.pt"))
    dtype = np.float16 if args.float16 else np.float32
    tensors = model.export_tensors(dtype)
    extra = state["extra"]
    held = {}
    eval_path = args.eval_json
    if eval_path and os.path.exists(eval_path):
        with open(eval_path) as fh:
            ev = json.load(fh)
        held = {f"heldout_{k}": float(v) for k, v in ev["model"].items()
                if isinstance(v, (int, float))}
        for k, v in ev["best_heuristic"].items():
            held[f"heldout_best_heuristic_{k}"] = float(v["value"])
        for k, v in ev["gain_check"].items():
            held[f"gain{k}_max_abs_arousal_change"] = float(v["max_abs_arousal_change"])
        cc = ev.get("cross_corpus_ravdess_to_emodb")
        if isinstance(cc, dict):
            held.update({f"cross_ravdess_to_emodb_{k}": float(v)
                         for k, v in cc["model"].items()})
    cost = model_cost(spec, model)
    meta = {
        "format_version": export.FORMAT_VERSION, "task": "emotion", "sample_rate_hz": SR,
        "front_end": dict(FRONT_END), "layers": spec,
        "outputs": OUTPUTS, "output_range": [-1.0, 1.0], "output_rate_hz": SR // BLOCK,
        "streaming": {"chunk_frames": SUBSAMPLING, "look_ahead_frames": 0,
                      "frame_samples": FRAME, "subsampling": SUBSAMPLING,
                      "receptive_field_frames": cost["receptive_field_frames"],
                      "recurrent": True},
        "summary": "mean of the output frames over speech frames: 40 ms blocks whose mean "
                   "power is within 35 dB of the loudest block (data.speech_mask)",
        "label_mapping": {"convention": "Russell circumplex, ../shared/data/README.md",
                          "categories": {k: list(v) for k, v in CIRCUMPLEX.items()},
                          "ravdess_strong_arousal_scale": STRONG_AROUSAL_SCALE},
        "training_data": {"corpora": ["EmoDB (free for research use)",
                                      "RAVDESS actors 01-18 (CC-BY-NC-SA-4.0)"]
                          if extra.get("corpus", "all") == "all" else [extra["corpus"]],
                          "corpus": extra.get("corpus", "all"),
                          "excluded_heldout_speakers": sorted(readers.HELDOUT_REAL_SPEAKERS),
                          "validation_speakers": sorted(VALIDATION_SPEAKERS),
                          "train_utterances": extra.get("train_utterances"),
                          "train_hours": extra.get("train_hours"),
                          "augmentation": extra.get("augmentation"),
                          "epochs_done": state["epoch"], "global_step": state["global_step"],
                          "wall_minutes": state["wall_seconds"] / 60,
                          "licence": "non-commercial (RAVDESS CC-BY-NC-SA-4.0)"},
        "metrics": held,
        "cost": cost,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    export.write_model(args.out, tensors, meta)
    # Golden I/O for the C++ parity test, computed with the weights as stored.
    got, meta2, _ = export.read_model(args.out)
    ref = load_exported(got, meta2["layers"])
    x = golden_input()
    y = predict_frames(ref, [x])[0]
    golden = args.golden_dir
    if golden:
        os.makedirs(golden, exist_ok=True)
        x.astype("<f4").tofile(os.path.join(golden, "emotion_parity_in.f32"))
        y.astype("<f4").tofile(os.path.join(golden, "emotion_parity_out.f32"))
    info = {"model": args.out, "bytes": os.path.getsize(args.out), "dtype": str(np.dtype(dtype)),
            "golden_in_samples": len(x), "golden_out_shape": list(y.shape), **cost,
            "metrics": held}
    log(f"export: {json.dumps(info)}")
    return info
