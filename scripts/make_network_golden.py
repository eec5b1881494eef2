#!/usr/bin/python3
"""Writes PyTorch golden data for tests/nn/network_test.cc (tests/nn/golden/network_*).

Run with Debian's torch: /usr/bin/python3 scripts/make_network_golden.py [name ...]
(names: write only those networks; each keeps its seed, 100 + its index in NETWORKS).
For each network: network_<name>.safetensors (a model file written by export.write_model
with the layer list and netspec.SpecNet's tensors, in eval mode, batchnorm with non-trivial
running statistics) and network_<name>_io.bin (b"AURT" format, scripts/golden_io.py:
"input" (N, T, C_in) and SpecNet's "output" (N, T_out, C_out), float32).
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from golden_io import write_aurt  # noqa: E402
from models.recipes.common import export, netspec  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "nn", "golden")

NETWORKS = {
    # An ASR-shaped net: every feature the C++ network must get right in one pass.
    "asr": ([
        {"type": "conv1d", "name": "conv", "in_channels": 12, "out_channels": 16,
         "kernel_size": 3, "stride": 2},
        {"type": "batchnorm", "name": "bn", "num_features": 16},
        {"type": "relu", "name": "relu"},
        {"type": "lstm", "name": "lstm", "input_size": 16, "hidden_size": 20, "num_layers": 2},
        {"type": "layernorm", "name": "norm", "num_features": 20},
        {"type": "max_pool", "name": "pool", "kernel_size": 2},
        {"type": "linear", "name": "head", "in_features": 20, "out_features": 11},
        {"type": "log_softmax", "name": "logp"},
    ], (2, 37, 12)),
    # The remaining layer types and options.
    "misc": ([
        {"type": "conv1d", "name": "conv", "in_channels": 8, "out_channels": 12,
         "kernel_size": 3, "dilation": 2, "groups": 2, "bias": False},
        {"type": "batchnorm", "name": "bn1", "num_features": 12, "eps": 1e-3},
        {"type": "gelu", "name": "gelu"},
        {"type": "avg_pool", "name": "pool", "kernel_size": 3},
        {"type": "linear", "name": "proj", "in_features": 12, "out_features": 10},
        {"type": "batchnorm", "name": "bn2", "num_features": 10},
        {"type": "leaky_relu", "name": "leaky", "negative_slope": 0.2},
        {"type": "lstm", "name": "lstm", "input_size": 10, "hidden_size": 8},
        {"type": "tanh", "name": "tanh"},
        {"type": "linear", "name": "mid", "in_features": 8, "out_features": 6, "bias": False},
        {"type": "sigmoid", "name": "sigmoid"},
        {"type": "conv1d", "name": "conv2", "in_channels": 6, "out_channels": 5,
         "kernel_size": 2, "stride": 2},
        {"type": "softmax", "name": "probs"},
    ], (2, 40, 8)),
    # A CNN + GRU stack (conv1d front end, 2-layer GRU).
    "cnn_gru": ([
        {"type": "conv1d", "name": "conv", "in_channels": 10, "out_channels": 14,
         "kernel_size": 3, "stride": 2},
        {"type": "batchnorm", "name": "bn", "num_features": 14},
        {"type": "relu", "name": "relu"},
        {"type": "gru", "name": "gru", "input_size": 14, "hidden_size": 12, "num_layers": 2},
        {"type": "linear", "name": "head", "in_features": 12, "out_features": 7},
        {"type": "log_softmax", "name": "logp"},
    ], (2, 41, 10)),
    # A conv2d front end over (time, frequency), a GRU and attention pooling.
    "conv2d": ([
        {"type": "conv2d", "name": "c1", "in_channels": 1, "out_channels": 3, "freq": 12,
         "kernel_time": 3, "kernel_freq": 3, "stride_time": 2, "stride_freq": 2,
         "padding_freq": 1},
        {"type": "relu", "name": "r1"},
        {"type": "conv2d", "name": "c2", "in_channels": 3, "out_channels": 4, "freq": 6,
         "kernel_time": 2, "kernel_freq": 3, "dilation_time": 2, "stride_freq": 2},
        {"type": "gelu", "name": "g2"},
        {"type": "gru", "name": "gru", "input_size": 8, "hidden_size": 9},
        {"type": "attention_pool", "name": "pool", "in_features": 9, "attention_dim": 5},
        {"type": "linear", "name": "head", "in_features": 9, "out_features": 4},
        {"type": "softmax", "name": "probs"},
    ], (2, 39, 12)),
}


def make(name, spec, shape, seed):
    torch.manual_seed(seed)
    net = netspec.SpecNet(spec)
    for module in net.modules():
        if isinstance(module, torch.nn.BatchNorm1d):
            c = module.num_features
            module.running_mean.copy_(torch.randn(c) * 0.5)
            module.running_var.copy_(torch.rand(c) * 1.5 + 0.25)
            module.weight.data.copy_(torch.randn(c) * 0.3 + 1.0)
            module.bias.data.copy_(torch.randn(c) * 0.2)
        if isinstance(module, torch.nn.LayerNorm):
            module.weight.data.copy_(torch.randn(module.weight.shape) * 0.3 + 1.0)
            module.bias.data.copy_(torch.randn(module.bias.shape) * 0.2)
    net.eval()
    x = torch.randn(*shape)
    y = net(x)
    tensors = net.export_tensors()
    tensors["cmvn.mean"] = np.linspace(-1, 1, shape[2]).astype(np.float32)
    tensors["cmvn.std"] = np.linspace(0.5, 2, shape[2]).astype(np.float32)
    meta = {
        "format_version": 1, "task": "asr", "sample_rate_hz": 16000,
        "front_end": {"type": "log_mel", "num_mel_bins": shape[2], "frame_shift_ms": 10},
        "layers": spec,
        "vocabulary": [str(i) for i in range(y.shape[2])],
    }
    model = os.path.join(OUT, f"network_{name}.safetensors")
    export.write_model(model, tensors, meta)
    io = os.path.join(OUT, f"network_{name}_io.bin")
    write_aurt(io, {"input": x, "output": y})
    for path in (model, io):
        print(path, os.path.getsize(path), "bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    with torch.no_grad():
        only = set(sys.argv[1:])  # network names to write (default: all)
        for seed, (name, (spec, shape)) in enumerate(NETWORKS.items()):
            if not only or name in only:
                make(name, spec, shape, 100 + seed)


if __name__ == "__main__":
    main()
