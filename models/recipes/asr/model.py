"""The ASR network (netspec layer list), its budget and the CTC vocabulary."""

from __future__ import annotations

from ..common import frontend, netspec
from ..common import text as textnorm

# CTC output symbols: index 0 is the blank (nn/ctc_*.h default `blank = 0`), then the
# text.ALPHABET characters; " " is the word separator of nn/word_lm_scorer.h.
VOCAB = ["<blank>"] + list("abcdefghijklmnopqrstuvwxyz") + ["'", " "]
BLANK = 0
SYMBOL_ID = {c: i for i, c in enumerate(VOCAB) if i != BLANK}
assert "".join(VOCAB[1:]) == textnorm.ALPHABET

MAX_PARAMS = 4_000_000
MAX_GFLOP_PER_S = 0.15
INPUT_FRAMES_PER_S = 100


def model_spec(conv_channels: int = 256, lstm_hidden: int = 320, lstm_layers: int = 3,
               n_mels: int = frontend.N_MELS, vocab_size: int = len(VOCAB)) -> list:
    """The network as a netspec layer list (log_softmax is appended at export)."""
    return [
        {"type": "conv1d", "name": "conv1", "in_channels": n_mels,
         "out_channels": conv_channels, "kernel_size": 3, "stride": 2, "causal": True},
        {"type": "batchnorm", "name": "bn1", "num_features": conv_channels},
        {"type": "relu", "name": "relu1"},
        {"type": "conv1d", "name": "conv2", "in_channels": conv_channels,
         "out_channels": conv_channels, "kernel_size": 3, "stride": 2, "causal": True},
        {"type": "batchnorm", "name": "bn2", "num_features": conv_channels},
        {"type": "relu", "name": "relu2"},
        {"type": "lstm", "name": "lstm", "input_size": conv_channels,
         "hidden_size": lstm_hidden, "num_layers": lstm_layers},
        {"type": "linear", "name": "head", "in_features": lstm_hidden,
         "out_features": vocab_size},
    ]


def export_spec(spec: list) -> list:
    return [dict(c) for c in spec] + [{"type": "log_softmax", "name": "log_softmax"}]


def compute_budget(spec: list) -> dict:
    """Parameters (from the layer list) and GFLOP per audio second (2 x MACs x 100)."""
    import torch  # noqa: F401  (netspec's torch part)
    net = netspec.SpecNet(spec)
    params = netspec.count_parameters(net)
    gflop = 2 * netspec.macs_per_frame(spec) * INPUT_FRAMES_PER_S / 1e9
    return {"parameters": int(params), "gflop_per_audio_second": round(gflop, 4),
            "subsampling": netspec.subsampling(spec),
            "receptive_field_frames": netspec.receptive_field(spec)}


def output_frames(spec: list, t: int) -> int:
    """Output frames for t input frames (causal convs: ceil(t / stride) each)."""
    for c in spec:
        if c["type"] == "conv1d":
            s = c.get("stride", 1)
            t = -(-t // s) if c.get("causal", True) else \
                (t + 2 * c.get("padding", 0) - c.get("dilation", 1) *
                 (c["kernel_size"] - 1) - 1) // s + 1
        elif c["type"] in ("max_pool", "avg_pool"):
            t //= c["kernel_size"]
    return t


def encode(text: str) -> list[int]:
    return [SYMBOL_ID[c] for c in text]


def ctc_min_frames(ids: list[int]) -> int:
    """Frames CTC needs for a label sequence: its length plus one per repeated pair."""
    return len(ids) + sum(1 for a, b in zip(ids, ids[1:]) if a == b)
