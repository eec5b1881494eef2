#!/usr/bin/python3
"""Writes the tiny random-weight model files and references of tests/models/golden/.

Run with Debian's torch and numpy: /usr/bin/python3 scripts/make_pipeline_golden.py

  tiny_denoise.safetensors   task denoise, stft_mask front end (n_fft 320, sqrt-Hann, hop 160),
                             CMVN, conv1d -> relu -> lstm -> linear -> sigmoid (161 -> 161)
  identity_denoise.safetensors  as above without CMVN and a final bias of +30: mask ~= 1
  tiny_emotion.safetensors   task emotion, waveform_frames of 160 samples, conv1d (stride 2)
                             -> relu -> avg_pool 2 -> lstm -> linear -> tanh (160 -> 2), 25 Hz
  serving/*.json             model descriptors for them and "classic": a models directory for
                             the server end-to-end test
  pipeline_input.f32         0.3 s of deterministic 16 kHz input (not a multiple of 10 ms)
  denoise_reference.f32      tiny_denoise over it: numpy STFT -> torch net -> mask -> iSTFT
  emotion_reference.f32      tiny_emotion over it: (T_out, 2) arousal, valence

The reference pipeline is the contract of models/denoise/neural_denoise_pipeline.h: the input
is preceded by win_length - hop zeros, frame t covers padded samples [hop t, hop t + win),
frames run until every input sample is in one (the last zero-padded), the output is
overlap-added with the same window, divided by the summed squared window, and cut back to
the input's span. Emotion frames are non-overlapping 160-sample blocks; a partial last one is
dropped (as models/recipes/emotion does).
"""
import json
import os
import sys

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)
from models.recipes.common import export, netspec  # noqa: E402

OUT = os.path.join(ROOT, "tests", "models", "golden")
RATE = 16000
N_FFT, WIN, HOP = 320, 320, 160
BINS = N_FFT // 2 + 1
LOG_FLOOR = 1e-8
FRAME = 160
STFT_MASK = {"type": "stft_mask", "n_fft": N_FFT, "win_length": WIN, "hop_length": HOP,
             "window": "sqrt_hann", "log_floor": LOG_FLOOR, "mask": "real"}


def test_input() -> np.ndarray:
    """0.3 s + 13 samples: gliding harmonics with a syllable envelope plus white noise."""
    n = int(0.3 * RATE) + 13
    t = np.arange(n) / RATE
    rng = np.random.default_rng(11)
    f0 = 140 + 30 * np.sin(2 * np.pi * 1.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    voiced = sum(np.sin(h * phase) / h for h in range(1, 9))
    env = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)
    return (0.2 * env * voiced + 0.03 * rng.standard_normal(n)).astype(np.float32)


def sqrt_hann(n: int) -> np.ndarray:
    return np.sqrt(0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n))


def stft(x: np.ndarray) -> np.ndarray:
    """(T, BINS) complex128 of the zero-led causal STFT (see the module docstring)."""
    lead = WIN - HOP
    n = lead + len(x)
    frames = -(-n // HOP)
    padded = np.zeros((frames - 1) * HOP + WIN)
    padded[lead:lead + len(x)] = x
    w = sqrt_hann(WIN)
    blocks = np.stack([padded[t * HOP:t * HOP + WIN] * w for t in range(frames)])
    return np.fft.rfft(blocks, N_FFT, axis=1)


def istft(spec: np.ndarray, length: int) -> np.ndarray:
    lead = WIN - HOP
    w = sqrt_hann(WIN)
    frames = np.fft.irfft(spec, N_FFT, axis=1)[:, :WIN] * w
    out = np.zeros((len(spec) - 1) * HOP + WIN)
    for t, f in enumerate(frames):
        out[t * HOP:t * HOP + WIN] += f
    norm = np.array([np.sum(w[k::HOP] ** 2) for k in range(HOP)])
    out /= np.resize(norm, len(out))
    return out[lead:lead + length]


def log_power(spec: np.ndarray) -> np.ndarray:
    return np.log(np.abs(spec) ** 2 + LOG_FLOOR)


def denoise_spec(final_bias: float | None) -> list:
    layers = [
        {"type": "conv1d", "name": "conv", "in_channels": BINS, "out_channels": 16,
         "kernel_size": 3},
        {"type": "relu", "name": "relu"},
        {"type": "lstm", "name": "lstm", "input_size": 16, "hidden_size": 16},
        {"type": "linear", "name": "head", "in_features": 16, "out_features": BINS},
        {"type": "sigmoid", "name": "mask"},
    ]
    if final_bias is not None:  # the identity model: a small net, bias far into saturation
        layers = [
            {"type": "linear", "name": "proj", "in_features": BINS, "out_features": 4},
            {"type": "tanh", "name": "squash"},
            {"type": "linear", "name": "head", "in_features": 4, "out_features": BINS},
            {"type": "sigmoid", "name": "mask"},
        ]
    return layers


def meta(task: str, front_end: dict, spec: list) -> dict:
    return {"format_version": 1, "task": task, "sample_rate_hz": RATE, "front_end": front_end,
            "layers": spec, "streaming": {"chunk_frames": 1, "look_ahead_frames": 0},
            "training_data": {"corpus": "none: random weights (test fixture)"},
            "metrics": {"fixture": 1.0}}


def run(net, features: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return net(torch.from_numpy(features.astype(np.float32))[None]).numpy()[0]


def write_descriptor(name: str, task: str, kind: str, file: str | None, default: bool,
                     description: str, params: dict | None = None) -> None:
    d = {"auris_model": 1, "name": name, "task": task, "type": kind, "version": "0.0.1",
         "default": default, "description": description}
    if file:
        d["file"] = "../" + file
    if params:
        d["params"] = params
    os.makedirs(os.path.join(OUT, "serving"), exist_ok=True)
    with open(os.path.join(OUT, "serving", f"{name.replace('-', '_')}.json"), "w") as f:
        json.dump(d, f, indent=2)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    x = test_input()
    x.tofile(os.path.join(OUT, "pipeline_input.f32"))
    spec_x = stft(x.astype(np.float64))
    features = log_power(spec_x)

    torch.manual_seed(3)
    layers = denoise_spec(None)
    net = netspec.SpecNet(layers).eval()
    mean = features.mean(axis=0)
    std = features.std(axis=0) + 0.5
    tensors = net.export_tensors()
    tensors["cmvn.mean"] = mean.astype(np.float32)
    tensors["cmvn.std"] = std.astype(np.float32)
    export.write_model(os.path.join(OUT, "tiny_denoise.safetensors"), tensors,
                       meta("denoise", STFT_MASK, layers))
    normed = (features.astype(np.float32) - tensors["cmvn.mean"]) / tensors["cmvn.std"]
    mask = run(net, normed)
    assert mask.shape == spec_x.shape and 0.05 < mask.mean() < 0.95, mask.mean()
    istft(spec_x * mask, len(x)).astype(np.float32).tofile(
        os.path.join(OUT, "denoise_reference.f32"))

    torch.manual_seed(4)
    layers = denoise_spec(30.0)
    net = netspec.SpecNet(layers).eval()
    with torch.no_grad():
        net.layers["head"].weight.mul_(0.1)
        net.layers["head"].bias.fill_(30.0)
    export.write_model(os.path.join(OUT, "identity_denoise.safetensors"), net.export_tensors(),
                       meta("denoise", STFT_MASK, layers))

    torch.manual_seed(5)
    layers = [
        {"type": "conv1d", "name": "conv", "in_channels": FRAME, "out_channels": 16,
         "kernel_size": 3, "stride": 2},
        {"type": "relu", "name": "relu"},
        {"type": "avg_pool", "name": "pool", "kernel_size": 2},
        {"type": "lstm", "name": "lstm", "input_size": 16, "hidden_size": 8},
        {"type": "linear", "name": "head", "in_features": 8, "out_features": 2},
        {"type": "tanh", "name": "squash"},
    ]
    net = netspec.SpecNet(layers).eval()
    with torch.no_grad():  # louder first layer: tiny waveform values still move the outputs
        net.layers["conv"].conv.weight.mul_(20.0)
    export.write_model(os.path.join(OUT, "tiny_emotion.safetensors"), net.export_tensors(),
                       meta("emotion", {"type": "waveform_frames", "frame_samples": FRAME},
                            layers))
    frames = len(x) // FRAME
    emotion = run(net, x[:frames * FRAME].reshape(frames, FRAME))
    assert emotion.shape == (-(-frames // 2) // 2, 2), emotion.shape
    emotion.astype(np.float32).tofile(os.path.join(OUT, "emotion_reference.f32"))

    write_descriptor("classic", "denoise", "classic_denoiser", None, True,
                     "The shipped statistical denoiser (copy of models/shipped/classic.json).",
                     {"frame_ms": 20, "hop_ms": 10, "min_gain_db": -20})
    write_descriptor("tiny-denoise", "denoise", "neural_denoiser", "tiny_denoise.safetensors",
                     False, "Random-weight stft_mask denoiser (test fixture).")
    write_descriptor("identity-denoise", "denoise", "neural_denoiser",
                     "identity_denoise.safetensors", False,
                     "Random-weight stft_mask denoiser whose mask is ~1 (test fixture).")
    write_descriptor("tiny-emotion", "emotion", "emotion", "tiny_emotion.safetensors", True,
                     "Random-weight waveform emotion model (test fixture).")
    mine = ["pipeline_input.f32", "denoise_reference.f32", "emotion_reference.f32",
            "tiny_denoise.safetensors", "identity_denoise.safetensors", "tiny_emotion.safetensors"]
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in mine)
    print(f"wrote {OUT}: {total} bytes")


if __name__ == "__main__":
    main()
