#!/usr/bin/python3
"""Writes tests/nn/golden/model_tiny.safetensors for tests/nn/model_file_test.cc.

Run with Debian's numpy: /usr/bin/python3 scripts/make_model_golden.py
F32 tensors hold exact values (0.25 * i - 1); "half.weight" is stored as F16 and covers
zeros, normals, subnormals, the largest half, infinities and NaN; "half.weight_as_f32" is
numpy's float16 -> float32 upcast of it, stored as F32 for the C++ test to compare bitwise.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from models.recipes.common import export  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "nn", "golden",
                   "model_tiny.safetensors")


def main():
    rng = np.random.default_rng(5)
    bits = np.array([0x0000, 0x8000, 0x3c00, 0xbc00, 0x7bff, 0x0001, 0x83ff, 0x0400,
                     0x7c00, 0xfc00, 0x7e00, 0x3555], dtype=np.uint16)
    half = np.concatenate([bits.view(np.float16),
                           rng.standard_normal(12).astype(np.float16)]).reshape(2, 3, 4)
    tensors = {
        "conv.weight": (0.25 * np.arange(24) - 1).astype(np.float32).reshape(4, 2, 3),
        "conv.bias": np.array([0.5, -0.5, 1.0, 2.0], dtype=np.float32),
        "half.weight": half,
        "half.weight_as_f32": half.astype(np.float32),
    }
    meta = {
        "format_version": 1, "task": "asr", "sample_rate_hz": 16000,
        "front_end": {"type": "log_mel", "num_mel_bins": 80, "frame_shift_ms": 10},
        "layers": [{"type": "conv1d", "name": "conv", "stride": 2},
                   {"type": "linear", "name": "head"}],
        "vocabulary": ["<blank>", " ", "a", "b"],
        "streaming": {"chunk_frames": 16, "look_ahead_frames": 4},
        "training_data": {"corpus": "synthetic", "hours": 0.5},
        "metrics": {"wer": 0.125, "cer": 0.0625},
    }
    export.write_model(OUT, tensors, meta, extra={"format": "pt"})


if __name__ == "__main__":
    main()
