"""Weight averages of exported auris model files ("model soups", WiSE-FT).

`average(paths, weights)` returns the tensors and metadata of the weighted mean of model
files that share one layer list, e.g. a shipped model and a later fine-tuning stage of it:
averaging a model with its own fine-tuned continuation trades between what each does well,
without training. Every tensor (weights, batch-norm statistics, CMVN) is averaged in
float64 and stored back in its file's dtype (the format holds float32 and float16 only);
the metadata is the first file's, with `training_data.averaged_from` naming the inputs and
their weights and `metrics` emptied. Only meaningful for
files that descend from one training run (a common starting point); the function checks
the layer lists and tensor shapes, not the ancestry.
"""

from __future__ import annotations

import copy
import os

import numpy as np

from models.recipes.common import export


def average(paths: list[str], weights: list[float] | None = None) -> tuple[dict, dict]:
    if len(paths) < 2:
        raise ValueError(f"average: {len(paths)} model file(s) given; allowed: 2 or more")
    weights = [1.0 / len(paths)] * len(paths) if weights is None else list(weights)
    if len(weights) != len(paths) or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(f"average: weights {weights} for {len(paths)} files; allowed: one "
                         "non-negative weight per file, not all zero")
    total = float(sum(weights))
    weights = [w / total for w in weights]
    models = [export.read_model(p)[:2] for p in paths]
    first_tensors, first_meta = models[0]
    for path, (tensors, meta) in zip(paths[1:], models[1:]):
        if meta["layers"] != first_meta["layers"]:
            raise ValueError(f"average: {path}'s layer list differs from {paths[0]}'s")
        if set(tensors) != set(first_tensors) or any(
                tensors[k].shape != first_tensors[k].shape for k in tensors):
            raise ValueError(f"average: {path}'s tensors differ from {paths[0]}'s in names "
                             "or shapes")
    out = {}
    for name, ref in first_tensors.items():
        acc = sum(w * np.asarray(m[0][name], np.float64) for w, m in zip(weights, models))
        out[name] = acc.astype(ref.dtype)
    meta = copy.deepcopy(first_meta)
    meta["metrics"] = {}  # the average is a new model: nothing of it is measured yet
    meta.setdefault("training_data", {})["averaged_from"] = [
        {"file": os.path.basename(p), "weight": round(w, 6)} for p, w in zip(paths, weights)]
    return out, meta

