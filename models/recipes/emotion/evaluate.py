"""Emotion eval: held-out CCC/UA per corpus, one-feature heuristics, the +-20 dB gain
check and the RAVDESS -> EmoDB cross-corpus run."""

from __future__ import annotations

import json
import os
import time

import numpy as np

from models.recipes.common import augment, export, metrics, trainer
from models.recipes.emotion.data import CKPT_DIR, EVAL_CPP_PATH, EVAL_PATH, REPO, Corpus
from models.recipes.emotion.heuristics import (arousal_ua, best_heuristic, heuristic_features,
                                               heuristic_scores)
from models.recipes.emotion.model import (TorchPredictor, load_checkpoint, load_exported,
                                          summaries)


def model_metrics(s: np.ndarray, y: np.ndarray, corpora: list[str]) -> dict:
    """CCC and high/low arousal UA of summaries s (N, 2) against labels y, overall and per
    corpus."""
    model = {"arousal_ccc": metrics.ccc(s[:, 0], y[:, 0]),
             "valence_ccc": metrics.ccc(s[:, 1], y[:, 1]),
             "arousal_ua": arousal_ua(s[:, 0], y[:, 0])}
    per_corpus = {}
    for c in ("emodb", "ravdess"):
        k = [j for j, name in enumerate(corpora) if name == c]
        if len(k) > 1:
            per_corpus[c] = {"arousal_ccc": metrics.ccc(s[k, 0], y[k, 0]),
                             "valence_ccc": metrics.ccc(s[k, 1], y[k, 1]),
                             "arousal_ua": arousal_ua(s[k, 0], y[k, 0]), "n": len(k)}
    model["per_corpus"] = per_corpus
    return model


def gain_check(predictor, waves, s: np.ndarray, gain_db: float = 20.0) -> dict:
    """Change of summary arousal at +-gain_db input gain against the 0 dB summaries s."""
    gains = {}
    for g in (-gain_db, gain_db):
        sg = summaries(predictor, [augment.apply_gain(w, g) for w in waves])
        d = np.abs(sg[:, 0] - s[:, 0])
        gains[f"{g:+.0f}dB"] = {"max_abs_arousal_change": float(d.max()),
                                "mean_abs_arousal_change": float(d.mean()),
                                "fraction_within_0.1": float(np.mean(d <= 0.1))}
    return gains


def evaluate(predictor, corpus: Corpus, cross_predictor=None, gain_db: float = 20.0) -> dict:
    held = corpus.select("heldout")
    trn = corpus.select(("train", "valid"))
    waves = [corpus.wave(i) for i in held]
    y = corpus.labels(held)
    s = summaries(predictor, waves)
    res = {"heldout_speakers": sorted({corpus.utts[i]["speaker"] for i in held}),
           "heldout_utterances": len(held)}
    model = model_metrics(s, y, [corpus.utts[i]["corpus"] for i in held])
    res["model"] = model
    # One-feature heuristics: fitted on all training speakers, scored on the held-out ones.
    t0 = time.time()
    f_tr = [heuristic_features(corpus.wave(i)) for i in trn]
    f_te = [heuristic_features(w) for w in waves]
    hs = heuristic_scores(f_tr, corpus.labels(trn), f_te, y)
    res["heuristics"] = hs
    res["best_heuristic"] = {k: best_heuristic(hs, k)
                             for k in ("arousal_ccc", "valence_ccc", "arousal_ua")}
    res["margin_over_best_heuristic"] = {
        k: model[k] - res["best_heuristic"][k]["value"] for k in ("arousal_ccc", "valence_ccc")}
    res["gain_check"] = gain_check(predictor, waves, s, gain_db)
    res["gain_check_pass"] = bool(all(v["max_abs_arousal_change"] <= 0.1
                                      for v in res["gain_check"].values()))
    # Cross-corpus: trained on RAVDESS training actors, tested on all of EmoDB.
    emo = corpus.select(corpus="emodb")
    if cross_predictor is not None and emo:
        ew = [corpus.wave(i) for i in emo]
        ey = corpus.labels(emo)
        cs = summaries(cross_predictor, ew)
        rav = corpus.select(("train", "valid"), "ravdess")
        chs = heuristic_scores([heuristic_features(corpus.wave(i)) for i in rav],
                               corpus.labels(rav), [heuristic_features(w) for w in ew], ey)
        res["cross_corpus_ravdess_to_emodb"] = {
            "utterances": len(emo),
            "model": {"arousal_ccc": metrics.ccc(cs[:, 0], ey[:, 0]),
                      "valence_ccc": metrics.ccc(cs[:, 1], ey[:, 1]),
                      "arousal_ua": arousal_ua(cs[:, 0], ey[:, 0])},
            "best_heuristic": {k: best_heuristic(chs, k)
                               for k in ("arousal_ccc", "valence_ccc", "arousal_ua")},
            "heuristics": chs}
    res["targets"] = {"arousal_ccc>=0.7": model["arousal_ccc"] >= 0.7,
                      "valence_ccc>=0.35": model["valence_ccc"] >= 0.35,
                      "arousal_ua>=0.85": model["arousal_ua"] >= 0.85,
                      "beats_best_heuristic_by_0.1": all(
                          v >= 0.1 for v in res["margin_over_best_heuristic"].values()),
                      "gain_change<=0.1": res["gain_check_pass"]}
    res["heuristic_seconds"] = time.time() - t0
    return res


def _predictor_from(path: str):
    if path.endswith(".safetensors"):
        tensors, meta, _ = export.read_model(path)
        return TorchPredictor(load_exported(tensors, meta["layers"])), meta
    model, _, state = load_checkpoint(path)
    return TorchPredictor(model), state


def run_eval(args) -> dict:
    trainer.set_threads(args.threads)
    if getattr(args, "engine", "torch") == "cpp":
        from models.recipes.emotion.engine import run_eval_cpp
        res = run_eval_cpp(args)
        out = args.out or EVAL_CPP_PATH
    else:
        corpus = Corpus(args.cache)
        predictor, _ = _predictor_from(args.model or os.path.join(CKPT_DIR, "best.pt"))
        cross = getattr(args, "cross_model", None) or os.path.join(CKPT_DIR, "ravdess", "best.pt")
        cross_pred = _predictor_from(cross)[0] if os.path.exists(cross) else None
        res = evaluate(predictor, corpus, cross_pred)
        res["predictor"] = "pytorch:" + os.path.relpath(
            args.model or os.path.join(CKPT_DIR, "best.pt"), REPO)
        if cross_pred is None:
            res["cross_corpus_ravdess_to_emodb"] = f"missing: train --corpus ravdess ({cross})"
        out = args.out or EVAL_PATH
    text = json.dumps(res, indent=1, default=float)
    print(text)
    if out:
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        with open(out, "w") as fh:
            fh.write(text + "\n")
    return res
