#!/usr/bin/python3
"""Writes PyTorch golden data for the nn/ layer tests (tests/nn/golden/layers_*.bin).

Run with Debian's torch: /usr/bin/python3 scripts/make_layer_golden.py
File format (little-endian): b"AURT", u32 count, then per tensor: u32 name length, name
(utf-8), u32 rank, rank x i64 dims, float32 data. Activations are stored (N, T, C)
(channels last) as the C++ layers use them; weights keep their PyTorch state_dict names.
The writer is shared with make_network_golden.py (scripts/golden_io.py).
"""
import os

import torch
import torch.nn.functional as F

from golden_io import write_aurt

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "nn", "golden")


def write(name, tensors):
    path = os.path.join(OUT, name)
    write_aurt(path, tensors)
    print(path, os.path.getsize(path), "bytes")


def linear():
    torch.manual_seed(1)
    layer = torch.nn.Linear(24, 20)
    x = torch.randn(2, 7, 24)
    write("layers_linear.bin", {**layer.state_dict(), "input": x, "output": layer(x)})


def conv1d(name, seed, cin, cout, k, stride, dilation, padding, groups, causal=False):
    torch.manual_seed(seed)
    layer = torch.nn.Conv1d(cin, cout, k, stride=stride, dilation=dilation,
                            padding=0 if causal else padding, groups=groups)
    x = torch.randn(2, 30, cin)
    xc = x.transpose(1, 2)
    if causal:
        xc = F.pad(xc, ((k - 1) * dilation, 0))
    y = layer(xc).transpose(1, 2)
    write(name, {**layer.state_dict(), "input": x, "output": y})


def lstm(name, seed, inp, hidden, t):
    torch.manual_seed(seed)
    layer = torch.nn.LSTM(inp, hidden, batch_first=True)
    x = torch.randn(2, t, inp)
    y, _ = layer(x)
    write(name, {**layer.state_dict(), "input": x, "output": y})


def main():
    os.makedirs(OUT, exist_ok=True)
    with torch.no_grad():
        linear()
        conv1d("layers_conv1d.bin", 2, cin=8, cout=12, k=3, stride=2, dilation=2, padding=2,
               groups=2)
        conv1d("layers_conv1d_dense.bin", 3, cin=6, cout=10, k=5, stride=1, dilation=1,
               padding=2, groups=1)
        conv1d("layers_conv1d_causal.bin", 4, cin=6, cout=9, k=3, stride=2, dilation=2,
               padding=0, groups=3, causal=True)
        lstm("layers_lstm.bin", 5, inp=10, hidden=16, t=20)
        lstm("layers_lstm_long.bin", 6, inp=8, hidden=12, t=300)


if __name__ == "__main__":
    main()
