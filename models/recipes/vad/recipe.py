"""The `vad` model recipe: a small causal CNN+LSTM voice activity detector (issue #4).

    /usr/bin/python3 -m models.recipes.denoise.recipe prepare     # the audio sets (shared)
    /usr/bin/python3 -m models.recipes.vad.recipe train [--resume] [--max-minutes M]
    /usr/bin/python3 -m models.recipes.vad.recipe tune            # decision thresholds
    /usr/bin/python3 -m models.recipes.vad.recipe export
    /usr/bin/python3 -m models.recipes.vad.recipe eval

Signal path (what the C++ models/vad/neural_vad runs): 16 kHz audio -> the standard log-mel
front end (ARCHITECTURE.md section 8; frame t covers samples [160 t, 160 t + 400)) -> global
CMVN (tensors cmvn.mean / cmvn.std) -> causal Conv1d 80->C (k = 3) + BatchNorm + ReLU ->
LSTM (H) -> Linear H->1 -> sigmoid = P(speech) of the 10 ms frame [160 t, 160 t + 160).
Decisions: hysteresis on P (start at >= threshold_on, continue while >= threshold_off) and
a hangover of `hangover_frames` below threshold_off before speech ends (`decide`, which
the C++ NeuralVad implements frame for frame).

Labels: the rule of tests/dsp/vad_test_audio.h: a 10 ms frame of the clean signal is speech
when its energy is within 40 dB of the loudest frame of the sequence, and pauses of at most
200 ms between speech frames are speech too.

Data: the audio sets of the denoise recipe's `prepare` (run it first): training = synthetic
voices of the training split, EmoDB/RAVDESS training speakers and the Asterisk prompts; noise =
the real clips except exercise_bike and speechbrain_noise1, coloured noise, babble of 3-7
training voices. A training sequence is 8 s: 1-4 utterances (levels within +-6 dB of each
other) separated by 0.1-1.5 s of digital silence, mixed at an active-speech SNR of -5..20 dB
(noise power vs the mean power of the speech frames, as ITU-T P.56), speech level -45..-10
dBFS; 8 % of sequences are noise only, 7 % clean. Held out (eval): the synthetic test_speaker
voices and EmoDB/RAVDESS held-out speakers, exercise_bike, speechbrain_noise1 and babble of
held-out voices.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from models.recipes.common import augment, export, frontend, netspec, trainer
from models.recipes.denoise import recipe as denoise
from models.recipes.vad.data import SEQUENCE, SR, make_sequence, onset_errors, onset_weights

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))
CKPT = os.path.join(RECIPE_DIR, "checkpoints")
REPO = denoise.REPO
OUT_MODEL = os.path.join(REPO, "models", "vad", "vad.safetensors")
TUNED = os.path.join(RECIPE_DIR, "tuned.json")
EVAL_OUT = os.path.join(RECIPE_DIR, "eval.json")

DEFAULT_DECISION = {"threshold_on": 0.5, "threshold_off": 0.5, "hangover_frames": 0}


def spec(conv: int = 64, hidden: int = 96) -> list:
    return [
        {"type": "conv1d", "name": "conv", "in_channels": frontend.N_MELS,
         "out_channels": conv, "kernel_size": 3},
        {"type": "batchnorm", "name": "bn", "num_features": conv},
        {"type": "relu", "name": "relu"},
        {"type": "lstm", "name": "lstm", "input_size": conv, "hidden_size": hidden},
        {"type": "linear", "name": "out", "in_features": hidden, "out_features": 1},
        {"type": "sigmoid", "name": "p"},
    ]


# --------------------------------------------------------------------------- labels
def decide(p, threshold_on: float, threshold_off: float, hangover_frames: int) -> np.ndarray:
    """Frame decisions from speech probabilities (the C++ NeuralVad does exactly this)."""
    out = np.zeros(len(p), bool)
    speech, left = False, 0
    for t, v in enumerate(p):
        if not speech:
            if v >= threshold_on:
                speech, left = True, hangover_frames
        elif v >= threshold_off:
            left = hangover_frames
        elif left > 0:
            left -= 1
        else:
            speech = False
        out[t] = speech
    return out


# --------------------------------------------------------------------------- mixing
# --------------------------------------------------------------------------- torch
def _torch():
    import torch
    return torch


def silence_row(mean, std):
    """The normalised front-end row of one analysis frame of digital silence (as the C++
    NeuralVad computes it: its own front end on zeros)."""
    torch = _torch()
    return (frontend.log_mel_torch(torch.zeros(1, frontend.FRAME_LENGTH))[0, 0] - mean) / std


def probabilities(net, noisy, mean, std, lookahead: int = 0):
    """(N, S) float -> (N, T) P(speech), T = log-mel frames. With `lookahead` L > 0 the
    network's output at frame t + L decides frame t: the rows are followed by L rows of
    digital silence (what the C++ NeuralVadStream appends at Flush) and the first L outputs
    are dropped."""
    torch = _torch()
    feats = (frontend.log_mel_torch(torch.as_tensor(noisy)) - mean) / std
    if lookahead > 0:
        pad = silence_row(mean, std).expand(feats.shape[0], lookahead, feats.shape[2])
        feats = torch.cat([feats, pad], dim=1)
    return net(feats)[..., 0][:, lookahead:]


def lookahead_of(meta_or_extra: dict) -> int:
    """Look-ahead frames of an exported file's metadata or a checkpoint's extra."""
    if "streaming" in meta_or_extra:
        return int(meta_or_extra["streaming"].get("look_ahead_frames", 0))
    return int(meta_or_extra.get("lookahead", 0))


def _batch(examples):
    torch = _torch()
    x = torch.from_numpy(np.stack([e[0] for e in examples]))
    t = frontend.num_frames(x.shape[1])
    y = torch.from_numpy(np.stack([e[1][:t] for e in examples]).astype(np.float32))
    return x, y


def compute_cmvn(clean, noise, voices, seed, count=128):
    torch = _torch()
    rng = np.random.default_rng([seed, 99])
    feats = [frontend.log_mel_torch(torch.from_numpy(make_sequence(clean, noise, voices, rng)[0]))
             for _ in range(count)]
    f = torch.cat(feats)
    return f.mean(0), f.std(0).clamp_min(1e-3)


def load_sets():
    return (denoise.load_set("clean_train"), denoise.load_set("noise_train"),
            denoise.load_set("babble_train"), denoise.load_set("clean_valid"))


def valid_examples(valid_clean, noise, voices, seed):
    rng = np.random.default_rng([seed, 7])
    return [make_sequence(valid_clean, noise, voices, rng, snr_range=(0, 10), p_clean=0.0)
            for _ in range(96)]


def train(args) -> None:
    torch = _torch()
    trainer.set_threads(args.threads)
    clean, noise, voices, valid_clean = load_sets()
    net = netspec.SpecNet(spec(args.conv, args.hidden))
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    total = args.epochs * args.steps_per_epoch
    ckpt = args.checkpoints or CKPT
    tr = trainer.Trainer(net, opt, trainer.warmup_cosine(args.lr, 200, total), ckpt,
                         seed=args.seed, monitor="valid_accuracy")
    if not (args.resume and os.path.exists(tr.last_path)):
        prior = {"steps": 0, "wall_minutes": 0.0}
        if args.init_from:
            mean, std, prior = trainer.warm_start(net, args.init_from, "--conv/--hidden")
        else:
            mean, std = compute_cmvn(clean, noise, voices, args.seed)
        tr.extra = {"cmvn_mean": mean, "cmvn_std": std, "conv": args.conv,
                    "hidden": args.hidden, "lookahead": args.lookahead, "args": vars(args),
                    "prior_training": prior}
    else:
        tr.load()
    valid = _batch(valid_examples(valid_clean, noise, voices, args.seed))
    lookahead = lookahead_of(tr.extra)

    def batches(epoch):
        return [(epoch, i) for i in range(args.steps_per_epoch)]

    def step(key):
        epoch, i = key
        rng = np.random.default_rng(augment.utterance_seed(args.seed, i, epoch))
        x, y = _batch([make_sequence(clean, noise, voices, rng, p_babble=args.babble_share,
                                     babble_snr_range=tuple(args.babble_snr),
                                     p_recolour=args.recolour, p_machine=args.machine)
                       for _ in range(args.batch)])
        p = probabilities(net, x, tr.extra["cmvn_mean"], tr.extra["cmvn_std"], lookahead)
        w = None if args.onset_weight == 1.0 else torch.from_numpy(
            onset_weights(y.numpy() >= 0.5, args.onset_weight))
        loss = torch.nn.functional.binary_cross_entropy(p.clamp(1e-6, 1 - 1e-6), y, weight=w)
        loss.backward()
        acc = ((p >= 0.5) == (y >= 0.5)).float().mean().item()
        return {"loss": loss.item(), "accuracy": acc}

    def validate():
        with torch.no_grad():
            p = probabilities(net, valid[0], tr.extra["cmvn_mean"], tr.extra["cmvn_std"],
                              lookahead)
        s = score([decide(row, **DEFAULT_DECISION) for row in p.numpy()],
                  list(valid[1].numpy() >= 0.5))
        return {"valid_accuracy": s["accuracy"], "valid_onsets_100ms": s["onsets_within_100ms"]}

    result = tr.fit(batches, step, args.epochs, validate, resume=args.resume,
                    max_minutes=args.max_minutes)
    print(json.dumps(result, default=str))


def load_trained(path=None):
    torch = _torch()
    state = torch.load(path or os.path.join(CKPT, "best.pt"), map_location="cpu")
    extra = state["extra"]
    net = netspec.SpecNet(spec(extra["conv"], extra["hidden"]))
    net.load_state_dict(state["model"])
    net.eval()
    return net, extra, state


# --------------------------------------------------------------------------- tune
def score(decisions, truth) -> dict:
    """Frame accuracy, miss and false-alarm rates, and the share of true onsets with decided
    speech within 100 ms (onset_errors), over sequences of decisions and labels."""
    d, t = np.concatenate(decisions), np.concatenate(truth)
    onsets = [e for dd, tt in zip(decisions, truth) for e in onset_errors(dd, tt)]
    return {"accuracy": float((d == t).mean()),
            "miss": float((~d & t).sum() / max(1, t.sum())),
            "false_alarm": float((d & ~t).sum() / max(1, (~t).sum())), "frames": int(len(t)),
            "onsets_within_100ms": float(np.mean([e is not None and e <= 10 for e in onsets]))
            if onsets else 1.0}


def tune(args) -> None:
    """Picks the decision thresholds on validation sequences (held-out sentences of training
    voices, training noises; never the eval sets): the best frame accuracy among the rules
    whose speech begins are within 100 ms of the true onsets at least as often as with the
    plain 0.5 threshold (a later begin rule can buy a little accuracy by clipping onsets)."""
    torch = _torch()
    clean, noise, voices, valid_clean = load_sets()
    net, extra, _ = load_trained(args.checkpoint)
    rng = np.random.default_rng([args.seed, 11])
    examples = [make_sequence(valid_clean, noise, voices, rng, snr_range=(0, 10), p_clean=0.0)
                for _ in range(160)]
    x, _ = _batch(examples)
    with torch.no_grad():
        p = probabilities(net, x, extra["cmvn_mean"], extra["cmvn_std"],
                          lookahead_of(extra)).numpy()
    truth = [e[1][:p.shape[1]] for e in examples]
    plain = score([decide(row, **DEFAULT_DECISION) for row in p], truth)
    best = (dict(DEFAULT_DECISION), plain)
    for on in (0.4, 0.5, 0.6, 0.7):
        for off in (0.2, 0.3, 0.4, 0.5, 0.6):
            if off > on:
                continue
            for hang in (0, 3, 6, 10):
                s = score([decide(row, on, off, hang) for row in p], truth)
                if (s["onsets_within_100ms"] >= plain["onsets_within_100ms"]
                        and s["accuracy"] > best[1]["accuracy"]):
                    best = ({"threshold_on": on, "threshold_off": off, "hangover_frames": hang}, s)
    out = {"decision": best[0], "valid": best[1], "valid_threshold_0.5": plain}
    with open(TUNED, "w") as fh:
        json.dump(out, fh, indent=1)
    print(json.dumps(out, indent=1))


# --------------------------------------------------------------------------- export
def export_model(args) -> None:
    net, extra, state = load_trained(args.checkpoint)
    tensors = net.export_tensors(np.float32)
    tensors["cmvn.mean"] = extra["cmvn_mean"].numpy().astype(np.float32)
    tensors["cmvn.std"] = extra["cmvn_std"].numpy().astype(np.float32)
    decision = dict(DEFAULT_DECISION)
    if os.path.exists(TUNED):
        with open(TUNED) as fh:
            decision = json.load(fh)["decision"]
    held = {}
    if os.path.exists(EVAL_OUT):
        with open(EVAL_OUT) as fh:
            held = {k: float(v) for k, v in json.load(fh).get("summary", {}).items()}
    layers = net.spec
    lookahead = lookahead_of(extra)
    prior = extra.get("prior_training", {})
    targs = extra.get("args", {})
    meta = {
        "format_version": export.FORMAT_VERSION, "task": "vad", "name": "vad",
        "sample_rate_hz": SR, "front_end": frontend.FRONTEND_PARAMS, "layers": layers,
        "streaming": {"frame_shift_ms": 10, "subsampling": netspec.subsampling(layers),
                      "receptive_field_frames": netspec.receptive_field(layers),
                      "latency_ms": 25 + 10 * lookahead, "chunk_frames": 1,
                      "look_ahead_frames": lookahead},
        "vad": decision,
        "training_data": {"speech": "synthetic voices (espeak-ng, flite, festival; train "
                          "split), EmoDB + RAVDESS training speakers, Asterisk prompts",
                          "noise": "shared real noise except exercise_bike and "
                          "speechbrain_noise1; coloured; babble of training voices",
                          "snr_db": [-5, 20],
                          "babble_share_last_stage": targs.get("babble_share", 0.3),
                          "babble_snr_db_last_stage": targs.get("babble_snr", [-5, 20]),
                          "steps": state["global_step"] + prior.get("steps", 0),
                          "wall_minutes": round(state["wall_seconds"] / 60
                                                + prior.get("wall_minutes", 0.0), 1)},
        "metrics": held,
    }
    out = args.out or OUT_MODEL
    os.makedirs(os.path.dirname(out), exist_ok=True)
    export.write_model(out, tensors, meta)
    if args.golden_dir:
        write_golden(out, args.golden_dir)
    print(f"wrote {out}: {os.path.getsize(out)} bytes, {netspec.count_parameters(net)} "
          f"parameters, {2 * netspec.macs_per_frame(layers) * 100 / 1e9:.4f} GFLOP per audio "
          f"second; decision {decision}")


def golden_input() -> np.ndarray:
    """3 s: 0.5 s of quiet noise, a 1.2 s voiced chirp-like vowel with formant structure,
    0.6 s of pink noise, then a tone burst; deterministic."""
    rng = np.random.default_rng(5)
    t = np.arange(3 * SR) / SR
    x = 0.003 * rng.standard_normal(len(t))
    f0 = 120 + 30 * np.sin(2 * np.pi * 1.5 * t)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    voiced = sum(np.sin(k * phase) / k for k in range(1, 25))
    x[8000:27200] += 0.1 * voiced[8000:27200] * np.hanning(19200)
    x[27200:36800] += 0.05 * augment.pink_noise(9600, rng)
    x[40000:44000] += 0.1 * np.sin(2 * np.pi * 440 * t[40000:44000])
    return x.astype(np.float32)


def write_golden(model_path: str, golden_dir: str) -> None:
    """vad_parity_{in,out}.f32: the file's weights as stored through `probabilities`."""
    torch = _torch()
    tensors, meta, _ = export.read_model(model_path)
    net = netspec.SpecNet(meta["layers"]).eval()
    net.load_exported(tensors)
    mean = torch.from_numpy(tensors["cmvn.mean"].astype(np.float32))
    std = torch.from_numpy(tensors["cmvn.std"].astype(np.float32))
    x = golden_input()
    with torch.no_grad():
        p = probabilities(net, torch.from_numpy(x)[None], mean, std,
                          lookahead_of(meta))[0].numpy()
    os.makedirs(golden_dir, exist_ok=True)
    x.astype("<f4").tofile(os.path.join(golden_dir, "vad_parity_in.f32"))
    p.astype("<f4").tofile(os.path.join(golden_dir, "vad_parity_out.f32"))
    print(f"wrote {golden_dir}/vad_parity_{{in,out}}.f32 ({len(x)} samples, {len(p)} frames)")


# --------------------------------------------------------------------------- eval
def evaluate(args) -> None:
    """Held-out speakers x (held-out noises, held-out babble, and the training noise types as a
    separate, seen group) x SNR 0/5/10 dB; PyTorch on the exported file's weights (the C++
    parity test holds the engine to these probabilities within 1e-4)."""
    torch = _torch()
    tensors, meta, _ = export.read_model(args.model or OUT_MODEL)
    net = netspec.SpecNet(meta["layers"]).eval()
    net.load_exported(tensors)
    mean = torch.from_numpy(tensors["cmvn.mean"].astype(np.float32))
    std = torch.from_numpy(tensors["cmvn.std"].astype(np.float32))
    decision = meta["vad"]
    clean_test = denoise.load_set("clean_test")
    voices_test = denoise.load_set("babble_test")
    with open(os.path.join(denoise.CACHE, "noise_test.txt")) as fh:
        test_names = [os.path.splitext(os.path.basename(p))[0] for p in fh.read().split()]
    with open(os.path.join(denoise.CACHE, "noise_train.txt")) as fh:
        train_names = [os.path.splitext(os.path.basename(p))[0] for p in fh.read().split()]
    kinds = list(zip(test_names, denoise.load_set("noise_test")))
    kinds.append(("babble_heldout", "babble"))
    seen = list(zip(train_names, denoise.load_set("noise_train")))
    seen.append(("white", "white"))
    results, summary = {}, {}
    groups = {"heldout": [], "seen": []}
    for group, entries in (("heldout", kinds), ("seen", seen)):
        for name, noise in entries:
            for snr in (0, 5, 10):
                rng = np.random.default_rng([args.seed, snr, len(name)])
                exs = []
                for _ in range(args.sequences):
                    if isinstance(noise, str) and noise == "babble":
                        ex = make_sequence(clean_test, None, voices_test, rng, snr_range=(snr, snr),
                                           p_noise_only=0.0, noise_kind="babble",
                                           p_narrowband=0.0)
                    elif isinstance(noise, str):
                        ex = make_sequence(clean_test, None, None, rng, snr_range=(snr, snr),
                                           p_noise_only=0.0, p_narrowband=0.0,
                                           noise_kind=augment.white_noise(SEQUENCE, rng))
                    else:
                        ex = make_sequence(clean_test, None, None, rng, snr_range=(snr, snr),
                                           p_noise_only=0.0, noise_kind=noise,
                                           p_narrowband=0.0)
                    exs.append(ex)
                x, _ = _batch(exs)
                with torch.no_grad():
                    p = probabilities(net, x, mean, std, lookahead_of(meta)).numpy()
                truth = [e[1][:p.shape[1]] for e in exs]
                dec = [decide(row, **decision) for row in p]
                s = score(dec, truth)
                results[f"{name}@{snr}"] = s
                groups[group].append((snr, s))
                print(f"{group:8s} {name:20s} {snr:3d} dB  acc {s['accuracy']:.3f}  miss "
                      f"{s['miss']:.3f}  fa {s['false_alarm']:.3f}  onsets<=100ms "
                      f"{s['onsets_within_100ms']:.3f}", flush=True)
    for group, rows in groups.items():
        for snr in (0, 5, 10):
            accs = [s["accuracy"] for q, s in rows if q == snr]
            summary[f"{group}_accuracy_{snr}db_mean"] = float(np.mean(accs))
            summary[f"{group}_accuracy_{snr}db_min"] = float(np.min(accs))
    out = {"decision": decision, "sequences_per_cell": args.sequences, "results": results,
           "summary": summary}
    with open(args.out, "w") as fh:
        json.dump(out, fh, indent=1)
    print(json.dumps(summary, indent=1))


# --------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("train")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--max-minutes", type=float)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--steps-per-epoch", type=int, default=250)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--conv", type=int, default=64)
    p.add_argument("--hidden", type=int, default=96)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--babble-share", type=float, default=0.30,
                   help="fraction of noisy training sequences whose noise is babble")
    p.add_argument("--babble-snr", type=float, nargs=2, default=[-5.0, 20.0],
                   metavar=("LO", "HI"), help="SNR range (dB) of the babble sequences")
    p.add_argument("--init-from", default="",
                   help="warm start from an exported model file (same --conv/--hidden)")
    p.add_argument("--lookahead", type=int, default=0,
                   help="frames (10 ms) of look-ahead: the decision for frame t is made at "
                   "frame t + L (latency 25 + 10 L ms)")
    p.add_argument("--recolour", type=float, default=0.0,
                   help="probability of a random spectral shape + modulation on real and "
                        "coloured training noises (augment.random_colouring)")
    p.add_argument("--machine", type=float, default=0.0,
                   help="probability that a real or coloured training noise is replaced by "
                        "synthetic machinery noise (common/machine_noise.py)")
    p.add_argument("--onset-weight", type=float, default=1.0,
                   help="loss weight of the frames around each true speech onset (1 = none)")
    p.add_argument("--checkpoints", default="",
                   help=f"checkpoint folder (default {os.path.relpath(CKPT, REPO)})")
    p = sub.add_parser("tune")
    p.add_argument("--checkpoint")
    p.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("export")
    p.add_argument("--checkpoint")
    p.add_argument("--out")
    p.add_argument("--golden-dir", default=os.path.join(REPO, "tests", "models", "golden"),
                   help="where to write the parity golden files ('' for none)")
    p = sub.add_parser("eval")
    p.add_argument("--model")
    p.add_argument("--sequences", type=int, default=24, help="sequences per noise and SNR")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--out", default=EVAL_OUT)
    args = ap.parse_args(argv)
    t0 = time.time()
    {"train": train, "tune": tune, "export": export_model, "eval": evaluate}[args.cmd](args)
    print(f"{args.cmd}: {time.time() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
