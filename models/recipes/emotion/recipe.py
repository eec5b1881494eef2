"""Emotion recipe (issue #8): arousal/valence from the raw 16 kHz waveform.

    /usr/bin/python3 -m models.recipes.emotion.recipe prepare
    /usr/bin/python3 -m models.recipes.emotion.recipe train --threads 1 --max-minutes 45
    /usr/bin/python3 -m models.recipes.emotion.recipe train --corpus ravdess --max-minutes 12
    /usr/bin/python3 -m models.recipes.emotion.recipe eval       # prints JSON, writes eval.json
    /usr/bin/python3 -m models.recipes.emotion.recipe eval --engine cpp --build build
    #   the same figures with the model run by auris-server (C++); writes eval_cpp.json
    /usr/bin/python3 -m models.recipes.emotion.recipe export     # model file + golden I/O

Model contract (the C++ EmotionPipeline implements it): front end "waveform_frames" = the
16 kHz waveform cut into non-overlapping 10 ms frames of 160 samples -> (T, 160) -> the
netspec layer list (causal convs, layernorm, max_pool x2 x2, unidirectional LSTM, linear,
tanh) -> (T // 4, 2) = (arousal, valence) in [-1, 1] at 25 Hz. Utterance summary = mean
of the output frames over speech frames. Here (training and eval) the speech frames are
chosen by `speech_mask`, an energy rule on 40 ms blocks (see there); the C++ pipeline
applies the same rule (models/emotion/emotion_pipeline.h).

This file is the CLI; the work is in data.py (prepare, labels, speech mask), model.py
(layer list, cost, loading, inference), train.py, heuristics.py (one-feature baselines),
evaluate.py (eval, gain check, cross-corpus), engine.py (eval through auris-server, the C++
engine) and export.py (model file + golden I/O).
"""

from __future__ import annotations

import argparse
import os

# The recipe's pieces, by job; re-exported (`recipe.<name>`).
from models.recipes.emotion.data import (
    BLOCK, CACHE_DIR, CIRCUMPLEX, CKPT_DIR, EVAL_PATH, REPO, FRAME, FRONT_END, GOLDEN_DIR,
    MODEL_PATH, OUTPUTS, SR, STRONG_AROUSAL_SCALE, SUBSAMPLING, VALIDATION_SPEAKERS, Corpus,
    frames, map_label, prepare, speech_mask)
from models.recipes.emotion.evaluate import evaluate, run_eval
from models.recipes.emotion.export import golden_input, run_export
from models.recipes.emotion.heuristics import (
    HEURISTICS, arousal_ua, heuristic_features, heuristic_scores)
from models.recipes.emotion.model import (
    DEFAULT_MODEL, TINY_MODEL, TorchPredictor, build_model, load_checkpoint, load_exported,
    model_cost, model_spec, predict_frames, summaries, summarize)
from models.recipes.emotion.train import AUG, EmotionTask, train

__all__ = ["BLOCK", "CACHE_DIR", "CIRCUMPLEX", "CKPT_DIR", "EVAL_PATH", "FRAME", "FRONT_END",
           "GOLDEN_DIR", "MODEL_PATH", "OUTPUTS", "SR", "STRONG_AROUSAL_SCALE", "SUBSAMPLING",
           "VALIDATION_SPEAKERS", "Corpus", "frames", "map_label", "prepare", "speech_mask",
           "evaluate", "run_eval", "golden_input", "run_export", "HEURISTICS", "arousal_ua",
           "heuristic_features", "heuristic_scores", "DEFAULT_MODEL", "TINY_MODEL",
           "TorchPredictor", "build_model", "load_checkpoint", "load_exported", "model_cost",
           "model_spec", "predict_frames", "summaries", "summarize", "AUG", "EmotionTask",
           "train", "main"]


def main(argv=None):
    p = argparse.ArgumentParser(prog="models.recipes.emotion.recipe", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("prepare", help="cache EmoDB + RAVDESS waveforms and labels")
    a.add_argument("--cache", default=CACHE_DIR)
    a.add_argument("--limit", type=int, default=None, help="utterances per corpus (tests)")
    a = sub.add_parser("train")
    a.add_argument("--cache", default=CACHE_DIR)
    a.add_argument("--corpus", choices=["all", "ravdess", "emodb"], default="all")
    a.add_argument("--ckpt-dir", default=None)
    a.add_argument("--epochs", type=int, default=30)
    a.add_argument("--batch", type=int, default=24)
    a.add_argument("--lr", type=float, default=2e-3)
    a.add_argument("--dropout", type=float, default=0.1)
    a.add_argument("--frame-weight", type=float, default=0.5)
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--threads", type=int, default=1)
    a.add_argument("--resume", action="store_true")
    a.add_argument("--max-minutes", type=float, default=None)
    a.add_argument("--checkpoint-minutes", type=float, default=5.0)
    a.add_argument("--log-every", type=float, default=30.0)
    a.add_argument("--tiny", action="store_true", help="tiny model (tests)")
    a.add_argument("--model-config", default=None,
                   help='JSON overriding DEFAULT_MODEL keys, e.g. \'{"lstm_hidden": 192}\'')
    a.add_argument("--limit-train", type=int, default=0)
    a.add_argument("--no-noise", action="store_true")
    a.add_argument("--ema", type=float, default=0.0,
                   help="exponential moving average of the weights, decay per step (0: off); "
                        "validation, best.pt and the export use the averaged weights")
    a.add_argument("--vtlp", type=float, default=0.0,
                   help="probability of vocal-tract-length perturbation (alpha 0.9-1.1) per "
                        "training utterance")
    a.add_argument("--reverb", type=float, default=0.0,
                   help="probability of sox room reverb (reverberance 10-80, HF damping "
                        "10-90, room scale 20-100) per training utterance")
    a.add_argument("--category-weight", type=float, default=0.0,
                   help="weight of an auxiliary cross-entropy on the emotion category "
                        "(training-only head on the pooled LSTM output; 0 = off)")
    a.add_argument("--valence-weight", type=float, default=1.0,
                   help="weight of the valence (1 - CCC) term; arousal's is 1")
    a = sub.add_parser("eval")
    a.add_argument("--cache", default=CACHE_DIR)
    a.add_argument("--engine", choices=["torch", "cpp"], default="torch",
                   help="cpp: run the model in auris-server (the C++ engine) via `auris`")
    a.add_argument("--model", default=None,
                   help="checkpoint .pt or model .safetensors (default: torch "
                        "checkpoints/best.pt; cpp the shipped models/shipped/emotion.json)")
    a.add_argument("--cross-model", default=None,
                   help="RAVDESS-only .pt or .safetensors for the cross-corpus figures "
                        "(default checkpoints/ravdess/best.pt if present)")
    a.add_argument("--build", default=os.environ.get("AURIS_BUILD",
                                                     os.path.join(REPO, "build")),
                   help="cpp: build dir with server/auris-server and clients/auris")
    a.add_argument("--no-torch-parity", action="store_true",
                   help="cpp: skip the PyTorch-vs-engine frame comparison")
    a.add_argument("--out", default=None,
                   help="JSON report (default models/emotion/eval.json, eval_cpp.json for cpp)")
    a.add_argument("--threads", type=int, default=1)
    a = sub.add_parser("export")
    a.add_argument("--checkpoint", default=None)
    a.add_argument("--out", default=MODEL_PATH)
    a.add_argument("--eval-json", default=EVAL_PATH)
    a.add_argument("--golden-dir", default=GOLDEN_DIR)
    a.add_argument("--float16", action="store_true")
    a.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    if args.cmd == "prepare":
        return prepare(args.cache, args.limit)
    if args.cmd == "train":
        return train(args)
    if args.cmd == "eval":
        return run_eval(args)
    return run_export(args)


if __name__ == "__main__":
    main()
