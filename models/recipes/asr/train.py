"""`train`: CTC training of the network (resumable, common.trainer)."""

from __future__ import annotations

import json
import random
import sys
import time

import numpy as np

from ..common import augment, metrics, netspec
from ..common import trainer as trainer_lib
from .config import SET_VALID, SETS_TRAIN, log
from .data import FeatureSet, exists, load_cmvn
from .decode import _pad_batch, greedy_decode, run_network
from .model import (BLANK, MAX_GFLOP_PER_S, MAX_PARAMS, VOCAB, compute_budget,
                    ctc_min_frames, encode, model_spec, output_frames)


def specaugment_config(a) -> dict:
    """augment.DEFAULT_CONFIG's SpecAugment with `--spec-freq-width` (widest frequency mask,
    in mel bins) when given."""
    cfg = dict(augment.DEFAULT_CONFIG["specaugment"])
    width = getattr(a, "spec_freq_width", None)
    if width is not None:
        cfg["freq_width"] = int(width)
    return cfg


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
    augmenter = augment.Augmenter({"specaugment": specaugment_config(a)}, base_seed=a.seed)

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
    prior = None
    if getattr(a, "init_from", ""):
        # The warm-started network keeps the CMVN it was trained with (the file's), so its
        # inputs do not shift when this cache's statistics differ (other copies, new data).
        prior, mean, std = _init_from(net, spec, a.init_from)
    else:
        mean, std = load_cmvn(a.cache)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, betas=(0.9, 0.98),
                            weight_decay=a.weight_decay)
    steps_per_epoch = len(batches(0))
    lr_fn = trainer_lib.warmup_cosine(a.lr, a.warmup, a.epochs * steps_per_epoch)
    tr = trainer_lib.Trainer(net, opt, lr_fn, a.ckpt_dir, seed=a.seed,
                             checkpoint_minutes=a.checkpoint_minutes, grad_clip=a.grad_clip,
                             monitor="cer", monitor_mode="min", log=sys.stderr,
                             ema_decay=getattr(a, "ema", 0.0))
    tr.extra = {"spec": spec, "vocab": VOCAB, "cmvn_mean": mean.tolist(),
                "cmvn_std": std.tolist(), "budget": budget, "args": vars(a),
                "train_hours_clean": train.meta["hours_clean"],
                "train_hours_with_copies": train.meta["hours_total"],
                "init_from": getattr(a, "init_from", "") or None, "prior_training": prior}

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


def _init_from(net, spec: list, path: str):
    """Warm start: copies the weights of an exported model file (float16 upcast) into
    `net`. The layer lists must match. A checkpoint found by --resume overrides this.
    Returns the file's training summary (steps, epochs, hours), which export adds up, and
    the file's CMVN mean and std."""
    from .decode import net_from_model_file
    src, meta, mean, std = net_from_model_file(path)
    from .model import export_spec
    if meta["layers"] != export_spec(spec):  # exported files end in log_softmax
        raise SystemExit(f"train: --init-from {path}: its layer list differs from this "
                         f"run's (--conv-channels/--lstm-hidden/--lstm-layers must match)")
    net.load_state_dict(src.state_dict())
    log(f"train: initialised from {path} (and its CMVN)")
    td = meta.get("training_data", {})
    return ({k: td.get(k, 0) for k in ("global_steps", "epochs", "training_wall_hours")},
            mean, std)
