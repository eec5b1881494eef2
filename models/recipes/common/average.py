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

`average_checkpoints(paths, out)` does the same for trainer checkpoints (best.pt), so that a
recipe's own export can ship the average:
    /usr/bin/python3 -m models.recipes.common.average --checkpoints A.pt,B.pt --out DIR/best.pt
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


def average_checkpoints(paths: list[str], out: str) -> dict:
    """Writes `out`, a trainer checkpoint whose "model" is the equal-weight mean of the
    "model" state of the checkpoints in `paths` (trainer.py's best.pt / last.pt), so a
    recipe's `export --ckpt-dir` can ship the average unchanged. Everything else (the
    recipe's `extra`, counters) is the first checkpoint's; `extra["averaged_from"]` names
    the inputs. The checkpoints must share their network (`extra["spec"]` when present,
    state names and shapes) and their CMVN (`extra["cmvn_mean"/"cmvn_std"]` when present),
    i.e. descend from one starting point. Returns the averaged checkpoint."""
    import torch
    if len(paths) < 2:
        raise ValueError(f"average: {len(paths)} checkpoint(s) given; allowed: 2 or more")
    states = [torch.load(p, map_location="cpu", weights_only=False) for p in paths]
    first = states[0]
    for path, st in zip(paths[1:], states[1:]):
        for key in ("spec", "cmvn_mean", "cmvn_std"):
            a, b = first["extra"].get(key), st["extra"].get(key)
            if a is not None and not _same(a, b):
                raise ValueError(f"average: {path}'s {key} differs from {paths[0]}'s")
        if set(st["model"]) != set(first["model"]) or any(
                st["model"][k].shape != first["model"][k].shape for k in first["model"]):
            raise ValueError(f"average: {path}'s network state differs from {paths[0]}'s "
                             "in names or shapes")
    model = {}
    for name, ref in first["model"].items():
        if ref.is_floating_point():
            model[name] = (sum(st["model"][name].double() for st in states)
                           / len(states)).to(ref.dtype)
        else:  # counters such as batch norm's num_batches_tracked
            model[name] = ref.clone()
    out_state = {k: v for k, v in first.items() if k not in ("ema", "optimizer")}
    out_state["model"] = model
    out_state["extra"] = dict(first["extra"], averaged_from=[os.path.abspath(p)
                                                             for p in paths])
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    torch.save(out_state, out)
    return out_state


def _same(a, b) -> bool:
    if hasattr(a, "shape") or hasattr(b, "shape"):
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    return a == b


def main(argv=None) -> dict:
    import argparse
    ap = argparse.ArgumentParser(description="equal-weight average of trainer checkpoints "
                                 "of one run's descendants (model soup)")
    ap.add_argument("--checkpoints", required=True, help="comma-separated .pt files")
    ap.add_argument("--out", required=True, help="output checkpoint, e.g. DIR/best.pt")
    a = ap.parse_args(argv)
    state = average_checkpoints([p for p in a.checkpoints.split(",") if p], a.out)
    print(f"wrote {a.out}: average of {len(state['extra']['averaged_from'])} checkpoints")
    return state


if __name__ == "__main__":
    main()
