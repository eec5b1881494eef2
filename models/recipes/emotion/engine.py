"""The emotion eval through the C++ engine (`eval --engine cpp`): the model runs inside
auris-server (started on a free loopback port with --workers 1) and each waveform goes
through auris.v1.Emotion.AnalyzeEmotion via the `auris` CLI (`auris --json emotion DIR`),
as 32-bit float WAV so nothing is requantised. Python only writes files, parses the CLI's
JSON lines and computes the metrics (evaluate.py, unchanged heuristics).

Two poolings of the same engine outputs are reported: "engine" = the summaries the server
returns (what users get; the C++ pipeline pools them with the energy rule of
data.speech_mask), and "frames" = the engine's 25 Hz track pooled here in Python with
data.speech_mask, i.e. exactly what the PyTorch eval computes. The two agree when the
server's pooling is right; a difference between "frames" and PyTorch is a network parity
problem."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time

import numpy as np

from models.recipes.emotion.data import CKPT_DIR, REPO, SR, log

SHIPPED_DIR = os.path.join(REPO, "models", "shipped")
SHIPPED_NAME = "emotion"


def binaries(build: str) -> tuple[str, str]:
    build = os.path.abspath(build)
    server = os.path.join(build, "server", "auris-server")
    client = os.path.join(build, "clients", "auris")
    for b in (server, client):
        if not os.path.exists(b):
            raise SystemExit(f"{b} not found: build auris-server and auris (scripts/build.sh) "
                             "or pass --build / set AURIS_BUILD")
    return server, client


def write_descriptor(folder: str, name: str, model_path: str, default: bool) -> None:
    """A model descriptor (models/shipped/*.json format) for the model file at model_path."""
    os.makedirs(folder, exist_ok=True)
    desc = {"auris_model": 1, "name": name, "task": "emotion", "type": "emotion",
            "version": "eval", "default": default,
            "description": f"eval of {os.path.relpath(model_path, REPO)}",
            "file": os.path.abspath(model_path)}
    with open(os.path.join(folder, name + ".json"), "w") as fh:
        json.dump(desc, fh, indent=1)


def checkpoint_to_model_file(checkpoint: str, out: str) -> str:
    """A training checkpoint (.pt) as a float32 model file, for the server to load."""
    from models.recipes.common import export
    from models.recipes.emotion.export import run_export
    import argparse
    run_export(argparse.Namespace(checkpoint=checkpoint, out=out, eval_json=None,
                                  golden_dir=None, float16=False, threads=1))
    export.read_model(out)
    return out


def parse_cli_lines(text: str) -> dict:
    """`auris --json emotion` output -> {path: (frames (T, 2) float32, summary (2,) float32,
    speech seconds)}."""
    out = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        j = json.loads(line)
        fr = np.array([[f["arousal"], f["valence"]] for f in j["frames"]],
                      dtype=np.float32).reshape(-1, 2)
        s = np.array([j["summary"]["arousal"], j["summary"]["valence"]], dtype=np.float32)
        out[j["path"]] = (fr, s, float(j["summary"]["speech_seconds"]))
    return out


class AurisServer:
    """auris-server on 127.0.0.1 (free port), one worker; a context manager."""

    def __init__(self, server_bin: str, models_dir: str, workdir: str):
        self.cmd = [server_bin, "--listen", "127.0.0.1:0", "--models_dir", models_dir,
                    "--workers", "1", "--max_unary_audio_seconds", "3600", "--log_format", "text"]
        self.workdir = workdir
        self.address = None
        self.proc = None

    def __enter__(self):
        port_file = os.path.join(self.workdir, "port")
        self.log_path = os.path.join(self.workdir, "server.log")
        self.proc = subprocess.Popen(self.cmd + ["--port_file", port_file],
                                     stdout=subprocess.DEVNULL, stderr=open(self.log_path, "w"))
        for _ in range(600):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        else:
            self.__exit__(None, None, None)
            raise SystemExit(f"auris-server did not start; log: {self.log_path}")
        if self.proc.poll() is not None:
            raise SystemExit("auris-server exited: " + open(self.log_path).read()[-2000:])
        self.address = "127.0.0.1:" + open(port_file).read().strip()
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class CppPredictor:
    """Predictor for evaluate(): waveforms -> engine outputs, "engine" mode (2,) summaries,
    "frames" mode the (T // 640, 2) track. Results are cached by waveform content, so the
    second mode costs no server calls."""

    def __init__(self, client_bin: str, address: str, model: str, workdir: str,
                 mode: str = "engine", cache: dict | None = None):
        assert mode in ("engine", "frames")
        self.client, self.address, self.model = client_bin, address, model
        self.workdir, self.mode = workdir, mode
        self.cache = {} if cache is None else cache
        self.calls = 0

    def with_mode(self, mode: str) -> "CppPredictor":
        return CppPredictor(self.client, self.address, self.model, self.workdir, mode,
                            self.cache)

    @staticmethod
    def key(wave: np.ndarray) -> str:
        return hashlib.sha1(np.ascontiguousarray(wave, dtype=np.float32).tobytes()).hexdigest()

    def run(self, waves) -> list:
        import soundfile as sf
        keys = [self.key(w) for w in waves]
        todo = sorted({k: i for i, k in enumerate(keys) if k not in self.cache}.items())
        if todo:
            self.calls += 1
            folder = os.path.join(self.workdir, f"{self.model}-{time.time_ns()}")
            os.makedirs(folder)
            paths = {}
            for j, (k, i) in enumerate(todo):
                p = os.path.join(folder, f"{j:05d}.wav")
                sf.write(p, np.asarray(waves[i], dtype=np.float32), SR, subtype="FLOAT")
                paths[p] = k
            t0 = time.time()
            r = subprocess.run([self.client, "--server", self.address, "--timeout", "600",
                                "--json", "emotion", "--model", self.model, folder],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise SystemExit(f"auris emotion failed ({r.returncode}): {r.stderr[-2000:]}")
            got = parse_cli_lines(r.stdout)
            for p, k in paths.items():
                self.cache[k] = got[p]
                os.remove(p)
            os.rmdir(folder)
            log(f"engine: {len(todo)} files in {time.time() - t0:.1f} s")
        return [self.cache[k] for k in keys]

    def __call__(self, waves):
        outs = self.run(waves)
        return [s if self.mode == "engine" else f for f, s, _ in outs]


def torch_parity(model_path: str, cpp: CppPredictor, waves) -> dict:
    """The same model file in PyTorch on the same waveforms: per-frame and summary (energy
    rule pooling) differences against the engine's track. Also at +20 dB against PyTorch on
    the input clipped to [-1, 1], which is what the engine sees: the server's decoder clips
    samples to the nominal range (dsp::AppendMono)."""
    from models.recipes.common import augment, export
    from models.recipes.emotion.model import load_exported, predict_frames, summarize
    tensors, meta, _ = export.read_model(model_path)
    net = load_exported(tensors, meta["layers"])

    def compare(engine_in, torch_in):
        ref = predict_frames(net, torch_in)
        eng = [f for f, _, _ in cpp.run(engine_in)]
        same = [(a, b, w) for a, b, w in zip(ref, eng, torch_in) if len(a) == len(b)]
        diff = np.concatenate([np.abs(a - b).ravel() for a, b, _ in same] or [np.zeros(1)])
        summ = np.array([np.abs(summarize(a, w) - summarize(b, w)) for a, b, w in same])
        return {"frame_count_mismatches": len(ref) - len(same),
                "max_abs_frame_diff": float(diff.max()),
                "mean_abs_frame_diff": float(diff.mean()),
                "max_abs_summary_diff": {"arousal": float(summ[:, 0].max()),
                                         "valence": float(summ[:, 1].max())}}

    loud = [augment.apply_gain(w, 20.0) for w in waves]
    return {"model_file": os.path.relpath(model_path, REPO), **compare(waves, waves),
            "+20dB_vs_torch_on_clipped_input": compare(loud, [np.clip(w, -1, 1) for w in loud])}


def default_cross_model() -> str | None:
    pt = os.path.join(CKPT_DIR, "ravdess", "best.pt")
    return pt if os.path.exists(pt) else None


def _model_file(path: str, tmp: str, name: str) -> str:
    if path.endswith(".pt"):
        return checkpoint_to_model_file(path, os.path.join(tmp, name + ".safetensors"))
    return path


def run_eval_cpp(args) -> dict:
    """`eval --engine cpp`: evaluate() with the engine's summaries, plus the energy-rule
    pooling of its track ("frames") and, unless --no-torch-parity, a PyTorch comparison."""
    import tempfile
    from models.recipes.emotion.data import Corpus, speech_mask
    from models.recipes.emotion.evaluate import evaluate, gain_check, model_metrics
    from models.recipes.emotion.model import summaries
    corpus = Corpus(args.cache)
    server_bin, client_bin = binaries(args.build)
    with tempfile.TemporaryDirectory(prefix="auris_emotion_eval_") as tmp:
        models_dir = os.path.join(tmp, "models")
        if args.model:
            model_path = _model_file(args.model, tmp, "main")
            write_descriptor(models_dir, "emotion-eval", model_path, default=True)
            name, described = "emotion-eval", os.path.relpath(args.model, REPO)
        else:
            with open(os.path.join(SHIPPED_DIR, SHIPPED_NAME + ".json")) as fh:
                shipped = json.load(fh)
            model_path = os.path.normpath(os.path.join(SHIPPED_DIR, shipped["file"]))
            write_descriptor(models_dir, SHIPPED_NAME, model_path, default=True)
            name, described = SHIPPED_NAME, "models/shipped/emotion.json -> " + \
                os.path.relpath(model_path, REPO)
        cross_path = args.cross_model or default_cross_model()
        if cross_path:
            write_descriptor(models_dir, "emotion-cross", _model_file(cross_path, tmp, "cross"),
                             default=False)
        with AurisServer(server_bin, models_dir, tmp) as srv:
            pred = CppPredictor(client_bin, srv.address, name, tmp)
            cross = (CppPredictor(client_bin, srv.address, "emotion-cross", tmp)
                     if cross_path else None)
            res = evaluate(pred, corpus, cross)
            res["predictor"] = f"cpp:auris-server ({os.path.relpath(server_bin, REPO)}): " + \
                described
            res["summary_pooling"] = "engine energy rule (what AnalyzeEmotion returns)"
            res["gain_check_note"] = (
                "+20 dB: the server clips decoded samples to [-1, 1] and the corpora peak near "
                "0 dBFS, so the engine gets +20 dB as clipped audio (the PyTorch eval feeds "
                "samples up to 10); see torch_parity['+20dB_vs_torch_on_clipped_input']")
            if not cross_path:
                res["cross_corpus_ravdess_to_emodb"] = (
                    "missing: no RAVDESS-only model (train --corpus ravdess, or --cross-model)")
            held = corpus.select("heldout")
            waves = [corpus.wave(i) for i in held]
            fr = pred.with_mode("frames")
            s = summaries(fr, waves)
            res["energy_rule_pooling"] = {
                "what": "the engine's 25 Hz track pooled with the recipe's energy rule "
                        "(data.speech_mask), as the PyTorch eval pools",
                "model": model_metrics(s, corpus.labels(held),
                                       [corpus.utts[i]["corpus"] for i in held]),
                "gain_check": gain_check(fr, waves, s)}
            speech = np.array([sp for _, _, sp in pred.run(waves)])
            dur = np.array([len(w) // 640 * 0.04 for w in waves])
            mask = np.array([speech_mask(w).mean() if len(w) >= 640 else 0.0 for w in waves])
            res["speech_frames"] = {
                "engine_mean_fraction": float(np.mean(speech / np.maximum(dur, 1e-9))),
                "engine_none_utterances": int(np.sum(speech == 0)),
                "energy_rule_mean_fraction": float(np.mean(mask))}
            if not args.no_torch_parity:
                res["torch_parity"] = torch_parity(model_path, pred, waves)
            res["server_calls"] = pred.calls
    return res
