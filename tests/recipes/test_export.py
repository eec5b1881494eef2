"""Unit tests for models/recipes/common/export.py."""
import os
import struct
import tempfile
import unittest

import numpy as np

from models.recipes.common import export


def meta(**overrides):
    m = {"format_version": 1, "task": "asr", "sample_rate_hz": 16000,
         "front_end": {"type": "log_mel", "num_mel_bins": 80},
         "layers": [{"type": "linear", "name": "head"}], "vocabulary": ["<blank>", "a"],
         "streaming": {"chunk_frames": 16, "look_ahead_frames": 0},
         "metrics": {"wer": 0.25}}
    m.update(overrides)
    return m


class ExportTest(unittest.TestCase):
    def test_round_trip(self):
        rng = np.random.default_rng(0)
        tensors = {"head.weight": rng.standard_normal((3, 5)).astype(np.float32),
                   "head.bias": rng.standard_normal(3).astype(np.float32),
                   "scalar": np.array(2.5, dtype=np.float32),
                   "empty": np.zeros((0, 4), dtype=np.float32)}
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.safetensors")
            export.write_model(path, tensors, meta(), extra={"note": "hi"})
            got, got_meta, extra = export.read_model(path)
        self.assertEqual(set(got), set(tensors))
        for name, array in tensors.items():
            self.assertEqual(got[name].dtype, np.float32)
            np.testing.assert_array_equal(got[name], array)
        self.assertEqual(got_meta, meta())
        self.assertEqual(extra, {"note": "hi"})

    def test_layout(self):
        blob = export.to_bytes({"b": np.ones(3, np.float16), "a": np.ones(3, np.float32)},
                               meta())
        (size,) = struct.unpack("<Q", blob[:8])
        self.assertEqual((8 + size) % 8, 0)
        self.assertTrue(blob[8:8 + size].rstrip(b" ").endswith(b"}"))
        self.assertEqual(len(blob), 8 + size + 12 + 6)
        tensors, _, _ = export.from_bytes(blob)
        self.assertEqual(tensors["a"].dtype, np.float32)
        self.assertEqual(tensors["b"].dtype, np.float16)

    def test_float16_storage(self):
        values = np.array([0.0, -0.0, 1.0, 65504.0, 6e-8, -3e-5, np.inf, -np.inf, np.nan],
                          dtype=np.float16)
        blob16 = export.to_bytes({"w": values}, meta())
        blob32 = export.to_bytes({"w": values.astype(np.float32)}, meta())
        self.assertEqual(len(blob32) - len(blob16), 2 * values.size)
        got, _, _ = export.from_bytes(blob16)
        self.assertEqual(got["w"].dtype, np.float16)
        np.testing.assert_array_equal(got["w"].view(np.uint16), values.view(np.uint16))

    def test_rejects_other_dtypes_and_ranks(self):
        with self.assertRaises(ValueError):
            export.to_bytes({"w": np.ones(2, np.float64)}, meta())
        with self.assertRaises(ValueError):
            export.to_bytes({"w": np.ones((1,) * 5, np.float32)}, meta())

    def test_required_metadata(self):
        bad = [meta(format_version=2), meta(format_version=True), meta(task="tts"),
               meta(sample_rate_hz=7999), meta(sample_rate_hz=48001),
               meta(sample_rate_hz=16000.0), meta(front_end={"num_mel_bins": 80}),
               meta(front_end="log_mel")]
        for m in bad:
            with self.assertRaises(ValueError, msg=m):
                export.to_bytes({}, m)
        for key in ("format_version", "task", "sample_rate_hz", "front_end"):
            m = meta()
            del m[key]
            with self.assertRaises(ValueError, msg=key):
                export.to_bytes({}, m)


if __name__ == "__main__":
    unittest.main()
