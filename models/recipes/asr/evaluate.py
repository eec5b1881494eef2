"""`eval` (WER/CER per test set, streaming-drift check) and `tune` (LM weight / word
bonus grid on the validation set)."""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import time

import numpy as np

from ..common import frontend, kneser_ney, metrics
from ..common import text as textnorm
from ..common import trainer as trainer_lib
from .config import SET_VALID, TEST_SETS, log
from .data import FeatureSet, exists, load_audio
from .decode import LmFusion, greedy_decode, net_from_model_file, prefix_beam_search, \
    run_network


def _write_float_copies(paths: list, folder: str, versions) -> list:
    """For each input i, writes the arrays of `versions(i, load_audio(path))` as 32-bit float
    WAV files "<i>_<k>.wav" in `folder`; returns their paths, input by input, version by
    version. Float keeps quiet copies exact and loud ones unclipped."""
    import soundfile as sf
    out = []
    for i, path in enumerate(paths):
        for k, y in enumerate(versions(i, load_audio(path))):
            out.append(os.path.join(folder, f"{i:06d}_{k}.wav"))
            sf.write(out[-1], y, frontend.SAMPLE_RATE, subtype="FLOAT")
    return out


def scaled_copies(paths: list, gain_db: float, folder: str) -> list:
    """Copies of `paths` (mono, 16 kHz, as load_audio reads them) scaled by `gain_db`, in
    `folder`, in input order, so the engine sees exactly the scaled signal."""
    scale = np.float32(10.0 ** (gain_db / 20.0))
    return _write_float_copies(paths, folder, lambda i, x: [x * scale])


def cpp_run(a, paths: list, extra_args=()) -> list[dict]:
    """Runs the C++ engine's offline transcriber (`auris_transcribe --json`) over `paths`
    (each scaled by `a.gain_db` first when that is set and not 0); returns per path
    {"transcript", "words": [(word, confidence)]} in input order."""
    gain_db = getattr(a, "gain_db", 0.0) or 0.0
    if gain_db:
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            return _cpp_run(a, scaled_copies(paths, gain_db, tmp), extra_args)
    return _cpp_run(a, paths, extra_args)


def _cpp_run(a, paths: list, extra_args=()) -> list[dict]:
    binary = a.cpp_bin
    if not binary or not (os.path.exists(binary) or shutil.which(binary)):
        raise SystemExit(f"eval --engine cpp: C++ transcriber {binary!r} not found: build it "
                         f"(./scripts/build.sh --target auris_transcribe) or pass --cpp-bin")
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(paths) + "\n")
        lst = fh.name
    try:
        cmd = [binary, "--model", a.model, "--wav-list", lst, "--json",
               "--threads", str(max(1, a.threads))]
        if a.lm and os.path.exists(a.lm) and not getattr(a, "no_lm", False):
            cmd += ["--lm", a.lm]
        if getattr(a, "beam", 0):
            cmd += ["--beam", str(a.beam)]
        # Decoder settings given on `a` (None: the model file's), as auris_transcribe flags.
        for name in ("lm_weight", "word_bonus", "symbol_min_log_prob", "beam_threshold",
                     "oov_penalty"):
            if getattr(a, name, None) is not None:
                cmd += [f"--{name}", str(getattr(a, name))]
        res = subprocess.run(cmd + list(extra_args), check=True, capture_output=True, text=True)
    finally:
        os.remove(lst)
    got = {}
    for line in res.stdout.splitlines():
        if not line.startswith("{"):
            continue
        j = json.loads(line)
        words = [(w["word"], float(w["confidence"])) for r in j.get("results", [])
                 for w in r.get("words", [])]
        got[j["path"]] = {"transcript": textnorm.normalize(j.get("transcript", "")),
                          "words": words}
    return [got.get(p, {"transcript": "", "words": []}) for p in paths]


def lm_words(arpa: str) -> list[str]:
    """The ARPA file's 1-gram words without <s>, </s> and <unk>: the lexicon the C++
    pipeline builds for decoder.lexicon "lm" (nn::LexiconScorer::LmWords)."""
    return [w for w in kneser_ney.ArpaModel.read(arpa).vocab
            if w not in ("<s>", "</s>", "<unk>")]


def lexicon_args(lexicon: str, lm: str, folder: str) -> list[str]:
    """auris_transcribe arguments for a tune lexicon choice: "none" turns any lexicon off
    (also one the model file names), "lm" restricts the output to the LM's words (written
    as a word list into `folder`)."""
    if lexicon == "none":
        return ["--lexicon", "none"]
    if lexicon == "lm":
        path = os.path.join(folder, "lm_words.txt")
        if not os.path.exists(path):
            with open(path, "w", encoding="utf-8") as fh:
                fh.write("\n".join(lm_words(lm)) + "\n")
        return ["--lexicon", path]
    raise ValueError(f"lexicon {lexicon!r}: allowed none, lm")


def word_confidences(refs: list, outs: list) -> tuple[np.ndarray, np.ndarray]:
    """(confidence, correct) of every hypothesis word of the C++ outputs against refs."""
    conf, ok = [], []
    for ref, out in zip(refs, outs, strict=True):
        words = out["words"]
        conf += [c for _, c in words]
        ok += metrics.word_correctness(ref, " ".join(textnorm.normalize(w) for w, _ in words))
    return np.asarray(conf, np.float64), np.asarray(ok, bool)


def cpp_stream_eval(a, fs: FeatureSet, minutes: float) -> dict:
    """Streaming-drift check through the C++ engine: held-out utterances joined with 0.3 s
    of silence into one file of >= `minutes`, fed in 10 ms chunks (endpointing on, as a
    live stream), against the per-utterance WER of the same utterances. Target <= 1.2."""
    import tempfile

    import soundfile as sf
    gap = np.zeros(int(0.3 * frontend.SAMPLE_RATE), np.float32)
    waves, items, total = [], [], 0.0
    for it in fs.items:
        w = load_audio(it["path"])
        waves += [w, gap]
        items.append(it)
        total += (len(w) + len(gap)) / frontend.SAMPLE_RATE
        if total >= minutes * 60:
            break
    refs = [it["text"] for it in items]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stream.wav")
        sf.write(path, np.concatenate(waves), frontend.SAMPLE_RATE, subtype="PCM_16")
        stream = cpp_run(a, [path], ["--chunk_ms", "10"])[0]["transcript"]
    per_utt = [o["transcript"] for o in cpp_run(a, [it["path"] for it in items])]
    stream_wer = metrics.wer(" ".join(refs), stream)
    utt_wer = metrics.wer(refs, per_utt)
    log(f"eval [C++ engine] stream of {total / 60:.1f} min ({len(refs)} utts, 10 ms chunks): "
        f"WER {stream_wer * 100:.2f}% vs per-utterance {utt_wer * 100:.2f}%")
    return {"seconds_of_audio": total, "utterances": len(refs),
            "words": sum(len(r.split()) for r in refs), "stream_wer": stream_wer,
            "per_utterance_wer": utt_wer,
            "ratio": stream_wer / utt_wer if utt_wer else float("inf")}


def stream_eval(net, meta, mean, std, fs: FeatureSet, minutes: float, beam: int,
                fusion) -> dict:
    """Streaming-drift check: held-out utterances (in list order) joined with 0.3 s of
    silence into one stream of >= `minutes`, run through the network in one pass (the
    LSTM state carries over, as in a long stream; the causal network gives the same
    outputs chunk by chunk), decoded, and scored against the joined references; compared
    with the per-utterance WER of the same utterances. Target: ratio <= 1.2."""
    import torch
    gap = np.zeros(int(0.3 * frontend.SAMPLE_RATE), np.float32)
    waves, refs, total = [], [], 0.0
    for it in fs.items:
        w = load_audio(it["path"])
        waves += [w, gap]
        refs.append(it["text"])
        total += (len(w) + len(gap)) / frontend.SAMPLE_RATE
        if total >= minutes * 60:
            break
    feats = frontend.log_mel(np.concatenate(waves))
    with torch.no_grad():
        x = torch.from_numpy(((feats - mean) / std)[None].astype(np.float32))
        logp = torch.log_softmax(net(x), dim=-1)[0].numpy()
    rows = [fs.clean_row[i] for i in range(len(refs))]
    per_utt = run_network(net, fs, rows, mean, std, meta["layers"])
    ref = " ".join(refs)
    res = {"seconds_of_audio": total, "utterances": len(refs), "words": len(ref.split())}
    decoders = {"greedy": greedy_decode}
    if fusion is not None:
        decoders["beam_lm"] = lambda lp: prefix_beam_search(lp, beam, fusion)
    for kind, dec in decoders.items():
        stream_wer = metrics.wer(ref, dec(logp))
        utt_wer = metrics.wer(refs, [dec(lp) for lp in per_utt])
        res[kind] = {"stream_wer": stream_wer, "per_utterance_wer": utt_wer,
                     "ratio": stream_wer / utt_wer if utt_wer else float("inf")}
        log(f"eval [PyTorch] stream of {total / 60:.1f} min ({len(refs)} utts): {kind} WER "
            f"{stream_wer * 100:.2f}% vs per-utterance {utt_wer * 100:.2f}%")
    return res


def by_speaker(items: list, refs: list, hyp_sets: dict) -> dict:
    """{"by_speaker": {kind: {speaker: {"utterances", "words", "wer"}}}} for sets whose items
    name more than one speaker (the synthetic test voices), so a card can say which kinds
    of voice fail; {} otherwise."""
    speakers = sorted({it.get("speaker", "") for it in items})
    if len(speakers) < 2:
        return {}
    out = {}
    for kind, hyps in hyp_sets.items():
        per = {}
        for sp in speakers:
            idx = [i for i, it in enumerate(items) if it.get("speaker", "") == sp]
            r = [refs[i] for i in idx]
            per[sp] = {"utterances": len(idx), "words": sum(len(x.split()) for x in r),
                       "wer": metrics.word_errors(r, [hyps[i] for i in idx]).rate}
        out[kind] = per
    return {"by_speaker": out}


def cmd_eval(a) -> dict:
    trainer_lib.set_threads(a.threads)
    results = {"engine": a.engine, "model": a.model,
               "note": "PyTorch, not the C++ engine" if a.engine == "torch" else "C++ engine"}
    if getattr(a, "gain_db", 0.0):
        if a.engine != "cpp":
            raise SystemExit("eval --gain-db: only with --engine cpp")
        results["gain_db"] = a.gain_db
    lm = None
    if a.lm and os.path.exists(a.lm) and not a.no_lm:
        lm = kneser_ney.ArpaModel.read(a.lm)
    net = meta = None
    if a.engine == "torch":
        net, meta, mean, std = net_from_model_file(a.model)
        dec = meta.get("decoder", {})
        lm_weight = a.lm_weight if a.lm_weight is not None else dec.get("lm_weight", 0.5)
        bonus = a.word_bonus if a.word_bonus is not None else \
            dec.get("word_insertion_bonus", 0.0)
        beam = a.beam or dec.get("beam", 16)
        results.update({"beam": beam, "lm_weight": lm_weight, "word_insertion_bonus": bonus,
                        "lm": a.lm if lm else None})
        if dec.get("lexicon"):
            log("eval [torch]: the Python beam search ignores the model's decoder.lexicon; "
                "use --engine cpp for the figures the server gives")
            results["lexicon_ignored"] = dec["lexicon"]
    sets = a.sets.split(",") if a.sets else list(TEST_SETS)
    all_conf, all_ok = [], []
    for name in sets:
        if not exists(a.cache, name):
            continue
        fs = FeatureSet(a.cache, name)
        n = len(fs.items) if not a.limit else min(a.limit, len(fs.items))
        items = fs.items[:n]
        refs = [it["text"] for it in items]
        t0 = time.time()
        res = {"utterances": n, "words": sum(len(r.split()) for r in refs)}
        if a.engine == "torch":
            rows = [fs.clean_row[i] for i in range(n)]
            logps = run_network(net, fs, rows, mean, std, meta["layers"])
            hyp_sets = {"greedy": [greedy_decode(lp) for lp in logps]}
            if not a.greedy_only:
                fusion = LmFusion(lm, lm_weight, bonus) if lm else None
                key = "beam_lm" if lm else "beam"
                hyp_sets[key] = [prefix_beam_search(lp, beam, fusion) for lp in logps]
        else:
            outs = cpp_run(a, [it["path"] for it in items])
            hyp_sets = {"engine": [o["transcript"] for o in outs]}
            conf, ok = word_confidences(refs, outs)
            res["word_confidence"] = {
                "words": int(conf.size), "accuracy": float(ok.mean()) if ok.size else 0.0,
                "mean_confidence": float(conf.mean()) if conf.size else 0.0,
                "ece": metrics.expected_calibration_error(conf, ok)}
            all_conf.append(conf)
            all_ok.append(ok)
        for kind, hyps in hyp_sets.items():
            we = metrics.word_errors(refs, hyps)
            ce = metrics.char_errors(refs, hyps)
            res[kind] = {"wer": we.rate, "cer": ce.rate, "substitutions": we.substitutions,
                         "deletions": we.deletions, "insertions": we.insertions}
        res["seconds"] = time.time() - t0
        res.update(by_speaker(items, refs, hyp_sets))
        res["examples"] = [{"ref": r, **{k: h[i] for k, h in hyp_sets.items()}}
                           for i, r in enumerate(refs[:3])]
        results[name] = res
        log(f"eval [{results['note']}] {name}: {n} utts, {res['words']} words: " + "; ".join(
            f"{k} WER {res[k]['wer'] * 100:.2f}% CER {res[k]['cer'] * 100:.2f}%"
            for k in hyp_sets))
    if all_conf:
        conf, ok = np.concatenate(all_conf), np.concatenate(all_ok)
        results["word_confidence_ece"] = metrics.expected_calibration_error(conf, ok)
        log(f"eval [C++ engine] word-confidence ECE over {conf.size} words of all sets: "
            f"{results['word_confidence_ece']:.4f} (target <= 0.1)")
    if a.engine == "cpp" and a.stream_minutes > 0 and exists(a.cache, a.stream_set):
        results["stream"] = cpp_stream_eval(a, FeatureSet(a.cache, a.stream_set),
                                            a.stream_minutes)
    if a.engine == "torch" and a.stream_minutes > 0 and exists(a.cache, a.stream_set):
        fusion = LmFusion(lm, lm_weight, bonus) if lm else None
        results["stream"] = stream_eval(net, meta, mean, std, FeatureSet(a.cache, a.stream_set),
                                        a.stream_minutes, beam, fusion)
    out = a.out or os.path.join(a.cache, f"eval_{a.engine}.json")
    with open(out, "w") as fh:
        json.dump(results, fh, indent=1)
    return results


def cmd_tune(a) -> dict:
    """Grid search of beam x lexicon x lm_weight x word_insertion_bonus for beam search +
    LM on the validation set (never a test set); writes cache/tune.json, whose best entry
    `export` uses for the decoder defaults unless given on its command line."""
    import tempfile
    trainer_lib.set_threads(a.threads)
    fs = FeatureSet(a.cache, SET_VALID)
    n = min(a.limit, len(fs.items)) if a.limit else len(fs.items)
    refs = [fs.items[i]["text"] for i in range(n)]
    beams = [int(x) for x in a.beams.split(",")] if a.beams else [a.beam]
    lexicons = a.lexicons.split(",")
    for lex in lexicons:
        if lex not in ("none", "lm"):
            raise SystemExit(f"tune: --lexicons {a.lexicons!r}: allowed none, lm, or none,lm")
    if "lm" in lexicons and a.engine != "cpp":
        raise SystemExit("tune: --lexicons lm needs --engine cpp (the Python beam search "
                         "has no lexicon constraint)")
    pruning = {k: v for k, v in (("symbol_min_log_prob", a.symbol_min_log_prob),
                                 ("beam_threshold", a.beam_threshold)) if v is not None}
    # Lexicon OOV penalties to search (None = the model's; "inf" = lexicon words only).
    oovs = [float(x) for x in a.oov_penalties.split(",")] if a.oov_penalties else [None]
    if a.oov_penalties and (a.engine != "cpp" or lexicons != ["lm"]):
        raise SystemExit("tune: --oov-penalties needs --engine cpp and --lexicons lm")
    if (pruning or a.max_time_ratio is not None) and a.engine != "cpp":
        raise SystemExit("tune: --symbol-min-log-prob / --beam-threshold / --max-time-ratio "
                         "need --engine cpp")
    tmp = tempfile.TemporaryDirectory()
    if a.engine == "cpp":
        paths = [fs.items[i]["path"] for i in range(n)]

        def run(lex, **settings):  # `a` with these settings; `a` itself is not changed
            ns = argparse.Namespace(**{**vars(a), **settings})
            return [o["transcript"] for o in cpp_run(ns, paths, lexicon_args(lex, a.lm, tmp.name))]

        def decode(beam, lex, w, b, oov=None):
            return run(lex, beam=beam, lm_weight=w, word_bonus=b, oov_penalty=oov)

        def decode_entry(g):  # one thread, for the decode-time bound
            oov = g.get("oov_penalty", "model")  # absent: the model file's; None: +inf
            run(g["lexicon"], threads=1, beam=g["beam"], lm_weight=g["lm_weight"],
                word_bonus=g["word_insertion_bonus"],
                symbol_min_log_prob=g.get("symbol_min_log_prob"),
                beam_threshold=g.get("beam_threshold"),
                oov_penalty=None if oov == "model" else math.inf if oov is None else oov)
    else:
        lm = kneser_ney.ArpaModel.read(a.lm)
        net, meta, mean, std = net_from_model_file(a.model)
        rows = [fs.clean_row[i] for i in range(n)]
        logps = run_network(net, fs, rows, mean, std, meta["layers"])

        def decode(beam, lex, w, b, oov=None):
            fusion = LmFusion(lm, w, b)
            return [prefix_beam_search(lp, beam, fusion) for lp in logps]
    grid = []
    with tmp:
        for beam in beams:
            for lex in lexicons:
                for w, b, oov in [(float(w), float(b), oov)
                                  for w in a.lm_weights.split(",")
                                  for b in a.word_bonuses.split(",") for oov in oovs]:
                    hyps = decode(beam, lex, w, b, oov)
                    grid.append({"beam": beam, "lexicon": lex, "lm_weight": w,
                                 "word_insertion_bonus": b, **pruning,
                                 # searched: a number, or None for lexicon words only
                                 **({} if oov is None else
                                    {"oov_penalty": None if math.isinf(oov) else oov}),
                                 "wer": metrics.wer(refs, hyps), "cer": metrics.cer(refs, hyps)})
                    log(f"tune [{a.engine}]: beam {beam} lexicon {lex} lm_weight {w} bonus {b}"
                        f"{'' if oov is None else f' oov_penalty {oov}'}: "
                        f"WER {grid[-1]['wer'] * 100:.2f}% CER {grid[-1]['cer'] * 100:.2f}%")
        best = min(grid, key=lambda g: (g["wer"], g["cer"]))
        out = {"beam": best["beam"], "engine": a.engine, "utterances": n, "grid": grid,
               "best": best}
        if a.max_time_ratio is not None:
            from . import timing
            baseline = timing.parse_baseline(a.time_baseline)
            best, timings = timing.bounded_best(
                grid, lambda g: timing.cpu_seconds(lambda: decode_entry(g)), baseline,
                a.max_time_ratio)
            out["time_bound"] = {"max_ratio": a.max_time_ratio, "baseline": baseline,
                                 "timings": timings}
            if best is None:
                raise SystemExit(f"tune: no beam decodes within {a.max_time_ratio}x the "
                                 f"baseline's time ({a.time_baseline}); timings: "
                                 f"{[(t['beam'], round(t['ratio'], 3)) for t in timings]}")
            out["best"], out["beam"] = best, best["beam"]
    with open(os.path.join(a.cache, "tune.json"), "w") as fh:
        json.dump(out, fh, indent=1)
    log(f"tune: best {best}")
    return out


def augmented_copies(cache: str, paths: list, copies: int, folder: str) -> list:
    """`copies` augmented versions of each of `paths` (float WAV in `folder`; copy k of path i
    at index copies * i + k), with the augmentation the cache's training copies got
    (prepare_info.json: config, babble voices, seed) but seed + 1000, so they are draws
    the training copies never had. Order: path by path, copy by copy."""
    from .data import augmentation_sources, build_augmenter
    with open(os.path.join(cache, "prepare_info.json")) as fh:
        info = json.load(fh)
    with open(os.path.join(cache, "lists.json")) as fh:
        train_items = json.load(fh)["train"]
    noise_paths, voice_paths = augmentation_sources(train_items, info["seed"],
                                                    info["babble_voices"])
    aug = build_augmenter(info["augmentation"], info["seed"] + 1000, noise_paths, voice_paths)
    return _write_float_copies(paths, folder, lambda i, x: [aug.augment(x, i, epoch=k)[0]
                                                            for k in range(copies)])


def cmd_calibrate(a) -> dict:
    """Fits the word-confidence calibration (Platt scaling of the raw confidence's logit)
    on the validation set (never a test set) through the C++ engine and writes
    cache/calibration.json, which `export` puts in the model file's decoder metadata.
    A model that already carries a calibration is inverted back to raw confidences."""
    from ..common import export as export_lib
    _, meta, _ = export_lib.read_model(a.model)
    old = meta.get("decoder", {}).get("confidence_calibration", {"scale": 1.0, "bias": 0.0})
    fs = FeatureSet(a.cache, SET_VALID)
    n = min(a.limit, len(fs.items)) if a.limit else len(fs.items)
    items = fs.items[:n]
    refs = [it["text"] for it in items]
    outs = cpp_run(a, [it["path"] for it in items])
    copies = getattr(a, "augmented", 0)
    if copies:
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            paths = augmented_copies(a.cache, [it["path"] for it in items], copies, tmp)
            outs += cpp_run(a, paths)
        refs = refs + [r for r in refs for _ in range(copies)]
    conf, ok = word_confidences(refs, outs)
    c = np.clip(conf, 1e-6, 1 - 1e-6)
    raw = 1.0 / (1.0 + np.exp(-((np.log(c / (1 - c)) - old["bias"]) / old["scale"])))
    scale, bias = metrics.fit_platt(raw, ok)
    out = {"scale": scale, "bias": bias, "words": int(conf.size), "utterances": n,
           "accuracy": float(ok.mean()) if ok.size else 0.0,
           "ece_raw": metrics.expected_calibration_error(raw, ok),
           "ece_calibrated": metrics.expected_calibration_error(
               metrics.calibrate(raw, scale, bias), ok),
           "fitted_on": "validation set through the C++ engine" + (
               f", clean + {copies} augmented copies per utterance" if copies else "")}
    with open(os.path.join(a.cache, "calibration.json"), "w") as fh:
        json.dump(out, fh, indent=1)
    log(f"calibrate: {out}")
    return out
