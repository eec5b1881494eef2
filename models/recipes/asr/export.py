"""`export`: best checkpoint -> model file (+ LM copy) + golden parity files."""

from __future__ import annotations

import json
import math
import os
import shutil

import numpy as np

from ..common import export, frontend, netspec
from .config import REPO_ROOT, SET_VALID, SETS_TRAIN, log
from .data import FeatureSet, exists
from .decode import greedy_decode, net_from_model_file
from .model import BLANK, VOCAB, compute_budget, export_spec


def load_checkpoint_net(path: str):
    import torch
    state = torch.load(path, map_location="cpu")
    extra = state["extra"]
    net = netspec.SpecNet(extra["spec"])
    net.load_state_dict(state["model"])
    net.eval()
    return net, state


def heldout_metrics(ev: dict) -> dict:
    """Numeric metrics to embed from an `eval --engine cpp` JSON: per test set
    "<set>_wer" / "<set>_cer" (rounded to 4 places), "word_confidence_ece" and
    "stream_ratio"; top-level numbers of any other JSON are taken as they are."""
    out = {k: v for k, v in ev.items() if isinstance(v, (int, float))
           and not isinstance(v, bool)}
    for name, res in ev.items():
        if isinstance(res, dict) and isinstance(res.get("engine"), dict):
            out[f"{name}_wer"] = round(res["engine"]["wer"], 4)
            out[f"{name}_cer"] = round(res["engine"]["cer"], 4)
    if "word_confidence_ece" in out:
        out["word_confidence_ece"] = round(out["word_confidence_ece"], 4)
    if isinstance(ev.get("stream"), dict):
        out["stream_ratio"] = round(ev["stream"]["ratio"], 4)
    return out


def cmd_export(a) -> dict:
    ckpt = os.path.join(a.ckpt_dir, "best.pt" if a.checkpoint == "best" else "last.pt")
    if not os.path.exists(ckpt):
        raise SystemExit(f"export: {ckpt} not found (train first, or --checkpoint last)")
    net, state = load_checkpoint_net(ckpt)
    extra = state["extra"]
    spec = export_spec(extra["spec"])
    full = netspec.SpecNet(spec)
    full.load_state_dict(net.state_dict())
    tensors = full.export_tensors(np.float16)
    tensors["cmvn.mean"] = np.asarray(extra["cmvn_mean"], np.float32)
    tensors["cmvn.std"] = np.asarray(extra["cmvn_std"], np.float32)
    budget = compute_budget(extra["spec"])
    prep = {}
    info_path = os.path.join(a.cache, "prepare_info.json")
    if os.path.exists(info_path):
        with open(info_path) as fh:
            prep = json.load(fh)
    tuned = {}
    tune_path = os.path.join(a.cache, "tune.json")
    if os.path.exists(tune_path):
        with open(tune_path) as fh:
            tuned = json.load(fh)["best"]
    lm_weight = a.lm_weight if a.lm_weight is not None else tuned.get("lm_weight", 0.5)
    word_bonus = a.word_bonus if a.word_bonus is not None else \
        tuned.get("word_insertion_bonus", 1.0)
    beam = a.beam if a.beam is not None else tuned.get("beam", 16)
    lexicon = a.lexicon if a.lexicon is not None else tuned.get("lexicon", "none")
    calibration = {}
    cal_path = os.path.join(a.cache, "calibration.json")
    if os.path.exists(cal_path):
        with open(cal_path) as fh:
            calibration = json.load(fh)
    prior = extra.get("prior_training") or {}
    hist = state.get("history", [])
    best = min((h for h in hist if "cer" in h), key=lambda h: h["cer"], default=None)
    # Exactly frontend.FRONTEND_PARAMS (type "logmel"): models/asr/log_mel_front_end.cc
    # rejects unknown fields. CMVN is the tensors cmvn.mean / cmvn.std: (x - mean) / std.
    front_end = dict(frontend.FRONTEND_PARAMS)
    meta = {
        "format_version": export.FORMAT_VERSION, "task": "asr",
        "sample_rate_hz": frontend.SAMPLE_RATE, "front_end": front_end,
        "layers": spec, "vocabulary": VOCAB, "blank": BLANK, "word_separator": " ",
        "streaming": {"subsampling": budget["subsampling"], "input_frame_shift_ms": 10,
                      "frame_shift_ms": 10 * budget["subsampling"],
                      "receptive_field_frames": budget["receptive_field_frames"],
                      "chunk_frames": 4 * budget["subsampling"], "look_ahead_frames": 0,
                      "chunk_frames_unit": "input (10 ms) frames"},
        "decoder": {"beam": beam, "lm_weight": lm_weight,
                    "word_insertion_bonus": word_bonus,
                    "tuned_on": "validation set (tune)" if tuned else "untuned default",
                    "lm": os.path.basename(a.lm_out) if a.lm_out else ""},
        "parameters": budget["parameters"],
        "gflop_per_audio_second": budget["gflop_per_audio_second"],
        "training_data": {
            "sets": {k: {"utterances": v["utterances"],
                         "hours_clean": round(v["hours_clean"], 3)}
                     for k, v in prep.get("sets", {}).items()},
            "augmented_copies": prep.get("copies"),
            "corpora": "synthetic speech (espeak-ng, flite, festival voices; held-out "
                       "voices slt, rms, espeak en-gb-scotland, en-029), FSDD (speaker "
                       "theo held out; CC-BY-SA-4.0), Debian asterisk-core-sounds-en "
                       "(CC-BY-SA-3.0)",
            "global_steps": state["global_step"] + prior.get("global_steps", 0),
            "epochs": state["epoch"] + prior.get("epochs", 0),
            "training_wall_hours": round(state["wall_seconds"] / 3600
                                         + prior.get("training_wall_hours", 0.0), 3),
            "warm_started_from": extra.get("init_from"),
            "checkpoint": os.path.basename(ckpt)},
        "metrics": {},
        "metrics_note": "held-out metrics pending: to be measured through the C++ engine",
    }
    for key in ("symbol_min_log_prob", "beam_threshold", "oov_penalty"):
        value = getattr(a, key, None)
        value = value if value is not None else tuned.get(key)
        # models/asr: nn::CtcPrefixBeamSearchConfig pruning, nn::LexiconScorer oov_penalty;
        # None or +inf (lexicon words only, no pruning) is written as nothing.
        if value is not None and math.isfinite(value):
            meta["decoder"][key] = float(value)
    if lexicon == "lm":
        # models/asr: the output is restricted to the LM's 1-grams (nn::LexiconScorer).
        meta["decoder"]["lexicon"] = "lm"
    if calibration:
        # Fitted by `calibrate` on the validation set through the C++ engine; applied by
        # models/asr (CalibrateConfidence) to every word confidence.
        meta["decoder"]["confidence_calibration"] = {"scale": calibration["scale"],
                                                     "bias": calibration["bias"]}
    if best:
        meta["metrics"]["valid_cer_greedy_pytorch"] = round(best["cer"], 4)
        meta["metrics"]["valid_wer_greedy_pytorch"] = round(best["wer"], 4)
    if a.metrics:
        if not os.path.exists(a.metrics):
            raise SystemExit(f"export --metrics: {a.metrics} not found")
        with open(a.metrics) as fh:
            meta["metrics"].update(heldout_metrics(json.load(fh)))
        meta["metrics_note"] = ("held-out metrics measured through the C++ engine "
                                "(eval --engine cpp); see models/asr/MODEL_CARD.md")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    export.write_model(a.out, tensors, meta)
    size = os.path.getsize(a.out)
    log(f"export: {a.out}: {size / 1e6:.2f} MB, {budget['parameters']} parameters")
    if size > 8_000_000:
        raise SystemExit(f"export: {a.out} is {size} bytes > 8 MB")
    if a.lm_out:
        src = os.path.join(a.cache, "lm.arpa")
        if os.path.exists(src):
            shutil.copyfile(src, a.lm_out)
            log(f"export: LM -> {a.lm_out} ({os.path.getsize(a.lm_out) / 1e6:.2f} MB)")
        else:
            log(f"export: no {src}: run the lm step to ship an LM")
    # Golden parity files: a short held-out utterance through the re-read file.
    fnet, fmeta, mean, std = net_from_model_file(a.out)
    golden = None
    if a.golden_dir:
        golden = write_golden(a, fnet, fmeta, mean, std)
    return {"path": a.out, "bytes": size, "golden": golden, **budget}


def write_golden(a, net, meta, mean, std) -> dict | None:
    """tests/models/golden/asr_parity_in.f32 (raw log-mel (T, 80) of a held-out utterance,
    before CMVN), asr_parity_out.f32 (the exported model's log-probabilities (T', 29),
    computed in PyTorch float32 from the file's float16 weights) and asr_parity.json."""
    import torch
    fs = None
    for name in ("test_synth_speaker", "test_fsdd_heldout", SET_VALID, SETS_TRAIN):
        if exists(a.cache, name):
            fs = FeatureSet(a.cache, name)
            break
    if fs is None:
        log("export: no prepared set for golden files")
        return None
    clean = [fs.clean_row[i] for i in range(len(fs.items))]
    pick = [r for r in clean if 100 <= fs.rows[r][3] <= 200] or clean
    r = min(pick, key=lambda k: (abs(fs.rows[k][3] - 150), k))
    feats = fs.features(r)
    with torch.no_grad():
        x = torch.from_numpy(((feats - mean) / std)[None].astype(np.float32))
        out = net(x)[0].numpy().astype(np.float32)  # the layer list ends in log_softmax
    os.makedirs(a.golden_dir, exist_ok=True)
    feats.astype("<f4").tofile(os.path.join(a.golden_dir, "asr_parity_in.f32"))
    out.astype("<f4").tofile(os.path.join(a.golden_dir, "asr_parity_out.f32"))
    desc = {"model": os.path.relpath(os.path.abspath(a.out), REPO_ROOT),
            "input": "asr_parity_in.f32: raw log-mel (ARCHITECTURE §8) before CMVN, "
                     "float32 little-endian, row-major (frames, 80)",
            "output": "asr_parity_out.f32: log-probabilities after the model's layer list "
                      "(CMVN from the file applied first), float32 (frames_out, 29)",
            "in_shape": list(feats.shape), "out_shape": list(out.shape),
            "utterance": fs.items[fs.rows[r][0]]["id"], "set": fs.name,
            "text": fs.items[fs.rows[r][0]]["text"],
            "greedy": greedy_decode(out), "suggested_tolerance": 1e-3}
    with open(os.path.join(a.golden_dir, "asr_parity.json"), "w") as fh:
        json.dump(desc, fh, indent=1)
    log(f"export: golden {desc['in_shape']} -> {desc['out_shape']} in {a.golden_dir}")
    return desc
