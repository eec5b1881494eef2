#!/usr/bin/python3
"""Writes PyTorch golden data for the nn/ layer tests (tests/nn/golden/layers_*.bin).

Run with Debian's torch: /usr/bin/python3 scripts/make_layer_golden.py [file.bin ...]
(file names: write only those fixtures).
File format (little-endian): b"AURT", u32 count, then per tensor: u32 name length, name
(utf-8), u32 rank, rank x i64 dims, float32 data. Activations are stored (N, T, C)
(channels last) as the C++ layers use them; weights keep their PyTorch state_dict names.
The writer is shared with make_network_golden.py (scripts/golden_io.py).
"""
import os
import sys

import torch
import torch.nn.functional as F

from golden_io import write_aurt

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "nn", "golden")


# File names given on the command line: write only those (default: all).
ONLY = set()


def write(name, tensors):
    if ONLY and name not in ONLY:
        return
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


def gru(name, seed, inp, hidden, t):
    torch.manual_seed(seed)
    layer = torch.nn.GRU(inp, hidden, batch_first=True)
    x = torch.randn(2, t, inp)
    y, _ = layer(x)
    write(name, {**layer.state_dict(), "input": x, "output": y})


def gru_nobias(name, seed, inp, hidden, t):
    """torch.nn.GRU(bias=False), 2 layers: only weight_ih_l{k}, weight_hh_l{k} are stored;
    "output_l0" is the first layer's output, "output" the second's."""
    torch.manual_seed(seed)
    layer = torch.nn.GRU(inp, hidden, num_layers=2, bias=False, batch_first=True)
    x = torch.randn(2, t, inp)
    y, _ = layer(x)
    first = torch.nn.GRU(inp, hidden, bias=False, batch_first=True)
    first.load_state_dict({k: v for k, v in layer.state_dict().items() if k.endswith("_l0")})
    y0, _ = first(x)
    write(name, {**layer.state_dict(), "input": x, "output_l0": y0, "output": y})


def conv2d(name, seed, cin, cout, freq, kernel, stride, dilation, padding_freq, t=21):
    """Causal in time; activations (N, T, C*F) channel-major, as the nn/ conv2d layer."""
    torch.manual_seed(seed)
    layer = torch.nn.Conv2d(cin, cout, kernel, stride=stride, dilation=dilation,
                            padding=(0, padding_freq))
    x = torch.randn(2, t, cin * freq)
    xc = x.reshape(2, t, cin, freq).permute(0, 2, 1, 3)
    xc = F.pad(xc, (0, 0, (kernel[0] - 1) * dilation[0], 0))
    y = layer(xc)
    y = y.permute(0, 2, 1, 3).reshape(2, y.shape[2], -1)
    write(name, {**layer.state_dict(), "input": x, "output": y})


def attention_pool(name, seed, c, dim, t=23):
    """Output frame t: softmax(score over frames 0..t)-weighted mean of those frames."""
    torch.manual_seed(seed)
    proj = torch.nn.Linear(c, dim) if dim else None
    score = torch.nn.Linear(dim or c, 1, bias=False)
    x = torch.randn(2, t, c) * 2.0
    score.weight.data.mul_(3.0)  # large scores exercise the running max shift
    h = torch.tanh(proj(x)) if proj is not None else x
    s = score(h).squeeze(-1)
    y = torch.stack([torch.softmax(s[:, :i + 1], dim=1)[:, None, :] @ x[:, :i + 1]
                     for i in range(t)], dim=1).squeeze(2)
    tensors = {"score.weight": score.weight}
    if proj is not None:
        tensors = {"proj.weight": proj.weight, "proj.bias": proj.bias, **tensors}
    write(name, {**tensors, "input": x, "output": y})


def main():
    os.makedirs(OUT, exist_ok=True)
    ONLY.update(sys.argv[1:])
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
        gru("layers_gru.bin", 7, inp=10, hidden=16, t=20)
        gru("layers_gru_long.bin", 8, inp=6, hidden=9, t=200)
        gru_nobias("layers_gru_nobias.bin", 13, inp=7, hidden=10, t=40)
        conv2d("layers_conv2d.bin", 9, cin=2, cout=3, freq=11, kernel=(3, 3), stride=(2, 2),
               dilation=(2, 1), padding_freq=1)
        conv2d("layers_conv2d_dense.bin", 10, cin=1, cout=4, freq=9, kernel=(2, 4),
               stride=(1, 1), dilation=(1, 2), padding_freq=0)
        attention_pool("layers_attention_pool.bin", 11, c=7, dim=5)
        attention_pool("layers_attention_pool_linear.bin", 12, c=6, dim=0)


if __name__ == "__main__":
    main()
