"""Emotion training: augmentation, batches and loss (`EmotionTask`) on the common Trainer."""

from __future__ import annotations

import json
import os
import random
import sys

import numpy as np

from models.recipes.common import augment, metrics, readers, trainer
from models.recipes.emotion.data import (BLOCK, CATEGORIES, CKPT_DIR, SR, SUBSAMPLING,
                                         Corpus, log, speech_mask)
from models.recipes.emotion.model import (DEFAULT_MODEL, TINY_MODEL, TorchPredictor,
                                          attach_category_head, build_model, model_cost,
                                          model_spec, pad_batch, summaries)


AUG = {"speed_p": 0.6, "speed": [0.9, 1.1], "noise_p": 0.8, "snr_db": [5.0, 30.0],
       "gain_db": [-20.0, 20.0], "max_seconds": 5.0, "vtlp_p": 0.0, "vtlp": [0.9, 1.1],
       "reverb_p": 0.0, "reverberance": [10.0, 80.0], "hf_damping": [10.0, 90.0],
       "room_scale": [20.0, 100.0]}


class EmotionTask:
    def __init__(self, corpus: Corpus, train_idx, valid_idx, model, seed: int, batch: int,
                 noises, frame_weight: float = 0.5, aug: dict = AUG,
                 category_weight: float = 0.0, valence_weight: float = 1.0):
        self.c = corpus
        self.train_idx = list(train_idx)
        self.valid_idx = list(valid_idx)
        self.model = model
        self.seed = seed
        self.batch = batch
        self.noises = noises
        self.frame_weight = frame_weight
        self.category_weight = category_weight  # > 0 needs attach_category_head(model)
        self.valence_weight = valence_weight    # weight of (1 - CCC) of valence summaries
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
        """speed -> VTLP (with probability vtlp_p: a new vocal-tract length, so 23 training
        speakers stand for more) -> random crop (<= max_seconds) -> speech mask (on the clean
        signal) -> real noise at 5-30 dB -> gain +-20 dB; seeded by (seed, utterance, epoch).
        VTLP, then sox room reverb (probability reverb_p), draw only when their probability
        is > 0, so runs without them are unchanged."""
        rng = np.random.default_rng(augment.utterance_seed(self.seed, i, epoch))
        x = self.c.wave(i)
        a = self.aug
        if rng.random() < a["speed_p"]:
            x = augment.speed_perturb(x, float(rng.uniform(*a["speed"])), max_denominator=50)
        if a.get("vtlp_p", 0.0) > 0 and rng.random() < a["vtlp_p"]:
            x = augment.vtlp(x, float(rng.uniform(*a["vtlp"])))
        if a.get("reverb_p", 0.0) > 0 and rng.random() < a["reverb_p"]:
            x = augment.reverb_sox(x, *(float(rng.uniform(*a[k])) for k in
                                        ("reverberance", "hf_damping", "room_scale")))
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
        summ = speech_mean(out, mt)
        loss_a = 1 - ccc_torch(summ[:, 0], y[:, 0])
        loss_v = 1 - ccc_torch(summ[:, 1], y[:, 1])
        frame_mse = (((out - y[:, None, :]) ** 2).sum(-1) * mt).sum() / mt.sum().clamp(min=1)
        loss = loss_a + self.valence_weight * loss_v + self.frame_weight * frame_mse
        logs = {}
        if self.category_weight > 0:
            # Emotion category from the speech-frame mean of the last LSTM output.
            ce = torch.nn.functional.cross_entropy(
                self.model.aux_category(speech_mean(self.model.aux_hidden, mt)),
                torch.from_numpy(self.c.categories(key)))
            loss = loss + self.category_weight * ce
            logs["category_ce"] = ce.item()
        loss.backward()
        return {"loss": loss.item(), "1-ccc_a": loss_a.item(), "1-ccc_v": loss_v.item(),
                "frame_mse": frame_mse.item(), **logs}

    def validate(self) -> dict:
        s = summaries(TorchPredictor(self.model), self.valid_waves)
        self.model.train()
        ca = metrics.ccc(s[:, 0], self.valid_labels[:, 0])
        cv = metrics.ccc(s[:, 1], self.valid_labels[:, 1])
        return {"val_ccc_arousal": ca, "val_ccc_valence": cv, "val_ccc_mean": (ca + cv) / 2}


def speech_mean(x, mask):
    """(N, T', C) -> (N, C): mean over the frames where mask (N, T') is 1 (at least one)."""
    return (x * mask[..., None]).sum(1) / mask.sum(1).clamp(min=1)[:, None]


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
    cfg = dict(TINY_MODEL if args.tiny else DEFAULT_MODEL)
    if getattr(args, "model_config", None):
        extra = json.loads(args.model_config)
        unknown = sorted(set(extra) - set(cfg))
        if unknown:
            raise SystemExit(f"--model-config: unknown keys {unknown}; allowed {sorted(cfg)}")
        cfg.update(extra)
    spec = model_spec(cfg)
    model = build_model(spec, dropout=args.dropout)
    category_weight = getattr(args, "category_weight", 0.0)
    if category_weight > 0:
        attach_category_head(model, spec, len(CATEGORIES))
    noises = []
    if not args.no_noise:
        try:
            noises = augment.load_noises([u.path for u in readers.read_noise()])
        except (FileNotFoundError, OSError) as e:
            log(f"no real noise ({e}); training without noise")
    aug = dict(AUG, vtlp_p=getattr(args, "vtlp", 0.0), reverb_p=getattr(args, "reverb", 0.0))
    task = EmotionTask(corpus, train_idx, valid_idx, model, args.seed, args.batch, noises,
                       frame_weight=args.frame_weight, aug=aug,
                       category_weight=category_weight,
                       valence_weight=getattr(args, "valence_weight", 1.0))
    steps_per_epoch = len(task.batches(0))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    lr_fn = trainer.warmup_cosine(args.lr, min(200, steps_per_epoch), steps_per_epoch *
                                  args.epochs)
    ckpt = args.ckpt_dir or (CKPT_DIR if args.corpus == "all"
                             else os.path.join(CKPT_DIR, args.corpus))
    tr = trainer.Trainer(model, opt, lr_fn, ckpt, seed=args.seed,
                         checkpoint_minutes=args.checkpoint_minutes, grad_clip=5.0,
                         monitor="val_ccc_mean", monitor_mode="max", log=sys.stderr,
                         ema_decay=getattr(args, "ema", 0.0))
    tr.extra = {"model_config": cfg, "spec": spec, "corpus": args.corpus,
                "train_utterances": len(train_idx), "valid_utterances": len(valid_idx),
                "train_hours": sum(corpus.length(i) for i in train_idx) / SR / 3600,
                "augmentation": aug, "frame_weight": args.frame_weight,
                "category_weight": category_weight,
                "valence_weight": getattr(args, "valence_weight", 1.0),
                "lr": args.lr, "batch": args.batch, "epochs": args.epochs,
                "dropout": args.dropout, "ema": getattr(args, "ema", 0.0)}
    log(f"train: {len(train_idx)} utts ({tr.extra['train_hours']:.2f} h), valid "
        f"{len(valid_idx)}, {steps_per_epoch} steps/epoch x {args.epochs} epochs, "
        f"{json.dumps(model_cost(spec, model))}, checkpoints in {ckpt}")
    result = tr.fit(task.batches, task.step, args.epochs, validate=task.validate,
                    resume=args.resume, max_minutes=args.max_minutes,
                    log_every_seconds=args.log_every)
    log(f"train done: {json.dumps(result)}")
    return result
