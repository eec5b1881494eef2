"""Weight averages of model files (models/recipes/common/average.py)."""

import os
import tempfile
import unittest

import numpy as np

from models.recipes.common import average, export


def _meta(hidden=4, metrics=None):
    return {"format_version": export.FORMAT_VERSION, "task": "denoise", "name": "denoise",
            "sample_rate_hz": 16000, "front_end": {"type": "stft"},
            "layers": [{"type": "lstm", "name": "lstm", "input_size": 3,
                        "hidden_size": hidden, "num_layers": 1}],
            "training_data": {"steps": 10}, "metrics": metrics or {"x": 1.0}}


class AverageTest(unittest.TestCase):
    def _write(self, d, name, scale, dtype=np.float16, hidden=4):
        rng = np.random.default_rng(int(scale * 10))
        tensors = {"w": (scale * rng.standard_normal((8, 3))).astype(dtype),
                   "cmvn.mean": np.full(3, scale, np.float32)}
        path = os.path.join(d, name)
        export.write_model(path, tensors, _meta(hidden))
        return path, tensors

    def test_weighted_mean_keeps_dtypes_and_names_its_inputs(self):
        with tempfile.TemporaryDirectory() as d:
            a, ta = self._write(d, "a.safetensors", 1.0)
            b, tb = self._write(d, "b.safetensors", 3.0)
            out = os.path.join(d, "avg.safetensors")
            avg, meta = average.average([a, b], [1, 3])
            export.write_model(out, avg, meta)
            tensors, read_meta, _ = export.read_model(out)
            want = (0.25 * ta["w"].astype(np.float64) + 0.75 * tb["w"].astype(np.float64))
            self.assertEqual(tensors["w"].dtype, np.float16)
            np.testing.assert_array_equal(tensors["w"], want.astype(np.float16))
            np.testing.assert_allclose(tensors["cmvn.mean"], np.full(3, 2.5), rtol=1e-7)
            self.assertEqual(read_meta["metrics"], {})
            self.assertEqual(meta["training_data"]["averaged_from"],
                             [{"file": "a.safetensors", "weight": 0.25},
                              {"file": "b.safetensors", "weight": 0.75}])
            self.assertEqual(read_meta["training_data"]["steps"], 10)

    def test_equal_weights_by_default(self):
        with tempfile.TemporaryDirectory() as d:
            a, ta = self._write(d, "a.safetensors", 1.0, np.float32)
            b, tb = self._write(d, "b.safetensors", 2.0, np.float32)
            tensors, _ = average.average([a, b])
            np.testing.assert_allclose(tensors["w"], (ta["w"] + tb["w"]) / 2, rtol=1e-6)

    def test_refuses_what_cannot_be_averaged(self):
        with tempfile.TemporaryDirectory() as d:
            a, _ = self._write(d, "a.safetensors", 1.0)
            wide, _ = self._write(d, "wide.safetensors", 1.0, hidden=8)
            with self.assertRaisesRegex(ValueError, "layer list differs"):
                average.average([a, wide])
            with self.assertRaisesRegex(ValueError, "allowed: 2 or more"):
                average.average([a])
            with self.assertRaisesRegex(ValueError, "one non-negative weight per file"):
                average.average([a, a], [1.0])


if __name__ == "__main__":
    unittest.main()
