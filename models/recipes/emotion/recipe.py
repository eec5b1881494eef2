"""Emotion recipe (issue #8): arousal/valence from the raw 16 kHz waveform.

    /usr/bin/python3 -m models.recipes.emotion.recipe prepare
    /usr/bin/python3 -m models.recipes.emotion.recipe train --threads 1 --max-minutes 45
    /usr/bin/python3 -m models.recipes.emotion.recipe train --corpus ravdess --max-minutes 12
    /usr/bin/python3 -m models.recipes.emotion.recipe eval       # prints JSON, writes eval.json
    /usr/bin/python3 -m models.recipes.emotion.recipe export     # model file + golden I/O

Model contract (the C++ EmotionPipeline implements it): front end "waveform_frames" = the
16 kHz waveform cut into non-overlapping 10 ms frames of 160 samples -> (T, 160) -> the
netspec layer list (causal convs, layernorm, max_pool x2 x2, unidirectional LSTM, linear,
tanh) -> (T // 4, 2) = (arousal, valence) in [-1, 1] at 25 Hz. Utterance summary = mean
of the output frames over speech frames. Here (training and eval) the speech frames are
chosen by `speech_mask`, an energy rule on 40 ms blocks (see there); the C++ pipeline uses
its VAD instead.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np

from models.recipes.common import augment, export, metrics, netspec, readers, trainer

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = readers.REPO_ROOT
CACHE_DIR = os.path.join(HERE, "cache")
CKPT_DIR = os.path.join(HERE, "checkpoints")
MODEL_PATH = os.path.join(REPO, "models", "emotion", "emotion.safetensors")
EVAL_PATH = os.path.join(REPO, "models", "emotion", "eval.json")
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
STRONG_AROUSAL_SCALE = 1.2       # RAVDESS 'strong' intensity: arousal x 1.2, clipped to [-1, 1]

# Validation speakers for checkpoint selection: TRAINING speakers (never the held-out ones
# of readers.HELDOUT_REAL_SPEAKERS), both sexes (EmoDB 16 f; RAVDESS 17 m, 18 f).
VALIDATION_SPEAKERS = frozenset({"emodb-16", "ravdess-17", "ravdess-18"})


def map_label(emotion: str, intensity: str = "normal") -> tuple[float, float]:
    a, v = CIRCUMPLEX[emotion]
    if intensity == "strong":
        a = float(np.clip(a * STRONG_AROUSAL_SCALE, -1.0, 1.0))
    return a, v


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# =============================================================================== data
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


def speech_mask(wave: np.ndarray, n_out: int | None = None, floor_db: float = 35.0):
    """Speech frames at the output rate: a 40 ms block (samples [640 j, 640 j + 640)) is
    speech when its energy is within `floor_db` dB of the utterance's loudest block.
    Relative to the loudest block, so invariant to input gain. Falls back to all frames when nothing qualifies."""
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


# =============================================================================== model
DEFAULT_MODEL = {"filters": 64, "conv2": 64, "conv3": 128, "lstm_hidden": 128,
                 "lstm_layers": 2}
TINY_MODEL = {"filters": 8, "conv2": 8, "conv3": 8, "lstm_hidden": 8, "lstm_layers": 1}


# eps of the layernorm after the bias-free filterbank. With the default 1e-5 the eps
# dominates the variance of quiet frames (filter outputs of a -40 dBFS frame have variance
# ~1e-6), so the network saw level through it and summary arousal moved by up to 0.96 at
# -20 dB gain; 1e-10 keeps the normalisation gain-invariant down to about -90 dBFS.
LN_EPS = 1e-10


def model_spec(cfg: dict) -> list:
    """The layer list. conv_fb is a learned 20 ms filterbank with 10 ms hop (kernel 2 over
    160-sample frames) without bias, so the layernorm after it (tiny eps) makes the network
    invariant to input gain."""
    f, c2, c3, h = cfg["filters"], cfg["conv2"], cfg["conv3"], cfg["lstm_hidden"]
    spec = [
        {"type": "conv1d", "name": "conv_fb", "in_channels": FRAME, "out_channels": f,
         "kernel_size": 2, "bias": False},
        {"type": "layernorm", "name": "norm_fb", "num_features": f, "eps": LN_EPS},
        {"type": "relu", "name": "relu_fb"},
        {"type": "conv1d", "name": "conv2", "in_channels": f, "out_channels": c2,
         "kernel_size": 3},
        {"type": "relu", "name": "relu2"},
        {"type": "max_pool", "name": "pool2", "kernel_size": 2},
        {"type": "conv1d", "name": "conv3", "in_channels": c2, "out_channels": c3,
         "kernel_size": 3},
        {"type": "layernorm", "name": "norm3", "num_features": c3},
        {"type": "relu", "name": "relu3"},
        {"type": "max_pool", "name": "pool3", "kernel_size": 2},
        {"type": "lstm", "name": "lstm", "input_size": c3, "hidden_size": h,
         "num_layers": cfg["lstm_layers"]},
        {"type": "linear", "name": "head", "in_features": h, "out_features": 2},
        {"type": "tanh", "name": "out"},
    ]
    netspec.validate(spec)
    assert netspec.subsampling(spec) == SUBSAMPLING
    return spec


def build_model(spec: list, dropout: float = 0.0):
    import torch
    torch.manual_seed(0)
    return netspec.SpecNet(spec, dropout=dropout)


def load_exported(tensors: dict, spec: list):
    """A SpecNet with the weights of a model file (inverse of SpecNet.export_tensors)."""
    import torch
    model = netspec.SpecNet(spec)
    for c in spec:
        module = model.layers[c["name"]]
        inner = {"conv1d": lambda m: m.conv, "batchnorm": lambda m: m.bn,
                 "lstm": lambda m: m.lstm}.get(c["type"], lambda m: m)(module)
        sd = inner.state_dict()
        new = {}
        for key, value in sd.items():
            full = f"{c['name']}.{key}"
            if full in tensors:
                new[key] = torch.from_numpy(np.asarray(tensors[full], dtype=np.float32))
            else:
                new[key] = value
        inner.load_state_dict(new)
    model.eval()
    return model


def model_cost(spec: list, model) -> dict:
    macs = netspec.macs_per_frame(spec) * (SR / FRAME)
    return {"parameters": int(netspec.count_parameters(model)),
            "macs_per_audio_second": float(macs),
            "gflop_per_audio_second": float(2 * macs / 1e9),
            "receptive_field_frames": int(netspec.receptive_field(spec))}


# =============================================================================== batches
def pad_batch(waves: list[np.ndarray]):
    """Zero-padded (B, T, 160) frames (T a multiple of 4) and the valid output counts.
    Every layer is causal, so padding at the end does not change the valid outputs."""
    fr = [frames(w) for w in waves]
    t = max(1, max(len(f) for f in fr))
    x = np.zeros((len(fr), t, FRAME), dtype=np.float32)
    for i, f in enumerate(fr):
        x[i, :len(f)] = f
    return x, [len(f) // SUBSAMPLING for f in fr]


def predict_frames(model, waves: list[np.ndarray], batch: int = 16) -> list[np.ndarray]:
    """(T // 4, 2) outputs per waveform, with a torch SpecNet (batched, padded)."""
    import torch
    order = sorted(range(len(waves)), key=lambda i: len(waves[i]))
    out = [None] * len(waves)
    model.eval()
    with torch.no_grad():
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            x, n = pad_batch([waves[i] for i in idx])
            y = model(torch.from_numpy(x)).numpy()
            for j, i in enumerate(idx):
                out[i] = y[j, :n[j]]
    return out


def summarize(frames_out: np.ndarray, wave: np.ndarray) -> np.ndarray:
    """Utterance summary: mean of the output frames over speech frames (speech_mask)."""
    if len(frames_out) == 0:
        return np.zeros(2, dtype=np.float32)
    m = speech_mask(wave, len(frames_out))
    return frames_out[m].mean(axis=0)


class TorchPredictor:
    """Pluggable predictor for `evaluate`: waveform list -> per-utterance (T', 2) frames
    (or (2,) summaries). A C++-engine predictor can replace it later."""

    def __init__(self, model):
        self.model = model

    def __call__(self, waves):
        return predict_frames(self.model, waves)


def summaries(predictor, waves) -> np.ndarray:
    outs = predictor(waves)
    res = []
    for o, w in zip(outs, waves):
        o = np.asarray(o, dtype=np.float32)
        res.append(o if o.ndim == 1 else summarize(o, w))
    return np.array(res, dtype=np.float32).reshape(len(waves), 2)


# =============================================================================== training
AUG = {"speed_p": 0.6, "speed": [0.9, 1.1], "noise_p": 0.8, "snr_db": [5.0, 30.0],
       "gain_db": [-20.0, 20.0], "max_seconds": 5.0}


class EmotionTask:
    def __init__(self, corpus: Corpus, train_idx, valid_idx, model, seed: int, batch: int,
                 noises, frame_weight: float = 0.5, aug: dict = AUG):
        self.c = corpus
        self.train_idx = list(train_idx)
        self.valid_idx = list(valid_idx)
        self.model = model
        self.seed = seed
        self.batch = batch
        self.noises = noises
        self.frame_weight = frame_weight
        self.aug = aug
        self.valid_waves = [corpus.wave(i) for i in self.valid_idx]
        self.valid_labels = corpus.labels(self.valid_idx)

    def batches(self, epoch: int) -> list:
        """Batch keys for an epoch: a (seed, epoch) permutation, grouped in chunks of 8
        batches sorted by length (less padding), batch order shuffled by (seed, epoch)."""
        order = [self.train_idx[k] for k in trainer.epoch_order(len(self.train_idx),
                                                                 self.seed, epoch)]
        out = []
        chunk = self.batch * 8
        for s in range(0, len(order), chunk):
            part = sorted(order[s:s + chunk], key=self.c.length)
            out += [tuple(part[k:k + self.batch]) for k in range(0, len(part), self.batch)
                    if len(part[k:k + self.batch]) >= max(2, self.batch // 2)]
        random.Random(f"batches:{self.seed}:{epoch}").shuffle(out)
        self._epoch = epoch
        return out

    def augment(self, i: int, epoch: int):
        """speed -> random crop (<= max_seconds) -> speech mask (on the clean signal) ->
        real noise at 5-30 dB -> gain +-20 dB; seeded by (seed, utterance, epoch)."""
        rng = np.random.default_rng(augment.utterance_seed(self.seed, i, epoch))
        x = self.c.wave(i)
        a = self.aug
        if rng.random() < a["speed_p"]:
            x = augment.speed_perturb(x, float(rng.uniform(*a["speed"])), max_denominator=50)
        max_len = int(a["max_seconds"] * SR) // BLOCK * BLOCK
        if len(x) > max_len:
            # Crop where there is speech: keep the window with the most energy among a
            # few random candidates, so leading silence does not fill the crop.
            best, best_e = 0, -1.0
            for _ in range(3):
                s = int(rng.integers(0, len(x) - max_len + 1))
                e = float(np.mean(x[s:s + max_len] ** 2))
                if e > best_e:
                    best, best_e = s, e
            x = x[best:best + max_len]
        mask = speech_mask(x)
        noise_coin, snr, gain = rng.random(), rng.uniform(*a["snr_db"]), rng.uniform(*a["gain_db"])
        noise_rng = np.random.default_rng(rng.integers(2 ** 63))
        if self.noises and noise_coin < a["noise_p"]:
            x = augment.add_noise(x, self.noises[int(noise_rng.integers(len(self.noises)))],
                                  snr, noise_rng)
        x = augment.apply_gain(x, gain)
        return x, mask

    def step(self, key) -> dict:
        import torch
        epoch = getattr(self, "_epoch", 0)
        waves, masks = zip(*(self.augment(i, epoch) for i in key))
        x, n = pad_batch(list(waves))
        m = np.zeros((len(key), x.shape[1] // SUBSAMPLING), dtype=np.float32)
        for j, mk in enumerate(masks):
            m[j, :n[j]] = mk[:n[j]]
        y = torch.from_numpy(self.c.labels(key))
        mt = torch.from_numpy(m)
        out = self.model(torch.from_numpy(x))  # (B, T', 2)
        summ = (out * mt[..., None]).sum(1) / mt.sum(1).clamp(min=1)[:, None]
        loss_a = 1 - ccc_torch(summ[:, 0], y[:, 0])
        loss_v = 1 - ccc_torch(summ[:, 1], y[:, 1])
        frame_mse = (((out - y[:, None, :]) ** 2).sum(-1) * mt).sum() / mt.sum().clamp(min=1)
        loss = loss_a + loss_v + self.frame_weight * frame_mse
        loss.backward()
        return {"loss": loss.item(), "1-ccc_a": loss_a.item(), "1-ccc_v": loss_v.item(),
                "frame_mse": frame_mse.item()}

    def validate(self) -> dict:
        s = summaries(TorchPredictor(self.model), self.valid_waves)
        self.model.train()
        ca = metrics.ccc(s[:, 0], self.valid_labels[:, 0])
        cv = metrics.ccc(s[:, 1], self.valid_labels[:, 1])
        return {"val_ccc_arousal": ca, "val_ccc_valence": cv, "val_ccc_mean": (ca + cv) / 2}


def ccc_torch(x, y):
    mx, my = x.mean(), y.mean()
    vx, vy = ((x - mx) ** 2).mean(), ((y - my) ** 2).mean()
    cov = ((x - mx) * (y - my)).mean()
    return 2 * cov / (vx + vy + (mx - my) ** 2 + 1e-8)


def train(args) -> dict:
    import torch
    trainer.set_threads(args.threads)
    corpus = Corpus(args.cache)
    corp = None if args.corpus == "all" else args.corpus
    train_idx = corpus.select("train", corp)
    valid_idx = corpus.select("valid", corp)
    if args.limit_train:
        train_idx = train_idx[:args.limit_train]
    if not valid_idx:
        valid_idx = train_idx[:4]
    cfg = TINY_MODEL if args.tiny else DEFAULT_MODEL
    spec = model_spec(cfg)
    model = build_model(spec, dropout=args.dropout)
    noises = []
    if not args.no_noise:
        try:
            noises = augment.load_noises([u.path for u in readers.read_noise()])
        except (FileNotFoundError, OSError) as e:
            log(f"no real noise ({e}); training without noise")
    task = EmotionTask(corpus, train_idx, valid_idx, model, args.seed, args.batch, noises,
                       frame_weight=args.frame_weight)
    steps_per_epoch = len(task.batches(0))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    lr_fn = trainer.warmup_cosine(args.lr, min(200, steps_per_epoch), steps_per_epoch *
                                  args.epochs)
    ckpt = args.ckpt_dir or (CKPT_DIR if args.corpus == "all"
                             else os.path.join(CKPT_DIR, args.corpus))
    tr = trainer.Trainer(model, opt, lr_fn, ckpt, seed=args.seed,
                         checkpoint_minutes=args.checkpoint_minutes, grad_clip=5.0,
                         monitor="val_ccc_mean", monitor_mode="max", log=sys.stderr)
    tr.extra = {"model_config": cfg, "spec": spec, "corpus": args.corpus,
                "train_utterances": len(train_idx), "valid_utterances": len(valid_idx),
                "train_hours": sum(corpus.length(i) for i in train_idx) / SR / 3600,
                "augmentation": AUG, "frame_weight": args.frame_weight,
                "lr": args.lr, "batch": args.batch, "epochs": args.epochs,
                "dropout": args.dropout}
    log(f"train: {len(train_idx)} utts ({tr.extra['train_hours']:.2f} h), valid "
        f"{len(valid_idx)}, {steps_per_epoch} steps/epoch x {args.epochs} epochs, "
        f"{json.dumps(model_cost(spec, model))}, checkpoints in {ckpt}")
    result = tr.fit(task.batches, task.step, args.epochs, validate=task.validate,
                    resume=args.resume, max_minutes=args.max_minutes,
                    log_every_seconds=args.log_every)
    log(f"train done: {json.dumps(result)}")
    return result


def load_checkpoint(path: str):
    import torch
    state = torch.load(path, map_location="cpu")
    spec = state["extra"]["spec"]
    model = netspec.SpecNet(spec)
    model.load_state_dict(state["model"])
    model.eval()
    return model, spec, state


# =============================================================================== heuristics
def heuristic_features(wave: np.ndarray) -> dict:
    """One-number utterance features over speech blocks (speech_mask): zero-crossing rate,
    spectral centroid (Hz), pitch level (median log2 F0 of voiced blocks, autocorrelation),
    loudness (mean block energy, dBFS)."""
    n = len(wave) // BLOCK
    if n == 0:
        return {"zcr": 0.0, "centroid": 0.0, "pitch": 0.0, "loudness": -100.0}
    x = np.asarray(wave[:n * BLOCK], dtype=np.float64).reshape(n, BLOCK)
    m = speech_mask(wave, n)
    xs = x[m]
    zcr = float(np.mean(np.abs(np.diff(np.signbit(xs), axis=1)).mean(axis=1)))
    spec = np.abs(np.fft.rfft(xs * np.hanning(BLOCK), axis=1)) ** 2
    f = np.fft.rfftfreq(BLOCK, 1 / SR)
    centroid = float(np.mean((spec * f).sum(1) / (spec.sum(1) + 1e-12)))
    loud = float(np.mean(10 * np.log10(np.mean(xs * xs, axis=1) + 1e-12)))
    lo, hi = SR // 400, SR // 60  # 60-400 Hz
    f0 = []
    for fr in xs:
        fr = fr - fr.mean()
        ac = np.correlate(fr, fr, "full")[BLOCK - 1:]
        if ac[0] <= 0:
            continue
        ac = ac / ac[0]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.4:
            f0.append(SR / lag)
    pitch = float(np.median(np.log2(f0))) if f0 else float("nan")
    return {"zcr": zcr, "centroid": centroid, "pitch": pitch, "loudness": loud}


HEURISTICS = ("zcr", "centroid", "pitch", "loudness")


def heuristic_scores(f_train, y_train, f_test, y_test) -> dict:
    """Per feature and target: linear regression fitted on the training set, CCC (and for
    arousal the high/low UA) on the test set."""
    out = {}
    for name in HEURISTICS:
        xtr = np.array([f[name] for f in f_train])
        xte = np.array([f[name] for f in f_test])
        ok = np.isfinite(xtr)
        fill = float(np.nanmean(xtr))
        xte = np.where(np.isfinite(xte), xte, fill)
        res = {}
        for t, target in enumerate(OUTPUTS):
            k, b = np.polyfit(xtr[ok], y_train[ok, t], 1)
            pred = k * xte + b
            res[f"{target}_ccc"] = metrics.ccc(pred, y_test[:, t])
            if target == "arousal":
                res["arousal_ua"] = arousal_ua(pred, y_test[:, 0])
        out[name] = res
    return out


def best_heuristic(scores: dict, key: str) -> dict:
    name = max(scores, key=lambda n: scores[n][key])
    return {"feature": name, "value": scores[name][key]}


def arousal_ua(pred, true) -> float:
    """High- vs low-arousal unweighted accuracy (mapped arousal > 0 vs < 0; neutral, i.e.
    arousal 0, excluded); the prediction's class is its sign."""
    pred, true = np.asarray(pred), np.asarray(true)
    keep = true != 0
    if not keep.any():
        return float("nan")
    return metrics.unweighted_average_recall((true[keep] > 0).tolist(),
                                             (pred[keep] > 0).tolist())


# =============================================================================== eval
def evaluate(predictor, corpus: Corpus, cross_predictor=None, gain_db: float = 20.0) -> dict:
    held = corpus.select("heldout")
    trn = corpus.select(("train", "valid"))
    waves = [corpus.wave(i) for i in held]
    y = corpus.labels(held)
    s = summaries(predictor, waves)
    res = {"heldout_speakers": sorted({corpus.utts[i]["speaker"] for i in held}),
           "heldout_utterances": len(held)}
    model = {"arousal_ccc": metrics.ccc(s[:, 0], y[:, 0]),
             "valence_ccc": metrics.ccc(s[:, 1], y[:, 1]),
             "arousal_ua": arousal_ua(s[:, 0], y[:, 0])}
    per_corpus = {}
    for c in ("emodb", "ravdess"):
        k = [j for j, i in enumerate(held) if corpus.utts[i]["corpus"] == c]
        if len(k) > 1:
            per_corpus[c] = {"arousal_ccc": metrics.ccc(s[k, 0], y[k, 0]),
                             "valence_ccc": metrics.ccc(s[k, 1], y[k, 1]),
                             "arousal_ua": arousal_ua(s[k, 0], y[k, 0]), "n": len(k)}
    model["per_corpus"] = per_corpus
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
    # Gain check: the summary arousal at +-gain_db against 0 dB.
    gains = {}
    for g in (-gain_db, gain_db):
        sg = summaries(predictor, [augment.apply_gain(w, g) for w in waves])
        d = np.abs(sg[:, 0] - s[:, 0])
        gains[f"{g:+.0f}dB"] = {"max_abs_arousal_change": float(d.max()),
                                "mean_abs_arousal_change": float(d.mean()),
                                "fraction_within_0.1": float(np.mean(d <= 0.1))}
    res["gain_check"] = gains
    res["gain_check_pass"] = bool(all(v["max_abs_arousal_change"] <= 0.1
                                      for v in gains.values()))
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
    corpus = Corpus(args.cache)
    predictor, _ = _predictor_from(args.model or os.path.join(CKPT_DIR, "best.pt"))
    cross = os.path.join(CKPT_DIR, "ravdess", "best.pt")
    cross_pred = _predictor_from(cross)[0] if os.path.exists(cross) else None
    res = evaluate(predictor, corpus, cross_pred)
    res["predictor"] = "pytorch:" + os.path.relpath(args.model or os.path.join(CKPT_DIR,
                                                                               "best.pt"), REPO)
    if cross_pred is None:
        res["cross_corpus_ravdess_to_emodb"] = f"missing: train --corpus ravdess ({cross})"
    text = json.dumps(res, indent=1, default=float)
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, "w") as fh:
            fh.write(text + "\n")
    return res


# =============================================================================== export
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
        "summary": "mean of the output frames over speech (VAD) frames",
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


# =============================================================================== cli
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
    a.add_argument("--limit-train", type=int, default=0)
    a.add_argument("--no-noise", action="store_true")
    a = sub.add_parser("eval")
    a.add_argument("--cache", default=CACHE_DIR)
    a.add_argument("--model", default=None,
                   help="checkpoint .pt or model .safetensors (default checkpoints/best.pt)")
    a.add_argument("--out", default=EVAL_PATH)
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
