"""Writes and reads auris model files (ARCHITECTURE.md section 5).

Layout (safetensors): an 8-byte little-endian header length N, N bytes of JSON header
(padded with spaces so the data section starts 8-byte aligned), then raw little-endian
tensor data. Header entries: {"dtype": "F32"|"F16", "shape": [...], "data_offsets":
[begin, end]} per tensor (offsets relative to the data section) and "__metadata__", an
object of strings whose "auris" entry is the model's JSON description (format_version,
task, sample_rate_hz, front_end, layers, vocabulary, streaming, training_data, metrics).

Tensors are packed back to back, F32 before F16 and by name within a dtype, as the
safetensors library does (it rejects gaps between tensors), so each tensor is naturally
aligned to its element size and the files load with `safetensors.numpy.load_file` too.

The C++ golden tests/nn/golden/model_tiny.safetensors is written by
/usr/bin/python3 scripts/make_model_golden.py
"""

from __future__ import annotations

import json
import struct

import numpy as np

FORMAT_VERSION = 1
TASKS = ("asr", "emotion", "denoise", "vad")
MIN_SAMPLE_RATE_HZ = 8000
MAX_SAMPLE_RATE_HZ = 48000
MAX_RANK = 4
_DTYPES = {np.dtype(np.float32): "F32", np.dtype(np.float16): "F16"}
_NUMPY = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2")}


def validate_metadata(meta: dict) -> None:
    """Raises ValueError unless `meta` has the fields the C++ loader requires."""
    if not isinstance(meta, dict):
        raise ValueError("auris metadata must be a dict")
    version = meta.get("format_version")
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise ValueError(f"format_version must be {FORMAT_VERSION}, got {version!r}")
    if meta.get("task") not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}, got {meta.get('task')!r}")
    rate = meta.get("sample_rate_hz")
    if (not isinstance(rate, int) or isinstance(rate, bool)
            or not MIN_SAMPLE_RATE_HZ <= rate <= MAX_SAMPLE_RATE_HZ):
        raise ValueError(f"sample_rate_hz must be an integer in {MIN_SAMPLE_RATE_HZ}.."
                         f"{MAX_SAMPLE_RATE_HZ}, got {rate!r}")
    front_end = meta.get("front_end")
    if not isinstance(front_end, dict) or not isinstance(front_end.get("type"), str):
        raise ValueError("front_end must be a dict with a string 'type'")


def to_bytes(tensors: dict, meta: dict, extra: dict | None = None) -> bytes:
    """The model file's bytes: `tensors` maps names to float32/float16 numpy arrays."""
    validate_metadata(meta)
    metadata = {"auris": json.dumps(meta, sort_keys=True)}
    for key, value in (extra or {}).items():
        if key == "auris" or not isinstance(value, str):
            raise ValueError(f"extra metadata {key!r} must be a string and not 'auris'")
        metadata[key] = value
    arrays = []
    for name, array in tensors.items():
        if name == "__metadata__" or not isinstance(name, str):
            raise ValueError(f"bad tensor name {name!r}")
        array = np.asarray(array)
        if array.dtype not in _DTYPES:
            raise ValueError(f"tensor {name!r}: dtype {array.dtype} is not float32/float16")
        if array.ndim > MAX_RANK:
            raise ValueError(f"tensor {name!r}: rank {array.ndim} > {MAX_RANK}")
        arrays.append((name, _DTYPES[array.dtype], array))
    arrays.sort(key=lambda t: (-_NUMPY[t[1]].itemsize, t[0]))
    header = {"__metadata__": metadata}
    chunks = []
    offset = 0
    for name, dtype, array in arrays:
        data = np.ascontiguousarray(array, dtype=_NUMPY[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write_model(path: str, tensors: dict, meta: dict, extra: dict | None = None) -> None:
    """Writes a model file; see `to_bytes`."""
    blob = to_bytes(tensors, meta, extra)
    with open(path, "wb") as f:
        f.write(blob)


def from_bytes(blob: bytes) -> tuple[dict, dict, dict]:
    """(tensors in their stored dtype, auris metadata dict, other __metadata__ entries)."""
    if len(blob) < 8:
        raise ValueError("truncated: no header length")
    (size,) = struct.unpack("<Q", blob[:8])
    if size < 2 or size > len(blob) - 8:
        raise ValueError(f"header length {size} out of range")
    header = json.loads(blob[8:8 + size].decode("utf-8"))
    data = blob[8 + size:]
    metadata = dict(header.pop("__metadata__"))
    meta = json.loads(metadata.pop("auris"))
    validate_metadata(meta)
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        if not 0 <= begin <= end <= len(data):
            raise ValueError(f"tensor {name!r}: data_offsets out of range")
        array = np.frombuffer(data[begin:end], dtype=_NUMPY[entry["dtype"]])
        tensors[name] = array.reshape(entry["shape"]).copy()
    return tensors, meta, metadata


def read_model(path: str) -> tuple[dict, dict, dict]:
    """Reads a model file written by `write_model`; see `from_bytes`."""
    with open(path, "rb") as f:
        return from_bytes(f.read())
