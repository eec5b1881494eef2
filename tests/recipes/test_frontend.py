"""Tests for models/recipes/common/frontend.py (ARCHITECTURE.md section 8)."""
import math
import os
import unittest

import numpy as np

from models.recipes.common import frontend as F

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _reference_log_mel(x):
    """Independent, loop-based evaluation of the section 8 formula (slow, float64)."""
    def mel(f):
        return 2595.0 * math.log10(1.0 + f / 700.0)

    def hz(m):
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    lo, hi = mel(20.0), mel(7600.0)
    edges = [hz(lo + (hi - lo) * i / 81) for i in range(82)]
    window = [0.5 * (1 - math.cos(2 * math.pi * n / 400)) for n in range(400)]
    k = np.arange(257)
    n = np.arange(400)
    dft = np.exp(-2j * np.pi * np.outer(k, n) / 512)  # zero-padding to 512 is implicit
    out = []
    for t in range((len(x) - 400) // 160 + 1):
        frame = np.array([x[160 * t + i] * window[i] for i in range(400)])
        power = np.abs(dft @ frame) ** 2
        row = []
        for m in range(80):
            a, c, b = edges[m], edges[m + 1], edges[m + 2]
            e = 0.0
            for j in range(257):
                f = j * 16000 / 512
                if a < f < b:
                    w = (f - a) / (c - a) if f <= c else (b - f) / (b - c)
                    e += w * power[j]
            row.append(math.log(max(e, 1e-6)))
        out.append(row)
    return np.array(out)


def _test_signal(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 16000
    x = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(n)
    x[:800] = 0.0  # silent start exercises the log floor
    return x


class FrontEndTest(unittest.TestCase):
    def test_shapes_and_framing(self):
        self.assertEqual(F.num_frames(399), 0)
        self.assertEqual(F.num_frames(400), 1)
        self.assertEqual(F.num_frames(559), 1)
        self.assertEqual(F.num_frames(560), 2)
        self.assertEqual(F.log_mel(np.zeros(16000)).shape, (98, 80))
        self.assertEqual(F.log_mel(np.zeros(100)).shape, (0, 80))
        # Causal framing: frame t depends only on samples [160 t, 160 t + 400).
        x = _test_signal()
        y = x.copy()
        y[160 * 5 + 400:] = 0.7
        np.testing.assert_array_equal(F.log_mel(x)[:6], F.log_mel(y)[:6])

    def test_filterbank(self):
        fb = F.mel_filterbank()
        self.assertEqual(fb.shape, (80, 257))
        self.assertLessEqual(fb.max(), 1.0)
        self.assertGreater(fb.max(axis=1).min(), 0.4)   # every filter sees a bin
        freqs = np.arange(257) * 16000 / 512
        self.assertTrue(np.all(fb[:, (freqs <= 20.0) | (freqs >= 7600.0)] == 0))
        self.assertAlmostEqual(F.hz_to_mel(1000.0), 999.9855, places=4)  # HTK: 1000 Hz ~ 1000 mel
        np.testing.assert_allclose(F.hann_periodic(4), [0.0, 0.5, 1.0, 0.5], atol=1e-15)

    def test_matches_independent_formula(self):
        x = _test_signal()
        np.testing.assert_allclose(F.log_mel(x, dtype=np.float64), _reference_log_mel(x),
                                   rtol=0, atol=1e-9)
        silent = F.log_mel(np.zeros(400))
        np.testing.assert_allclose(silent, math.log(1e-6))

    def test_torch_matches_numpy(self):
        try:
            import torch
        except ImportError:
            self.skipTest("torch not installed (Debian python3-torch)")
        x = _test_signal(5000, 3)
        got = F.log_mel_torch(torch.tensor(x, dtype=torch.float64)).numpy()
        np.testing.assert_allclose(got, F.log_mel(x, dtype=np.float64), atol=1e-9)

    def test_cmvn(self):
        feats = [F.log_mel(_test_signal(4000, s)) for s in range(3)]
        mean, std = F.compute_cmvn(feats)
        allf = np.concatenate([F.apply_cmvn(f, mean, std) for f in feats])
        np.testing.assert_allclose(allf.mean(axis=0), 0, atol=1e-3)

    def test_matches_dsp_golden(self):
        """The recipe front end against tests/dsp/golden/frontend_logmel.f32, the fixture that
        tests/dsp/feature_extractor_test.cc holds the C++ dsp/ front end to (within 1e-4), so
        recipe and dsp/ agree within 1e-3 on the same audio (ARCHITECTURE section 8)."""
        golden = os.path.join(REPO, "tests", "dsp", "golden")
        x_path = os.path.join(golden, "frontend_input.f32")
        ref_path = os.path.join(golden, "frontend_logmel.f32")
        if not (os.path.exists(x_path) and os.path.exists(ref_path)):
            self.skipTest("no dsp/ front-end golden files")
        x = np.fromfile(x_path, dtype="<f4").astype(np.float64)
        ref = np.fromfile(ref_path, dtype="<f4").astype(np.float64).reshape(-1, F.N_MELS)
        got = F.log_mel(x, dtype=np.float64)
        self.assertEqual(got.shape, ref.shape)
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-3)


if __name__ == "__main__":
    unittest.main()
