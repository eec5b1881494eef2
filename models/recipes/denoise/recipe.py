"""The `denoise` model recipe: causal CNN+LSTM spectral mask (issue #8).

    /usr/bin/python3 -m models.recipes.denoise.recipe prepare --synth .cache/synth-s0
    /usr/bin/python3 -m models.recipes.denoise.recipe train [--resume] [--max-minutes M]
    /usr/bin/python3 -m models.recipes.denoise.recipe export
    /usr/bin/python3 -m models.recipes.denoise.recipe eval [--seed N]   (evaluate.py)
    /usr/bin/python3 -m models.recipes.denoise.recipe widen | average   (model-file tools)

Signal path (what the C++ NeuralDenoisePipeline runs): 16 kHz audio, frames of 320 samples
(20 ms) every 160 (10 ms), frame t covering [160 t, 160 t + 320); periodic sqrt-Hann
analysis window; 320-point real FFT (161 bins, no scaling); features log(|X|^2 + 1e-9);
global CMVN (tensors cmvn.mean / cmvn.std); the network (netspec layer list, ending in a
sigmoid) gives a real mask per bin; the masked spectrum goes through the inverse FFT, the
sqrt-Hann synthesis window and overlap-add (sqrt-Hann squared at 50% overlap sums to 1,
so mask = 1 reconstructs the input exactly). Algorithmic latency: one frame, 20 ms.

Data: clean speech = synthetic voices of the training split (synth.py) + real training
speakers of EmoDB and RAVDESS + the Asterisk prompts (8 kHz, upsampled); noise = the real
noise clips except the held-out exercise_bike and speechbrain_noise1, synthetic coloured
noise, babble of 3-7 training voices (synthetic; `train --babble-real N` adds N real
training recordings to the babble voices); SNR uniform in -5..20 dB, 5% clean-only examples,
overall level -35..-5 dBFS. Held out for evaluation: the synthetic test_speaker voices
(slt, rms, two espeak-ng accents) and the real held-out speakers (readers.py), mixed with
exercise_bike, speechbrain_noise1 and babble of held-out voices.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import time

import numpy as np

from models.recipes.common import augment, average, export, netspec, readers, trainer
from models.recipes.denoise import stoi_loss, widen
from models.recipes.denoise.mixing import babble_pool, make_example

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(RECIPE_DIR, "cache")
CKPT = os.path.join(RECIPE_DIR, "checkpoints")
REPO = readers.REPO_ROOT
OUT_MODEL = os.path.join(REPO, "models", "denoise", "denoise.safetensors")

SR = 16000
N_FFT = 320
HOP = 160
BINS = N_FFT // 2 + 1
LOG_FLOOR = 1e-9
HELDOUT_NOISES = ("exercise_bike", "speechbrain_noise1")
FRONT_END = {"type": "stft_mask", "n_fft": N_FFT, "win_length": N_FFT, "hop_length": HOP,
             "window": "sqrt_hann", "log_floor": LOG_FLOOR, "mask": "real"}


def spec(hidden: int = 192, conv: int = 128) -> list:
    return [
        {"type": "conv1d", "name": "conv", "in_channels": BINS, "out_channels": conv,
         "kernel_size": 3},
        {"type": "batchnorm", "name": "bn", "num_features": conv},
        {"type": "relu", "name": "relu"},
        {"type": "lstm", "name": "lstm", "input_size": conv, "hidden_size": hidden,
         "num_layers": 2},
        {"type": "linear", "name": "out", "in_features": hidden, "out_features": BINS},
        {"type": "sigmoid", "name": "mask"},
    ]


# --------------------------------------------------------------------------- audio
def read16k(path: str) -> np.ndarray:
    return augment.load_noises([path], SR, max_seconds=None)[0]


def _asterisk_paths() -> list[str]:
    return sorted(glob.glob("/usr/share/asterisk/sounds/en/**/*.wav", recursive=True))


def _pack(arrays) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.array([len(a) for a in arrays], np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    data = np.concatenate(arrays) if arrays else np.zeros(0, np.float32)
    return (np.clip(data, -1, 1) * 32767).astype(np.int16), offsets


def _unpack(data, offsets):
    return [data[offsets[i]:offsets[i + 1]].astype(np.float32) / 32767
            for i in range(len(offsets) - 1)]


def prepare(args) -> dict:
    """Reads every clean and noise source once into int16 arrays in the cache."""
    t0 = time.time()
    cache = args.cache
    os.makedirs(cache, exist_ok=True)
    rows = readers.read_tsv(os.path.join(args.synth, "manifest.tsv"))
    split = {"train": [], "valid": [], "test": []}
    for u in rows:
        s = u.extra.get("split")
        if s == "train":
            split["train"].append(u.path)
        elif s == "test_text":
            split["valid"].append(u.path)
        elif s == "test_speaker":
            split["test"].append(u.path)
    rng = np.random.default_rng(args.seed)
    synth_train = [split["train"][i] for i in
                   rng.permutation(len(split["train"]))[:args.synth_utterances]]
    babble_train = [split["train"][i] for i in
                    rng.permutation(len(split["train"]))[-args.babble_utterances:]
                    if split["train"][i] not in set(synth_train)]
    real = readers.read_emodb() + readers.read_ravdess()
    real_train = [u.path for u in real if not readers.is_heldout_speaker(u.speaker)]
    asterisk = _asterisk_paths()
    if args.real_limit:  # a seeded subset of each real training source (smoke tests)
        real_train = [real_train[i] for i in
                      sorted(rng.permutation(len(real_train))[:args.real_limit])]
        asterisk = [asterisk[i] for i in sorted(rng.permutation(len(asterisk))[:args.real_limit])]
    real_test = [u for u in real if readers.is_heldout_speaker(u.speaker)]
    test_rng = np.random.default_rng(args.seed + 1)
    real_test = [real_test[i].path for i in test_rng.permutation(len(real_test))[:60]]
    test_synth = split["test"][:80]
    test_babble = split["test"][80:200]
    sets = {
        "clean_train": synth_train + real_train + asterisk,
        "babble_train": babble_train,
        "clean_valid": split["valid"][:64],
        "clean_test": test_synth + real_test,
        "babble_test": test_babble,
    }
    noise_rows = readers.read_noise()
    sets["noise_train"] = [u.path for u in noise_rows
                           if u.extra["name"] not in HELDOUT_NOISES]
    sets["noise_test"] = [u.path for u in noise_rows if u.extra["name"] in HELDOUT_NOISES]
    info = {}
    for name, paths in sets.items():
        arrays = [read16k(p) for p in paths]
        data, offsets = _pack(arrays)
        np.save(os.path.join(cache, f"{name}.npy"), data)
        np.save(os.path.join(cache, f"{name}_offsets.npy"), offsets)
        with open(os.path.join(cache, f"{name}.txt"), "w") as fh:
            fh.write("\n".join(paths) + "\n")
        info[name] = {"files": len(paths), "hours": len(data) / SR / 3600}
        print(f"{name}: {len(paths)} files, {len(data) / SR / 3600:.2f} h", flush=True)
    info["wall_seconds"] = time.time() - t0
    with open(os.path.join(cache, "prepare.json"), "w") as fh:
        json.dump(info, fh, indent=1)
    print(json.dumps(info, indent=1))
    return info


def load_set(name: str, cache: str = CACHE) -> list[np.ndarray]:
    return _unpack(np.load(os.path.join(cache, f"{name}.npy")),
                   np.load(os.path.join(cache, f"{name}_offsets.npy")))


# --------------------------------------------------------------------------- torch model
def _torch():
    import torch
    return torch


def window():
    torch = _torch()
    return torch.sqrt(torch.hann_window(N_FFT, periodic=True))


def stft(x):
    """(N, S) -> complex (N, T, BINS), frame t = samples [160 t, 160 t + 320)."""
    torch = _torch()
    frames = x.unfold(-1, N_FFT, HOP) * window()
    return torch.fft.rfft(frames, dim=-1)


def istft(spec_c, length):
    """Inverse of `stft` by windowed overlap-add; (N, T, BINS) -> (N, length)."""
    torch = _torch()
    frames = torch.fft.irfft(spec_c, n=N_FFT, dim=-1) * window()  # (N, T, N_FFT)
    n, t, _ = frames.shape
    out = torch.nn.functional.fold(frames.transpose(1, 2), output_size=(1, (t - 1) * HOP + N_FFT),
                                   kernel_size=(1, N_FFT), stride=(1, HOP))
    out = out.reshape(n, -1)
    if out.shape[1] < length:
        out = torch.nn.functional.pad(out, (0, length - out.shape[1]))
    return out[:, :length]


def features(spec_c, mean, std):
    torch = _torch()
    return (torch.log(spec_c.real ** 2 + spec_c.imag ** 2 + LOG_FLOOR) - mean) / std


def enhance(net, noisy, mean, std):
    """(N, S) -> (N, S) in torch: the whole pipeline, output aligned with the input."""
    x = stft(noisy)
    mask = net(features(x, mean, std))
    return istft(x * mask, noisy.shape[1])


def si_sdr_torch(ref, est, eps=1e-8):
    ref = ref - ref.mean(dim=1, keepdim=True)
    est = est - est.mean(dim=1, keepdim=True)
    alpha = (est * ref).sum(1, keepdim=True) / ((ref * ref).sum(1, keepdim=True) + eps)
    target = alpha * ref
    noise = est - target
    return 10 * _torch().log10((target.pow(2).sum(1) + eps) / (noise.pow(2).sum(1) + eps))


def compute_cmvn(clean_set, noise_set, voices, seed, count=256):
    torch = _torch()
    rng = np.random.default_rng([seed, 99])
    feats = []
    for _ in range(count):
        noisy, _ = make_example(clean_set, noise_set, voices, rng)
        x = stft(torch.from_numpy(noisy)[None])
        feats.append(torch.log(x.real ** 2 + x.imag ** 2 + LOG_FLOOR)[0])
    f = torch.cat(feats)
    return f.mean(0), f.std(0).clamp_min(1e-3)


def train(args) -> dict:
    torch = _torch()
    trainer.set_threads(args.threads)
    cache = args.cache
    clean, noise, voices = (load_set(n, cache) for n in
                            ("clean_train", "noise_train", "babble_train"))
    if args.babble_real:
        with open(os.path.join(cache, "clean_train.txt")) as fh:
            clean_paths = fh.read().split("\n")[:len(clean)]
        voices = babble_pool(voices, clean, clean_paths, args.babble_real, args.seed)
    valid_clean = load_set("clean_valid", cache)
    net = netspec.SpecNet(spec(args.hidden, args.conv))
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    total = args.epochs * args.steps_per_epoch
    tr = trainer.Trainer(net, opt, trainer.warmup_cosine(args.lr, 300, total), args.ckpt_dir,
                         seed=args.seed, monitor="valid_si_sdri", ema_decay=args.ema)
    if not (args.resume and os.path.exists(tr.last_path)):
        prior = {"steps": 0, "wall_minutes": 0.0}
        if args.init_from:
            mean, std, prior = trainer.warm_start(net, args.init_from, "--hidden/--conv")
        else:
            mean, std = compute_cmvn(clean, noise, voices, args.seed)
        tr.extra = {"cmvn_mean": mean, "cmvn_std": std, "hidden": args.hidden,
                    "conv": args.conv, "args": vars(args), "prior_training": prior}
    else:
        tr.load()
    valid = []
    vrng = np.random.default_rng([args.seed, 7])
    for _ in range(64):
        valid.append(make_example(valid_clean, noise, voices, vrng, snr_range=(0, 10),
                                  p_clean=0.0))
    v_noisy = torch.from_numpy(np.stack([v[0] for v in valid]))
    v_target = torch.from_numpy(np.stack([v[1] for v in valid]))
    # The noisy input's scores are fixed for the run: computed once, not per validation.
    v_sdr_in = si_sdr_torch(v_target, v_noisy).mean().item()
    v_stoi_in = stoi_loss.intelligibility(v_target, v_noisy).mean().item()

    def batches(epoch):
        return [(epoch, i) for i in range(args.steps_per_epoch)]

    def step(key):
        epoch, i = key
        rng = np.random.default_rng(augment.utterance_seed(args.seed, i, epoch))
        pairs = [make_example(clean, noise, voices, rng, p_recolour=args.recolour,
                              p_machine=args.machine)
                 for _ in range(args.batch)]
        noisy = torch.from_numpy(np.stack([p[0] for p in pairs]))
        target = torch.from_numpy(np.stack([p[1] for p in pairs]))
        est = enhance(net, noisy, tr.extra["cmvn_mean"], tr.extra["cmvn_std"])
        cut = slice(HOP, -HOP)
        sdr = si_sdr_torch(target[:, cut], est[:, cut])
        # Spectral term on compressed magnitudes keeps quiet (clean-only) parts right.
        se, st = stft(est), stft(target)
        mag = (se.abs() + 1e-8).pow(0.3) - (st.abs() + 1e-8).pow(0.3)
        level = (st.abs() + 1e-8).pow(0.3).mean()
        spec_loss = mag.abs().mean() / level
        loss = -sdr.mean() / 10 + spec_loss
        logs = {}
        if args.stoi_weight > 0:
            d = stoi_loss.intelligibility(target[:, cut], est[:, cut]).mean()
            loss = loss + args.stoi_weight * (1 - d)
            logs["stoi"] = d.item()
        loss.backward()
        return {"loss": loss.item(), "si_sdr": sdr.mean().item(), **logs}

    def validate():
        est = enhance(net, v_noisy, tr.extra["cmvn_mean"], tr.extra["cmvn_std"])
        after = si_sdr_torch(v_target, est).mean().item()
        # Reported, not used for selection (monitor stays valid_si_sdri): the loss's
        # STOI-like score of the output minus the noisy input's.
        d_out = stoi_loss.intelligibility(v_target, est).mean().item()
        return {"valid_si_sdr_in": v_sdr_in, "valid_si_sdr_out": after,
                "valid_si_sdri": after - v_sdr_in, "valid_stoi_like_delta": d_out - v_stoi_in}

    result = tr.fit(batches, step, args.epochs, validate, resume=args.resume,
                    max_minutes=args.max_minutes)
    print(json.dumps(result, default=str))
    return result


# --------------------------------------------------------------------------- export
def load_trained(path=None, ckpt_dir=CKPT):
    """The network of a training checkpoint (default: ckpt_dir/best.pt), in eval mode."""
    torch = _torch()
    state = torch.load(path or os.path.join(ckpt_dir, "best.pt"), map_location="cpu")
    extra = state["extra"]
    net = netspec.SpecNet(spec(extra["hidden"], extra["conv"]))
    net.load_state_dict(state["model"])
    net.eval()
    return net, extra, state


def read_metrics(path: str) -> dict:
    """The `summary` of an eval JSON (evaluate.py), as the model file's `metrics`."""
    with open(path) as fh:
        return {k: float(v) for k, v in json.load(fh).get("summary", {}).items()}


def export_model(args) -> dict:
    net, extra, state = load_trained(args.checkpoint, args.ckpt_dir)
    prior = extra.get("prior_training") or {"steps": 0, "wall_minutes": 0.0}
    tensors = net.export_tensors(np.float16 if args.float16 else np.float32)
    tensors["cmvn.mean"] = extra["cmvn_mean"].numpy().astype(np.float32)
    tensors["cmvn.std"] = extra["cmvn_std"].numpy().astype(np.float32)
    layers = net.spec
    last = extra.get("args", {})  # the last stage's train flags
    held = read_metrics(args.metrics) if args.metrics and os.path.exists(args.metrics) else {}
    meta = {
        "format_version": export.FORMAT_VERSION, "task": "denoise", "name": "denoise",
        "sample_rate_hz": SR, "front_end": FRONT_END, "layers": layers,
        "streaming": {"frame_shift_ms": 10, "subsampling": netspec.subsampling(layers),
                      "receptive_field_frames": netspec.receptive_field(layers),
                      "latency_ms": 20, "chunk_frames": 1, "look_ahead_frames": 0},
        "training_data": {"clean": "synthetic voices (espeak-ng, flite, festival; train "
                          "split), EmoDB + RAVDESS training speakers, Asterisk prompts",
                          "noise": "shared real noise except exercise_bike and "
                          "speechbrain_noise1; coloured; babble of training voices"
                          + ("; synthetic machinery noise" if last.get("machine") else ""),
                          "snr_db": [-5, 20],
                          "recolour_last_stage": last.get("recolour", 0.0),
                          "machine_last_stage": last.get("machine", 0.0),
                          "stoi_weight_last_stage": last.get("stoi_weight", 0.0),
                          "ema_last_stage": last.get("ema", 0.0),
                          "steps": state["global_step"] + prior["steps"],
                          "wall_minutes": round(state["wall_seconds"] / 60
                                                + prior["wall_minutes"], 1)},
        "metrics": held,
    }
    if "widened_from_hidden" in prior:
        meta["training_data"]["widened_from_hidden"] = prior["widened_from_hidden"]
    os.makedirs(os.path.dirname(OUT_MODEL), exist_ok=True)
    export.write_model(args.out or OUT_MODEL, tensors, meta)
    size = os.path.getsize(args.out or OUT_MODEL)
    if args.golden_dir:
        write_golden(args.out or OUT_MODEL, args.golden_dir)
    print(f"wrote {args.out or OUT_MODEL}: {size} bytes, "
          f"{netspec.count_parameters(net)} parameters, "
          f"{2 * netspec.macs_per_frame(layers) * 100 / 1e9:.3f} GFLOP per audio second")
    return meta


def widen_model(args) -> dict:
    """Writes --model with its LSTM widened to --hidden units (widen.py: the output is
    unchanged); `train --init-from OUT --hidden N` continues from it."""
    tensors, meta, _ = export.read_model(args.model)
    tensors, layers = widen.widen(tensors, meta["layers"], args.hidden,
                                  np.random.default_rng(args.seed))
    old = next(c["hidden_size"] for c in meta["layers"] if c["type"] == "lstm")
    meta = dict(meta, layers=layers)
    meta["training_data"] = dict(meta.get("training_data", {}), widened_from_hidden=old)
    export.write_model(args.out, tensors, meta)
    print(f"wrote {args.out}: LSTM {old} -> {args.hidden} units")
    return meta


def average_models(args) -> dict:
    """Writes --out, the weighted mean of --models (common/average.py)."""
    paths = [m for m in args.models.split(",") if m]
    weights = [float(w) for w in args.weights.split(",")] if args.weights else None
    tensors, meta = average.average(paths, weights)
    if args.metrics:  # held-out figures measured on this average (eval's JSON)
        meta["metrics"] = read_metrics(args.metrics)
    export.write_model(args.out, tensors, meta)
    if args.golden_dir:
        write_golden(args.out, args.golden_dir)
    print(f"wrote {args.out}: average of {meta['training_data']['averaged_from']}")
    return meta


def reference_pipeline(net, x, mean, std) -> np.ndarray:
    """What NeuralDenoisePipeline computes at 16 kHz: the input preceded by 160 zeros
    (so the first samples are reconstructed), zero-padded to whole frames, enhanced, and
    cut back to the input's span."""
    torch = _torch()
    lead = N_FFT - HOP
    frames = -(-(lead + len(x)) // HOP)
    padded = np.zeros((frames - 1) * HOP + N_FFT, np.float32)
    padded[lead:lead + len(x)] = x
    with torch.no_grad():
        y = enhance(net, torch.from_numpy(padded)[None], mean, std)[0].numpy()
    return y[lead:lead + len(x)]


def golden_input(seconds: float = 1.0, seed: int = 3) -> np.ndarray:
    """Deterministic speech-like signal (harmonics with a syllable envelope) in pink-ish
    noise; corpus audio may not be copied into the repository."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    phase = 2 * np.pi * np.cumsum(130 + 30 * np.sin(2 * np.pi * 1.7 * t)) / SR
    x = sum(np.sin(k * phase) / k for k in range(1, 15))
    x = 0.1 * x * (0.5 - 0.5 * np.cos(2 * np.pi * 4 * t)) ** 2
    return (x + 0.02 * np.cumsum(rng.standard_normal(n)) * 0.05).astype(np.float32)


def write_golden(model_path: str, golden_dir: str) -> None:
    """denoise_parity_{in,out}.f32 for tests/models: the shipped file's weights as stored
    (float16 upcast) through reference_pipeline."""
    torch = _torch()
    tensors, meta, _ = export.read_model(model_path)
    net = netspec.SpecNet(meta["layers"]).eval()
    net.load_exported(tensors)
    mean = torch.from_numpy(tensors["cmvn.mean"].astype(np.float32))
    std = torch.from_numpy(tensors["cmvn.std"].astype(np.float32))
    x = golden_input()
    y = reference_pipeline(net, x, mean, std)
    os.makedirs(golden_dir, exist_ok=True)
    x.astype("<f4").tofile(os.path.join(golden_dir, "denoise_parity_in.f32"))
    y.astype("<f4").tofile(os.path.join(golden_dir, "denoise_parity_out.f32"))
    print(f"wrote {golden_dir}/denoise_parity_{{in,out}}.f32 ({len(x)} samples)")


# --------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--synth", default=os.path.join(REPO, ".cache", "synth-s0"))
    p.add_argument("--synth-utterances", type=int, default=4000)
    p.add_argument("--babble-utterances", type=int, default=600)
    p.add_argument("--real-limit", type=int, default=0,
                   help="at most N real training recordings and N Asterisk prompts (0 = all)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache", default=CACHE, help="prepared data folder (default %(default)s)")
    p = sub.add_parser("train")
    p.add_argument("--cache", default=CACHE, help="prepared data folder (default %(default)s)")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--max-minutes", type=float)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--steps-per-epoch", type=int, default=250)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--hidden", type=int, default=192)
    p.add_argument("--conv", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--init-from", default="",
                   help="warm start from this exported model file (same --hidden/--conv)")
    p.add_argument("--recolour", type=float, default=0.0,
                   help="probability of a random spectral shape + modulation on real and "
                        "coloured training noise (augment.random_colouring)")
    p.add_argument("--babble-real", type=int, default=0,
                   help="real training recordings added to the synthetic babble voices "
                        "(0: babble of synthetic voices only)")
    p.add_argument("--machine", type=float, default=0.0,
                   help="probability that a real or coloured training noise is replaced by "
                        "synthetic machinery noise, alone or mixed with it (mixing.with_machine)")
    p.add_argument("--ckpt-dir", default=CKPT,
                   help="checkpoint folder (default models/recipes/denoise/checkpoints)")
    p.add_argument("--ema", type=float, default=0.0,
                   help="exponential moving average of the weights, decay per step (0: off); "
                        "validation, best.pt and the export use the averaged weights")
    p.add_argument("--stoi-weight", type=float, default=0.0,
                   help="weight of (1 - a differentiable STOI-like score) in the loss "
                        "(stoi_loss.py; 0 = off)")
    p = sub.add_parser("export")
    p.add_argument("--ckpt-dir", default=CKPT, help="training checkpoint folder")
    p.add_argument("--checkpoint", help="checkpoint file (default: CKPT_DIR/best.pt)")
    p.add_argument("--metrics", default=os.path.join(RECIPE_DIR, "eval_metrics.json"),
                   help="eval JSON whose summary goes into the file's metadata ('' = none)")
    p.add_argument("--out")
    p.add_argument("--float16", action="store_true", default=True)
    p.add_argument("--golden-dir", default=os.path.join(REPO, "tests", "models", "golden"),
                   help="where the C++ parity fixtures go ('' = none)")
    p = sub.add_parser("widen", help="a copy of a model file with a wider LSTM, same output")
    p.add_argument("--model", default=OUT_MODEL)
    p.add_argument("--hidden", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True)
    p = sub.add_parser("average", help="weighted mean of model files of one run (soup)")
    p.add_argument("--models", required=True, help="comma-separated model files")
    p.add_argument("--weights", default="", help="comma-separated, one per file (default "
                   "equal)")
    p.add_argument("--out", required=True)
    p.add_argument("--metrics", default="", help="eval JSON of this average to embed")
    p.add_argument("--golden-dir", default="", help="write the C++ parity fixtures here")
    p = sub.add_parser("eval", help="held-out metrics through auris-server (C++ engine)")
    p.add_argument("--models", default="denoise,classic",
                   help="comma-separated model names; the first one is summarised")
    p.add_argument("--per-kind", type=int, default=30,
                   help="held-out utterances per kind (synthetic voices, real speakers)")
    p.add_argument("--cache", default=CACHE, help="prepared data folder (default %(default)s)")
    p.add_argument("--out", default=os.path.join(RECIPE_DIR, "eval_metrics.json"))
    p.add_argument("--seed", type=int, default=1234,
                   help="draws the utterances, noise segments and levels (1234: the set every "
                        "version's card figures use; another seed, a fresh draw from the same "
                        "held-out pools)")
    a = ap.parse_args(argv)
    if a.cmd == "eval":
        from models.recipes.denoise import evaluate  # imports this module
        return evaluate.evaluate(a)
    return {"prepare": prepare, "train": train, "export": export_model,
            "widen": widen_model, "average": average_models}[a.cmd](a)


if __name__ == "__main__":
    main()
