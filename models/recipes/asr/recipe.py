"""The auris speech-recognition recipe (issue #7): CNN + LSTM + CTC over characters.

    P=/usr/bin/python3; R="-m models.recipes.asr.recipe"
    $P $R prepare --workers 2      # lists + log-mel cache (+ K augmented copies), CMVN
    $P $R lm                       # word 3-gram ARPA (modified Kneser-Ney), training text only
    $P $R train --threads 2        # resumable: rerun with --resume; --max-minutes to stop
    $P $R export                   # best checkpoint -> models/asr/asr.safetensors (+ golden)
    $P $R tune                     # lm_weight / word bonus on validation; then export again
    $P $R eval --engine torch      # WER/CER per test set (PyTorch stop-gap; cpp = the engine)

Run from the repository root. Features, lists and the LM live in models/recipes/asr/cache/
and checkpoints in models/recipes/asr/checkpoints/ (both git-ignored). See docs/recipes.md
("ASR recipe") and models/asr/MODEL_CARD.md.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import time
from fractions import Fraction

import numpy as np

from ..common import augment, export, frontend, metrics, readers, synth
from ..common import kneser_ney
from ..common import netspec
from ..common import text as textnorm
from ..common import trainer as trainer_lib

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = readers.REPO_ROOT
DEFAULT_CACHE = os.path.join(RECIPE_DIR, "cache")
DEFAULT_CKPT = os.path.join(RECIPE_DIR, "checkpoints")
DEFAULT_SYNTH = os.path.join(REPO_ROOT, ".cache", "synth-s0")
DEFAULT_MODEL = os.path.join(REPO_ROOT, "models", "asr", "asr.safetensors")
DEFAULT_GOLDEN = os.path.join(REPO_ROOT, "tests", "models", "golden")

# CTC output symbols: index 0 is the blank (nn/ctc_*.h default `blank = 0`), then the
# text.ALPHABET characters; " " is the word separator of nn/word_lm_scorer.h.
VOCAB = ["<blank>"] + list("abcdefghijklmnopqrstuvwxyz") + ["'", " "]
BLANK = 0
SYMBOL_ID = {c: i for i, c in enumerate(VOCAB) if i != BLANK}
assert "".join(VOCAB[1:]) == textnorm.ALPHABET

# Real noise clips kept out of training (unseen noise for evaluation).
EXCLUDED_NOISES = ("exercise_bike", "speechbrain_noise1")
SETS_TRAIN = "train"
SET_VALID = "valid"
TEST_SETS = ("test_synth_speaker", "test_synth_text", "test_fsdd_heldout",
             "test_pocketsphinx")
MAX_PARAMS = 4_000_000
MAX_GFLOP_PER_S = 0.15
INPUT_FRAMES_PER_S = 100


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# =========================================================================== model
def model_spec(conv_channels: int = 256, lstm_hidden: int = 320, lstm_layers: int = 3,
               n_mels: int = frontend.N_MELS, vocab_size: int = len(VOCAB)) -> list:
    """The network as a netspec layer list (log_softmax is appended at export)."""
    return [
        {"type": "conv1d", "name": "conv1", "in_channels": n_mels,
         "out_channels": conv_channels, "kernel_size": 3, "stride": 2, "causal": True},
        {"type": "batchnorm", "name": "bn1", "num_features": conv_channels},
        {"type": "relu", "name": "relu1"},
        {"type": "conv1d", "name": "conv2", "in_channels": conv_channels,
         "out_channels": conv_channels, "kernel_size": 3, "stride": 2, "causal": True},
        {"type": "batchnorm", "name": "bn2", "num_features": conv_channels},
        {"type": "relu", "name": "relu2"},
        {"type": "lstm", "name": "lstm", "input_size": conv_channels,
         "hidden_size": lstm_hidden, "num_layers": lstm_layers},
        {"type": "linear", "name": "head", "in_features": lstm_hidden,
         "out_features": vocab_size},
    ]


def export_spec(spec: list) -> list:
    return [dict(c) for c in spec] + [{"type": "log_softmax", "name": "log_softmax"}]


def compute_budget(spec: list) -> dict:
    """Parameters (from the layer list) and GFLOP per audio second (2 x MACs x 100)."""
    import torch  # noqa: F401  (netspec's torch part)
    net = netspec.SpecNet(spec)
    params = netspec.count_parameters(net)
    gflop = 2 * netspec.macs_per_frame(spec) * INPUT_FRAMES_PER_S / 1e9
    return {"parameters": int(params), "gflop_per_audio_second": round(gflop, 4),
            "subsampling": netspec.subsampling(spec),
            "receptive_field_frames": netspec.receptive_field(spec)}


def output_frames(spec: list, t: int) -> int:
    """Output frames for t input frames (causal convs: ceil(t / stride) each)."""
    for c in spec:
        if c["type"] == "conv1d":
            s = c.get("stride", 1)
            t = -(-t // s) if c.get("causal", True) else \
                (t + 2 * c.get("padding", 0) - c.get("dilation", 1) *
                 (c["kernel_size"] - 1) - 1) // s + 1
        elif c["type"] in ("max_pool", "avg_pool"):
            t //= c["kernel_size"]
    return t


def encode(text: str) -> list[int]:
    return [SYMBOL_ID[c] for c in text]


def ctc_min_frames(ids: list[int]) -> int:
    """Frames CTC needs for a label sequence: its length plus one per repeated pair."""
    return len(ids) + sum(1 for a, b in zip(ids, ids[1:]) if a == b)


# =========================================================================== data lists
def load_audio(path: str, sample_rate: int = frontend.SAMPLE_RATE) -> np.ndarray:
    """Mono float32 at `sample_rate` (channels averaged, polyphase resampling)."""
    import soundfile as sf
    from scipy import signal
    x, sr = sf.read(path, dtype="float32", always_2d=True)
    x = x.mean(axis=1)
    if sr != sample_rate:
        fr = Fraction(sample_rate, sr)
        x = signal.resample_poly(x, fr.numerator, fr.denominator).astype(np.float32)
    return x


def _item(u, corpus: str, uid: str) -> dict:
    return {"id": uid, "path": u.path, "text": u.text, "speaker": u.speaker,
            "corpus": corpus}


def build_lists(synth_dir: str | None, use_fsdd: bool = True, use_asterisk: bool = True,
                use_pocketsphinx: bool = True, num_valid: int = 300, seed: int = 0) -> dict:
    """{set name: [item dict]} for train, valid and the test sets (see module doc)."""
    sets = {name: [] for name in (SETS_TRAIN, SET_VALID) + TEST_SETS}
    if synth_dir:
        manifest = os.path.join(synth_dir, "manifest.tsv")
        if not os.path.exists(manifest):
            raise SystemExit(f"{manifest} not found: run models.recipes.common.synth first "
                             f"(or pass --synth '' to train without synthetic speech)")
        test_text = []
        for n, u in enumerate(readers.read_tsv(manifest)):
            split = u.extra.get("split")
            it = _item(u, "synth", f"synth-{n}")
            it["voice"] = u.extra.get("engine", "") + ":" + u.extra.get("voice", "")
            if split == "train":
                sets[SETS_TRAIN].append(it)
            elif split == "test_speaker":
                sets["test_synth_speaker"].append(it)
            elif split == "test_text":
                test_text.append(it)
        # Validation: a seeded sample of held-out sentences in training voices; the rest of
        # test_text is a test set. Never test_speaker (that is the final held-out test).
        order = list(range(len(test_text)))
        random.Random(f"valid:{seed}").shuffle(order)
        pick = set(order[:num_valid])
        sets[SET_VALID] = [x for i, x in enumerate(test_text) if i in pick]
        sets["test_synth_text"] = [x for i, x in enumerate(test_text) if i not in pick]
    if use_fsdd and os.path.isdir(readers.shared_data_root()):
        for u in readers.read_fsdd():
            uid = f"fsdd-{u.speaker[5:]}-{u.extra['digit']}-{u.extra['take']}"
            target = "test_fsdd_heldout" if readers.is_heldout_speaker(u.speaker) \
                else SETS_TRAIN
            sets[target].append(_item(u, "fsdd", uid))
    if use_asterisk:
        for u in readers.read_asterisk():
            sets[SETS_TRAIN].append(_item(u, "asterisk", "asterisk-" +
                                          u.extra["name"].replace("/", "-")))
    if use_pocketsphinx:
        for u in readers.read_pocketsphinx_testdata():
            sets["test_pocketsphinx"].append(_item(u, "pocketsphinx",
                                                   f"{u.speaker}-{u.extra['id']}"))
    for items in sets.values():
        for it in items:
            bad = set(it["text"]) - set(textnorm.ALPHABET)
            if bad:
                raise ValueError(f"{it['id']}: characters outside the alphabet: {bad}")
    return sets


# =========================================================================== prepare
_WORKER = {}


def _worker_init(aug_config, aug_seed, noise_paths, voice_paths):
    noises = augment.load_noises(noise_paths) if noise_paths else []
    voices = [load_audio(p) for p in voice_paths]
    _WORKER["aug"] = augment.Augmenter(aug_config, aug_seed, noises, voices)


def _featurize(job):
    """(index, path, copies) -> [(float16 (T, 80) log-mel, seconds)] for the clean audio
    and `copies` augmented versions (augmentation seeded by (seed, copy, index))."""
    index, path, copies = job
    wave = load_audio(path)
    out = [(frontend.log_mel(wave).astype(np.float16), len(wave) / frontend.SAMPLE_RATE)]
    for c in range(1, copies + 1):
        y, _ = _WORKER["aug"].augment(wave, index, epoch=c)
        out.append((frontend.log_mel(y).astype(np.float16), len(y) / frontend.SAMPLE_RATE))
    return out


def augment_config() -> dict:
    """The waveform augmentation of the training copies (augment.DEFAULT_CONFIG, all
    noise kinds: real noise, white/pink/brown/blue, babble of training voices)."""
    cfg = json.loads(json.dumps(augment.DEFAULT_CONFIG))
    cfg["reverb"]["backend"] = "sox"
    return cfg


def featurize_set(name: str, items: list, cache: str, copies: int, workers: int,
                  aug_seed: int, noise_paths, voice_paths, force: bool = False) -> dict:
    """Writes cache/<name>.f16 (all rows' (T, 80) float16 features back to back) and
    cache/<name>.json (items, rows [item, copy, frame offset, frames], hours)."""
    meta_path = os.path.join(cache, f"{name}.json")
    data_path = os.path.join(cache, f"{name}.f16")
    if not force and os.path.exists(meta_path) and os.path.exists(data_path):
        with open(meta_path) as fh:
            meta = json.load(fh)
        if meta.get("copies") == copies and [x["id"] for x in meta["items"]] == \
                [x["id"] for x in items]:
            log(f"prepare: {name}: cached ({len(items)} utterances), skipping")
            return meta
    t0 = time.time()
    jobs = [(i, it["path"], copies) for i, it in enumerate(items)]
    rows, offset = [], 0
    hours_clean = hours_total = 0.0
    s1 = np.zeros(frontend.N_MELS)
    s2 = np.zeros(frontend.N_MELS)
    tmp = data_path + ".tmp"
    last = t0
    init = (augment_config(), aug_seed, noise_paths if copies else [],
            voice_paths if copies else [])
    with open(tmp, "wb") as out:
        if workers > 1:
            pool = multiprocessing.Pool(workers, _worker_init, init)
            results = pool.imap(_featurize, jobs, chunksize=4)
        else:
            pool = None
            _worker_init(*init)
            results = map(_featurize, jobs)
        try:
            for i, res in enumerate(results):
                for c, (feats, secs) in enumerate(res):
                    out.write(np.ascontiguousarray(feats, dtype="<f2").tobytes())
                    rows.append([i, c, offset, int(feats.shape[0])])
                    offset += feats.shape[0]
                    hours_total += secs / 3600
                    if c == 0:
                        hours_clean += secs / 3600
                    f64 = feats.astype(np.float64)
                    s1 += f64.sum(axis=0)
                    s2 += np.square(f64).sum(axis=0)
                now = time.time()
                if now - last > 30:
                    last = now
                    el = now - t0
                    log(f"prepare: {name}: {i + 1}/{len(jobs)} utts, "
                        f"{hours_total:.2f} h of features, {el:.0f} s, "
                        f"ETA {el / (i + 1) * (len(jobs) - i - 1):.0f} s")
        finally:
            if pool is not None:
                pool.close()
                pool.join()
    os.replace(tmp, data_path)
    meta = {"set": name, "items": items, "rows": rows, "copies": copies,
            "num_frames": offset, "feature_dim": frontend.N_MELS, "dtype": "float16",
            "hours_clean": hours_clean, "hours_total": hours_total,
            "wall_seconds": time.time() - t0, "workers": workers,
            "sum": s1.tolist(), "sum_sq": s2.tolist()}
    with open(meta_path + ".tmp", "w") as fh:
        json.dump(meta, fh)
    os.replace(meta_path + ".tmp", meta_path)
    log(f"prepare: {name}: {len(items)} utts, {hours_clean:.3f} h clean, "
        f"{hours_total:.3f} h with copies, {meta['wall_seconds']:.0f} s")
    return meta


def cmd_prepare(a) -> dict:
    t0 = time.time()
    os.makedirs(a.cache, exist_ok=True)
    sets = build_lists(a.synth or None, not a.no_fsdd, not a.no_asterisk,
                       not a.no_pocketsphinx, a.num_valid, a.seed)
    if not sets[SETS_TRAIN]:
        raise SystemExit("prepare: no training data")
    for name, items in sets.items():
        log(f"prepare: {name}: {len(items)} utterances")
    with open(os.path.join(a.cache, "lists.json"), "w") as fh:
        json.dump(sets, fh)
    noise_paths = []
    if os.path.isdir(readers.shared_data_root()):
        noise_paths = [u.path for u in readers.read_noise()
                       if u.extra["name"] not in EXCLUDED_NOISES]
    synth_train = [it for it in sets[SETS_TRAIN] if it["corpus"] == "synth"]
    rng = random.Random(f"babble:{a.seed}")
    voice_paths = [it["path"] for it in rng.sample(synth_train, min(a.babble_voices,
                                                                   len(synth_train)))]
    info = {"sets": {}, "copies": a.copies, "seed": a.seed, "workers": a.workers,
            "noises": [os.path.basename(p) for p in noise_paths],
            "excluded_noises": list(EXCLUDED_NOISES), "babble_voices": len(voice_paths),
            "augmentation": augment_config()}
    for name, items in sets.items():
        if not items:
            continue
        copies = a.copies if name == SETS_TRAIN else 0
        meta = featurize_set(name, items, a.cache, copies, a.workers, a.seed, noise_paths,
                             voice_paths, a.force)
        by_corpus = {}
        for it, r in zip(meta["items"], [r for r in meta["rows"] if r[1] == 0]):
            by_corpus.setdefault(it["corpus"], 0.0)
            by_corpus[it["corpus"]] += r[3] * frontend.FRAME_SHIFT / frontend.SAMPLE_RATE \
                / 3600
        info["sets"][name] = {"utterances": len(items), "hours_clean": meta["hours_clean"],
                              "hours_with_copies": meta["hours_total"],
                              "wall_seconds": meta["wall_seconds"],
                              "hours_by_corpus_approx": by_corpus,
                              "words": sum(len(x["text"].split()) for x in items)}
    # Global CMVN over all training rows (clean + augmented copies).
    with open(os.path.join(a.cache, f"{SETS_TRAIN}.json")) as fh:
        tm = json.load(fh)
    n = tm["num_frames"]
    mean = np.array(tm["sum"]) / n
    std = np.sqrt(np.maximum(np.array(tm["sum_sq"]) / n - mean ** 2, 1e-12))
    with open(os.path.join(a.cache, "cmvn.json"), "w") as fh:
        json.dump({"mean": mean.tolist(), "std": std.tolist(), "frames": n}, fh)
    info["wall_seconds"] = time.time() - t0
    with open(os.path.join(a.cache, "prepare_info.json"), "w") as fh:
        json.dump(info, fh, indent=1, sort_keys=True)
    tot = sum(s["hours_with_copies"] for s in info["sets"].values())
    log(f"prepare: done in {info['wall_seconds']:.0f} s; {tot:.2f} h of features; "
        f"train {info['sets'][SETS_TRAIN]['hours_clean']:.2f} h clean")
    return info


# =========================================================================== cache access
class FeatureSet:
    """A prepared set: items, rows [item, copy, offset, frames] and memory-mapped
    float16 features."""

    def __init__(self, cache: str, name: str):
        with open(os.path.join(cache, f"{name}.json")) as fh:
            meta = json.load(fh)
        self.name = name
        self.items = meta["items"]
        self.rows = meta["rows"]
        self.meta = meta
        self.data = np.memmap(os.path.join(cache, f"{name}.f16"), dtype="<f2", mode="r",
                              shape=(max(meta["num_frames"], 1), meta["feature_dim"]))
        self.clean_row = {r[0]: k for k, r in enumerate(self.rows) if r[1] == 0}
        self.rows_of = {}
        for k, r in enumerate(self.rows):
            self.rows_of.setdefault(r[0], []).append(k)

    def features(self, row: int) -> np.ndarray:
        _, _, off, t = self.rows[row]
        return np.asarray(self.data[off:off + t], dtype=np.float32)


def exists(cache: str, name: str) -> bool:
    return os.path.exists(os.path.join(cache, f"{name}.json"))


def load_cmvn(cache: str):
    with open(os.path.join(cache, "cmvn.json")) as fh:
        c = json.load(fh)
    return np.array(c["mean"], np.float32), np.array(c["std"], np.float32)


# =========================================================================== decoding
def greedy_decode(logp: np.ndarray) -> str:
    """Best path: per-frame argmax, collapse repeats, drop blanks (as nn/ctc_greedy.h)."""
    best = np.argmax(logp, axis=1)
    out, prev = [], -1
    for s in best:
        if s != prev and s != BLANK:
            out.append(VOCAB[s])
        prev = s
    return " ".join("".join(out).split())


class LmFusion:
    """Word LM shallow fusion for the Python prefix beam search, mirroring
    nn/word_lm_scorer.h: at each space (and at the end, plus </s>) adds
    lm_weight * ln P(word | history) + word_insertion_bonus."""

    def __init__(self, lm, lm_weight: float, bonus: float):
        self.lm, self.w, self.bonus = lm, lm_weight, bonus
        self.cache = {}

    def word(self, history: tuple, word: str) -> float:
        key = (history[-2:], word)
        s = self.cache.get(key)
        if s is None:
            s = self.w * self.lm.logprob(("<s>",) + history[-2:] if len(history) < 2
                                         else history[-2:], word) + self.bonus
            self.cache[key] = s
        return s

    def final(self, history: tuple) -> float:
        return self.w * self.lm.logprob(("<s>",) + history[-2:] if len(history) < 2
                                        else history[-2:], "</s>")


def _lse(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = max(a, b)
    return m + math.log1p(math.exp(-abs(a - b)))


def prefix_beam_search(logp: np.ndarray, beam: int = 16, fusion: LmFusion | None = None,
                       prune: float = -10.0) -> str:
    """CTC prefix beam search (natural-log (T, V) input) with optional word-LM fusion.
    Symbols more than -prune below the frame's best are skipped. Python stop-gap for
    `eval --engine torch`; the shipped decoder is nn/ctc_prefix_beam_search.h."""
    NEG = -math.inf
    space = SYMBOL_ID[" "]
    # prefix (str) -> [log p ending in blank, log p ending in non-blank, lm score, words]
    beams = {"": [0.0, NEG, 0.0, ()]}
    for t in range(logp.shape[0]):
        row = logp[t]
        cand = np.nonzero(row >= row.max() + prune)[0]
        nxt = {}

        def add(prefix, pb, pnb, lm, words):
            e = nxt.get(prefix)
            if e is None:
                nxt[prefix] = [pb, pnb, lm, words]
            else:
                e[0] = _lse(e[0], pb)
                e[1] = _lse(e[1], pnb)

        for prefix, (pb, pnb, lm, words) in beams.items():
            total = _lse(pb, pnb)
            last = prefix[-1] if prefix else None
            for s in cand:
                lp = float(row[s])
                if s == BLANK:
                    add(prefix, total + lp, NEG, lm, words)
                    continue
                c = VOCAB[s]
                if s == space and (not prefix or last == " "):
                    add(prefix, total + lp, NEG, lm, words)  # no leading/double spaces
                    continue
                if c == last:
                    add(prefix, NEG, pnb + lp, lm, words)  # repeat collapses
                    if pb > NEG:
                        ext = prefix + c
                        add(ext, NEG, pb + lp, lm, words)
                    continue
                ext = prefix + c
                if s == space and fusion is not None:
                    w = prefix.rsplit(" ", 1)[-1]
                    add(ext, NEG, total + lp, lm + fusion.word(words, w), words + (w,))
                elif s == space:
                    add(ext, NEG, total + lp, lm, words + (prefix.rsplit(" ", 1)[-1],))
                else:
                    add(ext, NEG, total + lp, lm, words)
        beams = dict(sorted(nxt.items(), key=lambda kv: -(_lse(kv[1][0], kv[1][1])
                                                         + kv[1][2]))[:beam])
    best, best_score = "", NEG
    for prefix, (pb, pnb, lm, words) in beams.items():
        score = _lse(pb, pnb) + lm
        if fusion is not None:
            if prefix and not prefix.endswith(" "):
                w = prefix.rsplit(" ", 1)[-1]
                score += fusion.word(words, w)
                words = words + (w,)
            score += fusion.final(words)
        if score > best_score:
            best, best_score = prefix, score
    return " ".join(best.split())


# =========================================================================== train
def _pad_batch(feats: list, mean, std):
    import torch
    t = max(f.shape[0] for f in feats)
    x = np.zeros((len(feats), t, feats[0].shape[1]), np.float32)
    for i, f in enumerate(feats):
        x[i, :f.shape[0]] = (f - mean) / std
    return torch.from_numpy(x)


def run_network(net, fs: FeatureSet, item_rows: list, mean, std, spec,
                batch_frames: int = 20000) -> list:
    """Log-probabilities (numpy (T', V)) per row, batched by length (eval mode)."""
    import torch
    order = sorted(range(len(item_rows)), key=lambda k: fs.rows[item_rows[k]][3])
    out = [None] * len(item_rows)
    i = 0
    with torch.no_grad():
        while i < len(order):
            j = i + 1
            while j < len(order) and (j - i + 1) * fs.rows[item_rows[order[j]]][3] \
                    <= batch_frames and j - i < 64:
                j += 1
            idx = order[i:j]
            feats = [fs.features(item_rows[k]) for k in idx]
            y = torch.log_softmax(net(_pad_batch(feats, mean, std)), dim=-1).numpy()
            for n, k in enumerate(idx):
                out[k] = y[n, :output_frames(spec, feats[n].shape[0])]
            i = j
    return out


def cmd_train(a) -> dict:
    import torch
    import torch.nn.functional as F
    trainer_lib.set_threads(a.threads)
    torch.manual_seed(a.seed)
    spec = model_spec(a.conv_channels, a.lstm_hidden, a.lstm_layers)
    budget = compute_budget(spec)
    log(f"train: model {budget['parameters'] / 1e6:.3f} M parameters, "
        f"{budget['gflop_per_audio_second']:.4f} GFLOP per audio second, subsampling "
        f"{budget['subsampling']}, receptive field {budget['receptive_field_frames']} frames")
    if budget["parameters"] > MAX_PARAMS or budget["gflop_per_audio_second"] > MAX_GFLOP_PER_S:
        raise SystemExit(f"train: over budget ({MAX_PARAMS} parameters, "
                         f"{MAX_GFLOP_PER_S} GFLOP/s): shrink --lstm-hidden")
    train = FeatureSet(a.cache, SETS_TRAIN)
    valid = FeatureSet(a.cache, SET_VALID) if exists(a.cache, SET_VALID) else None
    mean, std = load_cmvn(a.cache)
    labels = [encode(it["text"]) for it in train.items]
    # Utterances CTC cannot align (too many symbols for the frames) or too long are dropped.
    usable = []
    for i in range(len(train.items)):
        rows = train.rows_of[i]
        if not labels[i] or max(train.rows[r][3] for r in rows) > a.max_frames:
            continue
        if all(output_frames(spec, train.rows[r][3]) >= ctc_min_frames(labels[i])
               for r in rows):
            usable.append(i)
    log(f"train: {len(usable)}/{len(train.items)} training utterances usable, "
        f"{train.meta['copies']} augmented copies each; validation "
        f"{len(valid.items) if valid else 0} utterances")
    augmenter = augment.Augmenter({"specaugment": augment.DEFAULT_CONFIG["specaugment"]},
                                  base_seed=a.seed)

    def batches(epoch: int) -> list:
        rng = random.Random(f"batches:{a.seed}:{epoch}")
        rows = []
        for i in usable:
            rs = train.rows_of[i]
            r = rs[rng.randrange(len(rs))]  # clean or one of the augmented copies
            rows.append((train.rows[r][3] * (1.0 if epoch == 0 else rng.uniform(0.85, 1.15)),
                         r))
        rows.sort()
        out, cur, cur_max = [], [], 0
        for length, r in rows:
            t = train.rows[r][3]
            if cur and (max(cur_max, t) * (len(cur) + 1) > a.batch_frames
                        or len(cur) >= a.max_batch):
                out.append(cur)
                cur, cur_max = [], 0
            cur.append(r)
            cur_max = max(cur_max, t)
        if cur:
            out.append(cur)
        if epoch > 0:  # sortagrad: epoch 0 shortest first, then bucketed random order
            out = [out[k] for k in trainer_lib.epoch_order(len(out), a.seed, epoch)]
        return [(epoch, tuple(b)) for b in out]

    net = netspec.SpecNet(spec, dropout=a.dropout)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, betas=(0.9, 0.98),
                            weight_decay=a.weight_decay)
    steps_per_epoch = len(batches(0))
    lr_fn = trainer_lib.warmup_cosine(a.lr, a.warmup, a.epochs * steps_per_epoch)
    tr = trainer_lib.Trainer(net, opt, lr_fn, a.ckpt_dir, seed=a.seed,
                             checkpoint_minutes=a.checkpoint_minutes, grad_clip=a.grad_clip,
                             monitor="cer", monitor_mode="min", log=sys.stderr)
    tr.extra = {"spec": spec, "vocab": VOCAB, "cmvn_mean": mean.tolist(),
                "cmvn_std": std.tolist(), "budget": budget, "args": vars(a),
                "train_hours_clean": train.meta["hours_clean"],
                "train_hours_with_copies": train.meta["hours_total"]}

    def step(key):
        epoch, rows = key
        feats = []
        for r in rows:
            f = (train.features(r) - mean) / std
            feats.append(augmenter.augment_features(f, r, epoch))
        x = _pad_batch(feats, np.zeros_like(mean), np.ones_like(std))
        in_lens = torch.tensor([output_frames(spec, f.shape[0]) for f in feats])
        tgts = [labels[train.rows[r][0]] for r in rows]
        tgt_lens = torch.tensor([len(t) for t in tgts])
        target = torch.tensor([s for t in tgts for s in t], dtype=torch.long)
        logp = torch.log_softmax(net(x), dim=-1).transpose(0, 1)  # (T', N, V)
        loss = F.ctc_loss(logp, target, in_lens, tgt_lens, blank=BLANK,
                          reduction="mean", zero_infinity=True)
        loss.backward()
        return {"loss": loss.item()}

    def validate() -> dict:
        if valid is None or not valid.items:
            return {}
        rows = [valid.clean_row[i] for i in range(len(valid.items))]
        if a.valid_limit:
            rows = rows[:a.valid_limit]
        logps = run_network(net, valid, rows, mean, std, spec)
        refs = [valid.items[valid.rows[r][0]]["text"] for r in rows]
        hyps = [greedy_decode(lp) for lp in logps]
        return {"cer": metrics.cer(refs, hyps), "wer": metrics.wer(refs, hyps)}

    log(f"train: {steps_per_epoch} steps per epoch, {a.epochs} epochs, peak lr {a.lr}, "
        f"warm-up {a.warmup} steps, {a.threads} thread(s)")
    t0 = time.time()
    result = tr.fit(batches, step, a.epochs, validate=validate, resume=a.resume,
                    max_minutes=a.max_minutes, log_every_seconds=a.log_every)
    result["run_seconds"] = time.time() - t0
    result["history"] = tr.history
    log(f"train: {json.dumps({k: v for k, v in result.items() if k != 'history'})}")
    return result


# =========================================================================== export
def load_checkpoint_net(path: str):
    import torch
    state = torch.load(path, map_location="cpu")
    extra = state["extra"]
    net = netspec.SpecNet(extra["spec"])
    net.load_state_dict(state["model"])
    net.eval()
    return net, state


def net_from_model_file(path: str):
    """(SpecNet in float32 with the file's (float16) weights, metadata, cmvn mean, std)."""
    import torch
    tensors, meta, _ = export.read_model(path)
    net = netspec.SpecNet(meta["layers"])
    for c in meta["layers"]:
        module = net.layers[c["name"]]
        inner = {"conv1d": lambda m: m.conv, "batchnorm": lambda m: m.bn,
                 "lstm": lambda m: m.lstm}.get(c["type"], lambda m: m)(module)
        want = {k for k in inner.state_dict() if k != "num_batches_tracked"}
        if not want:
            continue
        sd = {k: torch.from_numpy(tensors[f"{c['name']}.{k}"].astype(np.float32))
              for k in want}
        missing = inner.load_state_dict(sd, strict=False).missing_keys
        if [k for k in missing if k != "num_batches_tracked"]:
            raise ValueError(f"{path}: layer {c['name']}: missing tensors {missing}")
    net.eval()
    return net, meta, tensors["cmvn.mean"].astype(np.float32), \
        tensors["cmvn.std"].astype(np.float32)


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
        "decoder": {"beam": a.beam, "lm_weight": lm_weight,
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
            "global_steps": state["global_step"], "epochs": state["epoch"],
            "training_wall_hours": round(state["wall_seconds"] / 3600, 3),
            "checkpoint": os.path.basename(ckpt)},
        "metrics": {},
        "metrics_note": "held-out metrics pending: to be measured through the C++ engine",
    }
    if best:
        meta["metrics"]["valid_cer_greedy_pytorch"] = round(best["cer"], 4)
        meta["metrics"]["valid_wer_greedy_pytorch"] = round(best["wer"], 4)
    if a.metrics and os.path.exists(a.metrics):
        with open(a.metrics) as fh:
            meta["metrics"].update({k: v for k, v in json.load(fh).items()
                                    if isinstance(v, (int, float))})
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


# =========================================================================== lm
def data_lists(cache: str, synth_dir: str | None = DEFAULT_SYNTH) -> dict:
    """The lists `prepare` wrote (cache/lists.json), else built afresh with prepare's
    defaults (so `lm` can run while `prepare` is still featurising)."""
    path = os.path.join(cache, "lists.json")
    if os.path.exists(path):
        with open(path) as fh:
            return json.load(fh)
    log(f"lm: no {path}: building the lists with prepare's defaults")
    return build_lists(synth_dir or None)


def training_text(lists: dict, with_cmudict_words: bool = False, numbers: int = 20000,
                  seed: int = 0, pool: synth.TextPool | None = None) -> list[str]:
    """Training sentences only: transcripts of the training list (synth train, FSDD
    non-held-out, Asterisk) + the text pool's non-held-out sentences + generated
    non-held-out number strings (+ optionally the non-held-out CMUdict words). Never a
    held-out sentence (synth.is_heldout_text) nor a validation/test transcript."""
    out = [it["text"] for it in lists[SETS_TRAIN]]
    pool = pool or synth.TextPool()
    for name in sorted(pool.split):
        out += pool.split[name][0]
    rng = random.Random(f"lm-numbers:{seed}")
    made = 0
    while made < numbers:
        t = synth.number_text(rng)
        if not synth.is_heldout_text(t):
            out.append(t)
            made += 1
    if with_cmudict_words:
        out += pool.word_split[0]
    # Held-out sentences never go in: the pool's split and synth's train split already
    # exclude them; also drop any exact transcript of the validation and test sets
    # (FSDD's held-out set is excepted: it is held out by speaker, its digits are also
    # training transcripts of the other speakers).
    heldout = {it["text"] for name in (SET_VALID,) + TEST_SETS
               if name != "test_fsdd_heldout" for it in lists.get(name, [])}
    return [t for t in out if t and t not in heldout]


def cmd_lm(a) -> dict:
    t0 = time.time()
    lists = data_lists(a.cache, a.synth)
    sents = training_text(lists, a.with_cmudict_words, a.numbers, a.seed)
    log(f"lm: {len(sents)} training sentences, "
        f"{sum(len(s.split()) for s in sents)} words")
    lm = kneser_ney.KneserNey(a.order).fit(sents)
    model, mins = lm.fit_to_size(int(a.max_mb * 1e6), log=log)
    out = os.path.join(a.cache, "lm.arpa")
    size = model.write(out)
    info = {"path": out, "bytes": size, "order": a.order, "min_counts": mins,
            "ngrams": [len(model.ngrams[n]) for n in range(1, a.order + 1)],
            "sentences": len(sents), "discounts": lm.discount[1:],
            "wall_seconds": time.time() - t0}
    for name in (SET_VALID,) + TEST_SETS:
        if lists.get(name):
            info[name] = model.perplexity([it["text"] for it in lists[name]])
    with open(os.path.join(a.cache, "lm_info.json"), "w") as fh:
        json.dump(info, fh, indent=1)
    log(f"lm: {json.dumps(info)}")
    return info


# =========================================================================== eval
def cpp_transcripts(a, items: list) -> list[str]:
    """Hypotheses from the C++ engine: runs `<cpp-bin> --model M [--lm L] --wav-list F`,
    which must print one line "<wav path>\\t<transcript>" per input."""
    binary = a.cpp_bin
    if not binary or not (os.path.exists(binary) or shutil.which(binary)):
        raise SystemExit(f"eval --engine cpp: C++ transcriber {binary!r} not found. It is "
                         f"not built yet (issue #7 needs the engine's offline transcriber); "
                         f"use --engine torch for the PyTorch stop-gap figures.")
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(it["path"] for it in items) + "\n")
        lst = fh.name
    try:
        cmd = [binary, "--model", a.model, "--wav-list", lst]
        if a.lm and os.path.exists(a.lm):
            cmd += ["--lm", a.lm]
        res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    finally:
        os.remove(lst)
    got = {}
    for line in res.stdout.splitlines():
        if "\t" in line:
            p, t = line.split("\t", 1)
            got[p] = textnorm.normalize(t)
    return [got.get(it["path"], "") for it in items]


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


def cmd_eval(a) -> dict:
    trainer_lib.set_threads(a.threads)
    results = {"engine": a.engine, "model": a.model,
               "note": "PyTorch, not the C++ engine" if a.engine == "torch" else "C++ engine"}
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
    sets = a.sets.split(",") if a.sets else list(TEST_SETS)
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
            hyp_sets = {"engine": cpp_transcripts(a, items)}
        for kind, hyps in hyp_sets.items():
            we = metrics.word_errors(refs, hyps)
            ce = metrics.char_errors(refs, hyps)
            res[kind] = {"wer": we.rate, "cer": ce.rate, "substitutions": we.substitutions,
                         "deletions": we.deletions, "insertions": we.insertions}
        res["seconds"] = time.time() - t0
        res["examples"] = [{"ref": r, **{k: h[i] for k, h in hyp_sets.items()}}
                           for i, r in enumerate(refs[:3])]
        results[name] = res
        log(f"eval [{results['note']}] {name}: {n} utts, {res['words']} words: " + "; ".join(
            f"{k} WER {res[k]['wer'] * 100:.2f}% CER {res[k]['cer'] * 100:.2f}%"
            for k in hyp_sets))
    if a.engine == "torch" and a.stream_minutes > 0 and exists(a.cache, a.stream_set):
        fusion = LmFusion(lm, lm_weight, bonus) if lm else None
        results["stream"] = stream_eval(net, meta, mean, std, FeatureSet(a.cache, a.stream_set),
                                        a.stream_minutes, beam, fusion)
    out = a.out or os.path.join(a.cache, f"eval_{a.engine}.json")
    with open(out, "w") as fh:
        json.dump(results, fh, indent=1)
    return results


def cmd_tune(a) -> dict:
    """Grid search of lm_weight x word_insertion_bonus for beam search + LM on the
    validation set (never a test set); writes cache/tune.json, which `export` uses for
    the decoder defaults unless --lm-weight / --word-bonus are given."""
    trainer_lib.set_threads(a.threads)
    lm = kneser_ney.ArpaModel.read(a.lm)
    net, meta, mean, std = net_from_model_file(a.model)
    fs = FeatureSet(a.cache, SET_VALID)
    n = min(a.limit, len(fs.items)) if a.limit else len(fs.items)
    rows = [fs.clean_row[i] for i in range(n)]
    refs = [fs.items[i]["text"] for i in range(n)]
    logps = run_network(net, fs, rows, mean, std, meta["layers"])
    grid = []
    for w in [float(x) for x in a.lm_weights.split(",")]:
        for b in [float(x) for x in a.word_bonuses.split(",")]:
            fusion = LmFusion(lm, w, b)
            hyps = [prefix_beam_search(lp, a.beam, fusion) for lp in logps]
            grid.append({"lm_weight": w, "word_insertion_bonus": b,
                         "wer": metrics.wer(refs, hyps), "cer": metrics.cer(refs, hyps)})
            log(f"tune [PyTorch]: lm_weight {w} bonus {b}: WER {grid[-1]['wer'] * 100:.2f}% "
                f"CER {grid[-1]['cer'] * 100:.2f}%")
    best = min(grid, key=lambda g: (g["wer"], g["cer"]))
    out = {"beam": a.beam, "utterances": n, "grid": grid, "best": best}
    with open(os.path.join(a.cache, "tune.json"), "w") as fh:
        json.dump(out, fh, indent=1)
    log(f"tune: best {best}")
    return out


# =========================================================================== CLI
def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p):
        p.add_argument("--cache", default=DEFAULT_CACHE, help="feature/list/LM cache folder")
        p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("prepare", help="data lists + cached log-mel features + CMVN")
    common(p)
    p.add_argument("--synth", default=DEFAULT_SYNTH,
                   help="synth.py output folder with manifest.tsv ('' for none)")
    p.add_argument("--copies", type=int, default=2, help="augmented copies per training utt")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--num-valid", type=int, default=300)
    p.add_argument("--babble-voices", type=int, default=200)
    p.add_argument("--no-fsdd", action="store_true")
    p.add_argument("--no-asterisk", action="store_true")
    p.add_argument("--no-pocketsphinx", action="store_true")
    p.add_argument("--force", action="store_true", help="recompute cached sets")

    p = sub.add_parser("lm", help="word n-gram ARPA LM from the training text")
    common(p)
    p.add_argument("--order", type=int, default=3)
    p.add_argument("--max-mb", type=float, default=5.0)
    p.add_argument("--numbers", type=int, default=20000,
                   help="generated (non-held-out) number strings to add")
    p.add_argument("--with-cmudict-words", action="store_true",
                   help="add the non-held-out CMUdict words as one-word sentences")
    p.add_argument("--synth", default=DEFAULT_SYNTH,
                   help="synth folder, used only when cache/lists.json is missing")

    p = sub.add_parser("train", help="train (resumable)")
    common(p)
    p.add_argument("--ckpt-dir", default=DEFAULT_CKPT)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--max-minutes", type=float, default=None)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--warmup", type=int, default=400)
    p.add_argument("--weight-decay", type=float, default=1e-2)
    p.add_argument("--grad-clip", type=float, default=5.0)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--batch-frames", type=int, default=6000,
                   help="padded input frames per batch (100 per second)")
    p.add_argument("--max-batch", type=int, default=48)
    p.add_argument("--max-frames", type=int, default=3000, help="drop longer utterances")
    p.add_argument("--conv-channels", type=int, default=256)
    p.add_argument("--lstm-hidden", type=int, default=320)
    p.add_argument("--lstm-layers", type=int, default=3)
    p.add_argument("--checkpoint-minutes", type=float, default=10.0)
    p.add_argument("--valid-limit", type=int, default=0, help="validate on the first N only")
    p.add_argument("--log-every", type=float, default=30.0, help="seconds between logs")

    p = sub.add_parser("export", help="checkpoint -> model file + golden parity files")
    common(p)
    p.add_argument("--ckpt-dir", default=DEFAULT_CKPT)
    p.add_argument("--checkpoint", choices=("best", "last"), default="best")
    p.add_argument("--out", default=DEFAULT_MODEL)
    p.add_argument("--lm-out", default=os.path.join(os.path.dirname(DEFAULT_MODEL),
                                                    "asr.arpa"),
                   help="copy cache/lm.arpa here ('' to skip)")
    p.add_argument("--golden-dir", default=DEFAULT_GOLDEN, help="'' to skip golden files")
    p.add_argument("--beam", type=int, default=16)
    p.add_argument("--lm-weight", type=float, default=None,
                   help="default: cache/tune.json's best, else 0.5")
    p.add_argument("--word-bonus", type=float, default=None,
                   help="default: cache/tune.json's best, else 1.0")
    p.add_argument("--metrics", default="", help="JSON of numeric held-out metrics to embed")

    p = sub.add_parser("tune", help="lm_weight / word bonus grid on the validation set")
    common(p)
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--lm", default=os.path.join(DEFAULT_CACHE, "lm.arpa"))
    p.add_argument("--beam", type=int, default=16)
    p.add_argument("--lm-weights", default="0.2,0.4,0.6,0.8,1.0")
    p.add_argument("--word-bonuses", default="0,0.5,1,2")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)

    p = sub.add_parser("eval", help="WER/CER per test set")
    common(p)
    p.add_argument("--engine", choices=("torch", "cpp"), default="torch")
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--lm", default=os.path.join(DEFAULT_CACHE, "lm.arpa"))
    p.add_argument("--no-lm", action="store_true")
    p.add_argument("--cpp-bin", default=os.path.join(REPO_ROOT, "build", "bin",
                                                     "auris_transcribe"),
                   help="C++ transcriber (prints '<wav>\\t<text>' per line)")
    p.add_argument("--sets", default="", help="comma-separated (default: all test sets)")
    p.add_argument("--limit", type=int, default=0, help="first N utterances per set")
    p.add_argument("--beam", type=int, default=0)
    p.add_argument("--lm-weight", type=float, default=None)
    p.add_argument("--word-bonus", type=float, default=None)
    p.add_argument("--greedy-only", action="store_true")
    p.add_argument("--stream-minutes", type=float, default=5.0,
                   help="streaming-drift check length (0 to skip)")
    p.add_argument("--stream-set", default="test_synth_speaker")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default="")
    return ap


def main(argv=None):
    a = parser().parse_args(argv)
    return {"prepare": cmd_prepare, "lm": cmd_lm, "train": cmd_train, "export": cmd_export,
            "tune": cmd_tune, "eval": cmd_eval}[a.cmd](a)


if __name__ == "__main__":
    main()
