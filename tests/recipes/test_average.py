"""Weight averages of model files (models/recipes/common/average.py)."""

import os
import tempfile
import unittest

import numpy as np

from models.recipes.common import average, export

try:
    import torch
except ImportError:
    torch = None


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


@unittest.skipIf(torch is None, "needs torch")
class AverageCheckpointsTest(unittest.TestCase):
    def _ckpt(self, d, name, seed, cmvn=0.0, width=3):
        torch.manual_seed(seed)
        net = torch.nn.Sequential(torch.nn.Linear(2, width), torch.nn.BatchNorm1d(width))
        net.train()
        net(torch.randn(8, 2))  # moves the batch-norm statistics, counts a batch
        state = {"model": net.state_dict(), "optimizer": {"x": 1}, "ema": {"y": 2},
                 "global_step": seed, "extra": {"spec": [{"type": "linear", "w": width}],
                                                "cmvn_mean": np.full(2, cmvn)}}
        path = os.path.join(d, f"{name}.pt")
        torch.save(state, path)
        return path, state

    def test_mean_of_the_networks_rest_from_the_first(self):
        with tempfile.TemporaryDirectory() as d:
            (a, sa), (b, sb), (c, sc) = (self._ckpt(d, n, i + 1) for i, n in enumerate("abc"))
            out = os.path.join(d, "soup", "best.pt")
            average.main(["--checkpoints", f"{a},{b},{c}", "--out", out])
            got = torch.load(out, weights_only=False)
            for k in ("0.weight", "1.running_mean", "1.running_var"):
                want = (sa["model"][k] + sb["model"][k] + sc["model"][k]) / 3
                torch.testing.assert_close(got["model"][k], want, rtol=1e-6, atol=1e-7)
            self.assertEqual(got["model"]["1.num_batches_tracked"].item(), 1)
            self.assertEqual(got["global_step"], 1)
            self.assertNotIn("optimizer", got)
            self.assertNotIn("ema", got)
            self.assertEqual(len(got["extra"]["averaged_from"]), 3)

    def test_refuses_other_networks_or_features(self):
        with tempfile.TemporaryDirectory() as d:
            a, _ = self._ckpt(d, "a", 1)
            cm, _ = self._ckpt(d, "cmvn", 2, cmvn=1.0)
            wide, _ = self._ckpt(d, "wide", 3, width=4)
            out = os.path.join(d, "x.pt")
            with self.assertRaisesRegex(ValueError, "cmvn_mean differs"):
                average.average_checkpoints([a, cm], out)
            with self.assertRaisesRegex(ValueError, "spec differs"):
                average.average_checkpoints([a, wide], out)
            with self.assertRaisesRegex(ValueError, "allowed: 2 or more"):
                average.average_checkpoints([a], out)
            self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
