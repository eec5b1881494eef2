#!/usr/bin/python3
"""Writes the tiny ASR fixtures in tests/models/golden/ for tests/models/asr_*_test.cc and
tests/server/speech_e2e_test.cc.

Run with Debian's numpy and torch: /usr/bin/python3 scripts/make_asr_pipeline_golden.py

- asr_tiny.safetensors: a random-weight ASR model in the shipped model's layout (logmel front
  end, cmvn.mean / cmvn.std, conv1d stride 2 x 2 -> LSTM -> linear -> log_softmax over the 29
  symbols "<blank>", a-z, "'", " "). One hidden path is set by hand so that the model is an
  energy detector: silence gives blank (P ~ 0.9) and loud audio gives letters, which lets the
  C++ tests see endpointing at pauses. The rest of the weights are random.
- asr_tiny.arpa: a tiny word bigram LM; asr_serving/asr_tiny.json: the model descriptor
  (type "asr"), alone in its folder so that it can be a server's --models_dir.
- asr_tiny_logprobs.f32: torch's (T', 29) log-probabilities for the deterministic waveform
  `waveform()` below (the C++ test regenerates it with the same integer LCG and formula).
"""
import json
import os
import sys

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)
from models.recipes.common import export, frontend, netspec  # noqa: E402

OUT = os.path.join(ROOT, "tests", "models", "golden")
VOCAB = ["<blank>"] + [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["'", " "]
HIDDEN = 16
SAMPLE_RATE = 16000
SECONDS = 3.2
# Loud segments [start, end) in seconds; the rest is near-silence.
BURSTS = ((0.3, 1.1), (2.1, 2.9))


def waveform() -> np.ndarray:
    """Float32 mono at 16 kHz: quiet LCG noise everywhere, harmonic bursts in BURSTS."""
    n = int(SECONDS * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    state = 12345
    for i in range(n):
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        noise = ((state >> 8) / 16777216.0 - 0.5) * 0.002
        t = i / SAMPLE_RATE
        v = noise
        if any(a <= t < b for a, b in BURSTS):
            f0 = 120.0 + 30.0 * int(4.0 * t)
            harmonics = sum(np.sin(2.0 * np.pi * h * f0 * t) / h for h in range(1, 7))
            v += 0.3 * harmonics + ((state >> 8) / 16777216.0 - 0.5) * 0.2
        out[i] = np.float32(v)
    return out


def layers():
    return [
        {"type": "conv1d", "name": "conv1", "in_channels": 80, "out_channels": HIDDEN,
         "kernel_size": 3, "stride": 2},
        {"type": "relu", "name": "relu1"},
        {"type": "conv1d", "name": "conv2", "in_channels": HIDDEN, "out_channels": HIDDEN,
         "kernel_size": 3, "stride": 2},
        {"type": "relu", "name": "relu2"},
        {"type": "lstm", "name": "lstm", "input_size": HIDDEN, "hidden_size": HIDDEN},
        {"type": "linear", "name": "head", "in_features": HIDDEN, "out_features": len(VOCAB)},
        {"type": "log_softmax", "name": "out"},
    ]


def build(spec):
    torch.manual_seed(7)
    net = netspec.SpecNet(spec).eval()
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(0.5)
        # Channel 0 of conv1: the mean CMVN'd log-mel energy (an energy detector).
        conv1 = net.layers["conv1"].conv
        conv1.weight[0].fill_(0.02)
        conv1.bias[0] = 0.0
        conv2 = net.layers["conv2"].conv
        conv2.weight[0].zero_()
        conv2.weight[0, 0, 2] = 1.0
        conv2.bias[0] = 0.0
        # LSTM unit 0 passes channel 0 through: i ~ 1, f ~ 0, o ~ 1, g = tanh(x0).
        lstm = net.layers["lstm"].lstm
        h = HIDDEN
        for gate, bias in ((0, 6.0), (1, -6.0), (3, 6.0)):
            lstm.weight_ih_l0[gate * h].zero_()
            lstm.weight_hh_l0[gate * h].zero_()
            lstm.bias_ih_l0[gate * h] = bias
            lstm.bias_hh_l0[gate * h] = 0.0
        lstm.weight_ih_l0[2 * h].zero_()
        lstm.weight_hh_l0[2 * h].zero_()
        lstm.weight_ih_l0[2 * h, 0] = 1.0
        lstm.bias_ih_l0[2 * h] = 0.0
        lstm.bias_hh_l0[2 * h] = 0.0
        head = net.layers["head"]
        head.weight[0].zero_()
        head.weight[0, 0] = -10.0
        head.bias[0] = 5.5
        head.weight[1:, 0] = 0.0
        head.weight[1:, 1:] *= 4.0
    return net


def arpa() -> str:
    words = ["the", "cat", "sat", "on", "mat", "a"]
    uni = [("<unk>", -2.0, -0.3), ("<s>", -99.0, -0.5), ("</s>", -1.0, 0.0)]
    uni += [(w, -1.0, -0.3) for w in words]
    bi = [("<s> the", -0.3), ("the cat", -0.2), ("cat sat", -0.2), ("sat on", -0.2),
          ("on the", -0.2), ("the mat", -0.5), ("mat </s>", -0.1)]
    lines = ["\\data\\", f"ngram 1={len(uni)}", f"ngram 2={len(bi)}", "", "\\1-grams:"]
    lines += [f"{p}\t{w}\t{b}" for w, p, b in uni]
    lines += ["", "\\2-grams:"] + [f"{p}\t{w}" for w, p in bi] + ["", "\\end\\", ""]
    return "\n".join(lines)


def main():
    os.makedirs(OUT, exist_ok=True)
    spec = layers()
    net = build(spec)
    x = waveform()
    feats = frontend.log_mel(x, dtype=np.float64)
    mean = np.full(80, -8.0, dtype=np.float32)
    std = np.full(80, 3.0, dtype=np.float32)
    normed = frontend.apply_cmvn(feats, mean.astype(np.float64), std.astype(np.float64))
    with torch.no_grad():
        logp = net(torch.tensor(normed, dtype=torch.float32)[None])[0].numpy()
    tensors = net.export_tensors()
    tensors["cmvn.mean"] = mean
    tensors["cmvn.std"] = std
    meta = {
        "format_version": 1, "task": "asr", "sample_rate_hz": SAMPLE_RATE,
        "front_end": dict(frontend.FRONTEND_PARAMS), "layers": spec, "vocabulary": VOCAB,
        "streaming": {"chunk_frames": 4, "look_ahead_frames": 0, "subsampling": 4,
                      "frame_shift_ms": 40},
        "decoder": {"beam": 8, "lm_weight": 0.5, "word_insertion_bonus": 0.5},
        "training_data": {"note": "random weights; a test fixture"},
        "metrics": {},
    }
    export.write_model(os.path.join(OUT, "asr_tiny.safetensors"), tensors, meta)
    with open(os.path.join(OUT, "asr_tiny.arpa"), "w") as f:
        f.write(arpa())
    descriptor = {"auris_model": 1, "name": "asr-tiny", "task": "asr", "type": "asr",
                  "version": "0.0.1", "default": True, "file": "../asr_tiny.safetensors",
                  "lm": "../asr_tiny.arpa",
                  "description": "Random-weight test fixture (scripts/make_asr_pipeline_golden.py)"}
    os.makedirs(os.path.join(OUT, "asr_serving"), exist_ok=True)
    with open(os.path.join(OUT, "asr_serving", "asr_tiny.json"), "w") as f:
        json.dump(descriptor, f, indent=2)
        f.write("\n")
    logp.astype("<f4").tofile(os.path.join(OUT, "asr_tiny_logprobs.f32"))
    blank = np.exp(logp[:, 0])
    print(f"{logp.shape[0]} frames; blank-dominated: {(blank >= 0.5).sum()}; "
          f"frames per burst approx {(blank < 0.5).sum()}")
    print("".join("_" if b >= 0.5 else "#" for b in blank))


if __name__ == "__main__":
    main()
