"""Held-out evaluation of the denoise recipe through auris-server (the C++ engine).

`recipe.py eval` runs `evaluate`: held-out utterances (synthetic test voices and real
held-out speakers) mixed with exercise_bike, speechbrain_noise1 and babble of held-out
voices at -5..20 dB, plus clean copies, denoised by every model named in --models; reports
SI-SDR improvement and STOI change per noise (0-10 dB) and per SNR, the noisy input's own
scores, and what the clean input becomes.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np

from models.recipes.common import augment, metrics
from models.recipes.denoise.mixing import is_synthetic
from models.recipes.denoise.recipe import CACHE, HELDOUT_NOISES, REPO, SR, load_set

EVAL_SNRS = (-5, 0, 5, 10, 20)


def eval_set(seed: int = 1234, per_kind: int = 30, cache: str = CACHE):
    """Held-out mixtures: (name, noise kind, snr or None for clean, noisy, clean)."""
    clean = load_set("clean_test", cache)
    with open(os.path.join(cache, "clean_test.txt")) as fh:
        paths = fh.read().split()
    synth = [i for i, p in enumerate(paths) if is_synthetic(p)]
    real = [i for i in range(len(paths)) if i not in set(synth)]
    rng = np.random.default_rng(seed)
    picks = list(rng.permutation(synth)[:per_kind]) + list(rng.permutation(real)[:per_kind])
    noises = dict(zip(HELDOUT_NOISES, load_set("noise_test", cache)))
    voices = load_set("babble_test", cache)
    items = []
    for i in picks:
        x = clean[i]
        x = x / (augment.rms(x) + 1e-9) * 10 ** (rng.uniform(-30, -15) / 20)
        tag = ("synth" if i in set(synth) else "real") + f"{i:04d}"
        items.append((f"{tag}_clean", "none", None, x, x))
        for kind in HELDOUT_NOISES + ("babble_heldout",):
            for snr in EVAL_SNRS:
                noise = (augment.babble(voices, len(x), rng) if kind == "babble_heldout"
                         else augment.fit_length(noises[kind], len(x), rng))
                noisy = augment.add_noise(x, noise, snr, rng)
                peak = np.max(np.abs(noisy))
                scale = 0.99 / peak if peak > 0.99 else 1.0
                items.append((f"{tag}_{kind}_{snr}", kind, snr, noisy * scale, x * scale))
    return items


def _run_server_denoise(items, models: list[str], workdir: str) -> dict:
    """Denoises every item through auris-server (the C++ engine) with each model."""
    import signal as sig
    import subprocess
    import soundfile as sf
    build = os.environ.get("AURIS_BUILD", os.path.join(REPO, "build"))
    server = os.path.join(build, "server", "auris-server")
    client = os.path.join(build, "clients", "auris")
    for b in (server, client):
        if not os.path.exists(b):
            raise SystemExit(f"{b} not found: build first (scripts/build.sh) or set AURIS_BUILD")
    noisy_dir = os.path.join(workdir, "noisy")
    os.makedirs(noisy_dir, exist_ok=True)
    for name, _, _, noisy, _ in items:
        sf.write(os.path.join(noisy_dir, name + ".wav"), noisy, SR, subtype="FLOAT")
    port_file = os.path.join(workdir, "port")
    proc = subprocess.Popen([server, "--listen", "127.0.0.1:0", "--port_file", port_file,
                             "--models_dir", os.path.join(REPO, "models", "shipped")],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(
                                workdir, "server.log"), "w"))
    try:
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.1)
        addr = "127.0.0.1:" + open(port_file).read().strip()
        subprocess.run([client, "--server", addr, "health", "--wait", "60"], check=True,
                       stdout=subprocess.DEVNULL)
        out = {}
        for model in models:
            out_dir = os.path.join(workdir, model)
            t0 = time.time()
            subprocess.run([client, "--server", addr, "--timeout", "600", "denoise",
                            noisy_dir, "-o", out_dir, "--model", model], check=True,
                           stdout=subprocess.DEVNULL)
            out[model] = {name: sf.read(os.path.join(out_dir, name + ".wav"),
                                        dtype="float32")[0] for name, *_ in items}
            print(f"{model}: {len(items)} files in {time.time() - t0:.1f} s", flush=True)
        return out
    finally:
        proc.send_signal(sig.SIGTERM)
        proc.wait(timeout=30)


def _stoi(clean, est) -> float:
    """STOI, or NaN for clips with under ~0.4 s of speech (left out of the means)."""
    try:
        return metrics.stoi(clean, est, SR)
    except ValueError:
        return float("nan")


def evaluate(args) -> None:
    import tempfile
    items = eval_set(seed=args.seed, per_kind=args.per_kind, cache=args.cache)
    models = args.models.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        outputs = _run_server_denoise(items, models, tmp)
    rows = []
    for name, kind, snr, noisy, clean in items:
        row = {"name": name, "noise": kind, "snr": snr, "speech": name[:5]}
        row["si_sdr_in"] = metrics.si_sdr(clean, noisy)
        row["stoi_in"] = _stoi(clean, noisy) if snr is not None else 1.0
        for model in models:
            est = outputs[model][name][:len(clean)]
            row[f"{model}_si_sdr"] = metrics.si_sdr(clean, est)
            row[f"{model}_stoi"] = _stoi(clean, est)
        rows.append(row)
    report = {"models": models, "files": len(rows), "per_noise_0_10db": {}, "per_snr": {},
              "clean_input": {}}
    for kind in HELDOUT_NOISES + ("babble_heldout",):  # the noisy input's own scores
        sel = [r for r in rows if r["noise"] == kind and r["snr"] in (0, 5, 10)]
        report["per_noise_0_10db"][kind] = {"input": {
            "si_sdr_db": float(np.mean([r["si_sdr_in"] for r in sel])),
            "stoi": float(np.nanmean([r["stoi_in"] for r in sel])), "n": len(sel)}}
    for model in models:
        for kind in HELDOUT_NOISES + ("babble_heldout",):
            sel = [r for r in rows if r["noise"] == kind and r["snr"] in (0, 5, 10)]
            report["per_noise_0_10db"].setdefault(kind, {})[model] = {
                "si_sdri_db": float(np.mean([r[f"{model}_si_sdr"] - r["si_sdr_in"]
                                             for r in sel])),
                "stoi_delta": float(np.nanmean([r[f"{model}_stoi"] - r["stoi_in"] for r in sel])),
                "n": len(sel)}
        for snr in EVAL_SNRS:
            sel = [r for r in rows if r["snr"] == snr]
            report["per_snr"].setdefault(str(snr), {})[model] = {
                "si_sdri_db": float(np.mean([r[f"{model}_si_sdr"] - r["si_sdr_in"]
                                             for r in sel])),
                "stoi_delta": float(np.nanmean([r[f"{model}_stoi"] - r["stoi_in"]
                                                for r in sel]))}
        sel = [r for r in rows if r["snr"] is None]
        report["clean_input"][model] = {
            "si_sdr_db": float(np.mean([r[f"{model}_si_sdr"] for r in sel])),
            "stoi": float(np.nanmean([r[f"{model}_stoi"] for r in sel]))}
    first = models[0]
    report["summary"] = {
        "si_sdri_0_10db": float(np.mean([v[first]["si_sdri_db"]
                                         for v in report["per_noise_0_10db"].values()])),
        "stoi_delta_0_10db": float(np.mean([v[first]["stoi_delta"]
                                            for v in report["per_noise_0_10db"].values()])),
        "clean_si_sdr_db": report["clean_input"][first]["si_sdr_db"]}
    text = json.dumps(report, indent=1)
    print(text)
    with open(args.out, "w") as fh:
        fh.write(text + "\n")
