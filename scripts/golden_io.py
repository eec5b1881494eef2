"""Shared writer for the b"AURT" golden tensor files of the nn/ tests.

Used by scripts/make_layer_golden.py and scripts/make_network_golden.py (run from the repo
root as /usr/bin/python3 scripts/<name>.py, so this folder is on sys.path).
File format (little-endian): b"AURT", u32 count, then per tensor: u32 name length, name
(utf-8), u32 rank, rank x i64 dims, float32 data.
"""
import struct

import numpy as np


def write_aurt(path, tensors):
    """Writes `tensors` (name -> torch tensor, in insertion order) to `path` as AURT."""
    with open(path, "wb") as f:
        f.write(b"AURT")
        f.write(struct.pack("<I", len(tensors)))
        for key, value in tensors.items():
            arr = np.ascontiguousarray(value.detach().numpy().astype("<f4"))
            encoded = key.encode()
            f.write(struct.pack("<I", len(encoded)))
            f.write(encoded)
            f.write(struct.pack("<I", arr.ndim))
            f.write(struct.pack("<%dq" % arr.ndim, *arr.shape))
            f.write(arr.tobytes())
