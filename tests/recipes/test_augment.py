"""Tests for models/recipes/common/augment.py (fast: synthetic signals only)."""
import unittest

import numpy as np
from scipy import signal

from models.recipes.common import augment as A
from models.recipes.common.machine_noise import machine_noise
from models.recipes.common.metrics import si_sdr

SR = 16000


def tone(freq, seconds=1.0, amp=0.5):
    t = np.arange(int(seconds * SR)) / SR
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def peak_freq(x):
    """Frequency of the spectral peak (Hann window, 4x zero padding)."""
    n = len(x)
    spec = np.abs(np.fft.rfft(x * np.hanning(n), n=4 * n))
    return np.argmax(spec) * SR / (4 * n)


def psd_slope_db_per_octave(x, lo=100.0, hi=6000.0):
    f, p = signal.welch(x, SR, nperseg=4096)
    m = (f >= lo) & (f <= hi)
    return np.polyfit(np.log2(f[m]), 10 * np.log10(p[m]), 1)[0]


def decay_time(y, level_db=-20.0):
    """Time (s) until the backward-integrated energy (Schroeder curve) of y falls
    level_db below its total."""
    e = np.cumsum((np.asarray(y, np.float64) ** 2)[::-1])[::-1]
    curve = 10 * np.log10(e / e[0] + 1e-30)
    return np.argmax(curve < level_db) / SR


def speechlike(seconds=1.0, seed=0):
    """A 150 Hz harmonic buzz with a slow envelope, enough to exercise the pipeline."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    x = sum(np.sin(2 * np.pi * 150 * k * t + rng.uniform(0, 6.28)) / k for k in range(1, 20))
    return (0.2 * x * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))).astype(np.float32)


class NoiseTest(unittest.TestCase):
    def test_exact_snr(self):
        clean = speechlike(1.0)
        rng = np.random.default_rng(1)
        long_noise = rng.standard_normal(3 * SR).astype(np.float32)
        short_noise = rng.standard_normal(SR // 7).astype(np.float32)  # gets tiled
        for noise in (long_noise, short_noise, A.pink_noise(SR // 3, rng=2)):
            for snr in (0.0, 7.5, 20.0, -5.0):
                mix, scaled = A.add_noise(clean, noise, snr, rng=3, return_noise=True)
                self.assertEqual(mix.dtype, np.float32)
                self.assertEqual(len(mix), len(clean))
                self.assertAlmostEqual(A.snr_db(clean, scaled), snr, delta=0.01)
                self.assertAlmostEqual(A.snr_db(clean, mix - clean), snr, delta=0.01)

    def test_colour_slopes(self):
        n = 8 * SR
        self.assertAlmostEqual(psd_slope_db_per_octave(A.white_noise(n, rng=1)), 0.0,
                               delta=0.5)
        self.assertAlmostEqual(psd_slope_db_per_octave(A.pink_noise(n, rng=1)), -3.01,
                               delta=0.5)
        self.assertAlmostEqual(psd_slope_db_per_octave(A.brown_noise(n, rng=1)), -6.02,
                               delta=0.5)
        self.assertAlmostEqual(psd_slope_db_per_octave(A.blue_noise(n, rng=1)), 3.01,
                               delta=0.5)
        x = A.coloured_noise(1000, "pink", rng=0, level=0.25)
        self.assertEqual(x.dtype, np.float32)
        self.assertAlmostEqual(A.rms(x), 0.25, places=5)
        with self.assertRaises(ValueError):
            A.coloured_noise(10, "plaid")

    def test_babble(self):
        voices = [speechlike(0.3, s) * (10 ** s) for s in range(4)]  # very unequal levels
        b = A.babble(voices, SR, rng=5, k=6)
        self.assertEqual(len(b), SR)
        self.assertAlmostEqual(A.rms(b), 1.0, places=4)
        # Equal-RMS contributions: no single loud voice dominates.
        b1 = A.babble(voices[3:], SR, rng=5, k=1)
        self.assertLess(abs(np.corrcoef(b, b1)[0, 1]), 0.9)
        np.testing.assert_array_equal(b, A.babble(voices, SR, rng=5, k=6))


class TransformTest(unittest.TestCase):
    def test_speed(self):
        x = tone(1000.0)
        y = A.speed_perturb(x, 1.1)
        self.assertLessEqual(abs(len(y) - len(x) / 1.1), 1)
        self.assertAlmostEqual(peak_freq(y) / 1000.0, 1.1, delta=0.005)
        y = A.speed_perturb(x, 0.9)
        self.assertLessEqual(abs(len(y) - len(x) / 0.9), 1)
        self.assertAlmostEqual(peak_freq(y) / 1000.0, 0.9, delta=0.005)
        np.testing.assert_array_equal(A.speed_perturb(x, 1.0), x)

    def test_gain(self):
        x = tone(300.0)
        self.assertAlmostEqual(A.snr_db(A.apply_gain(x, 6.0), x), 6.0, places=4)

    def test_telephone(self):
        noise = A.white_noise(2 * SR, rng=3, level=0.1)
        y = A.telephone(noise)
        self.assertEqual(len(y), len(noise))
        f, p_in = signal.welch(noise, SR, nperseg=1024)
        _, p_out = signal.welch(y, SR, nperseg=1024)
        high = f > 4000
        self.assertLess(10 * np.log10(p_out[high].sum() / p_in[high].sum()), -30.0)
        x = tone(1000.0, amp=0.3)
        y = A.telephone(x)
        self.assertGreater(np.corrcoef(x, y)[0, 1], 0.95)

    def test_mulaw_codec(self):
        x = np.linspace(-1, 1, 1001)
        codes = A.mulaw_encode(x)
        self.assertEqual((codes.min(), codes.max()), (0, 255))
        err = np.abs(A.mulaw_decode(codes) - x)
        self.assertLess(err.max(), 0.025)  # half a step near full scale: 0.022
        self.assertLess(err[np.abs(x) < 0.01].max(), 0.0005)  # fine steps near zero

    def test_trim_and_reframe_edges(self):
        quiet = np.zeros(int(0.3 * SR), np.float32)
        x = np.concatenate([quiet, tone(440.0, 0.5), quiet])
        y = A.trim_silence(x)
        # 0.5 s of tone plus the 20 ms margin on each side.
        self.assertEqual(len(y), int(0.5 * SR) + 2 * 320)
        np.testing.assert_array_equal(y[320:320 + 8000], x[int(0.3 * SR):int(0.3 * SR) + 8000])
        z = A.reframe_edges(x, 0.25, 0.1)
        self.assertEqual(len(z), 4000 + len(y) + 1600)
        self.assertFalse(np.any(z[:4000 + 320]))
        np.testing.assert_array_equal(z[4000:4000 + len(y)], y)
        # Speech that starts at sample 0 (a tightly cut file) keeps every sample.
        np.testing.assert_array_equal(A.trim_silence(tone(300.0, 0.4)), tone(300.0, 0.4))
        np.testing.assert_array_equal(A.trim_silence(np.zeros(800)), np.zeros(800))

    def test_edges_step_only_when_configured(self):
        x = np.concatenate([tone(300.0, 0.4), np.zeros(SR // 5, np.float32)])
        on = A.Augmenter({"edges": {"p": 1.0, "lead_s": [0.1, 0.5], "trail_s": [0.0, 0.3]}})
        leads = []
        for i in range(6):
            y, info = on(x, i)
            (name, lead, trail), = info
            self.assertEqual("edges", name)
            self.assertTrue(0.1 <= lead <= 0.5 and 0.0 <= trail <= 0.3)
            n_lead = int(round(lead * SR))
            self.assertFalse(np.any(y[:n_lead]))
            self.assertEqual(len(y), n_lead + int(0.4 * SR) + 320 + int(round(trail * SR)))
            leads.append(lead)
        self.assertGreater(len(set(leads)), 3)
        # The default configuration has no edges step (recipes turn it on).
        self.assertNotIn("edges", A.DEFAULT_CONFIG)

    def test_vtlp(self):
        x = tone(1000.0)
        self.assertGreater(si_sdr(x, A.vtlp(x, 1.0)), 30.0)
        sp = speechlike(0.5)
        self.assertGreater(si_sdr(sp, A.vtlp(sp, 1.0)), 30.0)
        for alpha in (0.9, 0.95, 1.05, 1.1):
            y = A.vtlp(x, alpha)
            self.assertEqual(len(y), len(x))
            self.assertAlmostEqual(peak_freq(y) / (1000.0 * alpha), 1.0, delta=0.02, msg=alpha)
        # The warp fixes 0 and Nyquist and is alpha * f below the boundary.
        w = A.vtlp_warp([0.0, 1000.0, 8000.0], 1.1)
        np.testing.assert_allclose(w, [0.0, 1100.0, 8000.0])


class ReverbTest(unittest.TestCase):
    def impulse(self):
        x = np.zeros(SR, np.float32)
        x[200] = 0.5
        return x

    def test_rir_reverb(self):
        x = self.impulse()
        y = A.reverb_rir(x, rt60=0.5, rng=1)
        self.assertEqual(len(y), len(x))
        self.assertGreater(decay_time(y[200:]), decay_time(x[200:]) + 0.02)
        longer = A.reverb_rir(x, rt60=0.9, rng=1)
        self.assertGreater(decay_time(longer[200:]), decay_time(y[200:]))
        tail = A.reverb_rir(x, rt60=0.5, rng=1, keep_tail=True)
        self.assertEqual(len(tail), len(x) + 8000 - 1)

    @unittest.skipUnless(A.have_sox(), "sox not installed")
    def test_sox_reverb(self):
        x = self.impulse()
        y = A.reverb_sox(x, reverberance=80, hf_damping=30, room_scale=100)
        self.assertEqual(len(y), len(x))
        self.assertEqual(y.dtype, np.float32)
        self.assertGreater(decay_time(y[200:]), decay_time(x[200:]) + 0.02)
        self.assertEqual(len(A.reverb_sox(x, keep_tail=True, tail_s=0.5)), len(x) + 8000)


class SpecAugmentTest(unittest.TestCase):
    def test_requested_masks(self):
        feats = np.arange(100 * 80, dtype=np.float32).reshape(100, 80)
        out = A.apply_masks(feats, [(10, 7)], [(50, 13)], mask_value=0)
        masked = out != feats
        # Exactly columns 10..16 and rows 50..62 (the only zero of feats is at (0, 0)).
        self.assertTrue(masked[:, 10:17].all())
        self.assertTrue(masked[50:63, :].all())
        self.assertEqual(masked.sum(), 100 * 7 + 13 * 80 - 13 * 7)
        mean = A.apply_masks(feats, [(0, 3)], [], mask_value="mean")
        self.assertTrue(np.all(mean[:, :3] == np.float32(feats.mean())))
        self.assertEqual(feats[0, 1], 1.0)  # input untouched

    def test_sampled_limits(self):
        rng = np.random.default_rng(0)
        seen_f, seen_t = set(), set()
        for _ in range(300):
            fm, tm = A.sample_masks(120, 80, rng, num_freq_masks=2, freq_width=10,
                                    num_time_masks=3, time_width=50, p=0.2)
            self.assertEqual((len(fm), len(tm)), (2, 3))
            for s, w in fm:
                self.assertTrue(0 <= w <= 10 and 0 <= s and s + w <= 80)
                seen_f.add(w)
            for s, w in tm:
                self.assertTrue(0 <= w <= 24 and 0 <= s and s + w <= 120)  # p * T = 24
                seen_t.add(w)
        self.assertEqual(seen_f, set(range(11)))
        self.assertEqual(max(seen_t), 24)
        feats = np.ones((120, 80), np.float32)
        out, fm, tm = A.spec_augment(feats, 3, freq_width=10, time_width=50, p=0.2,
                                     mask_value="zero", return_masks=True)
        expect = np.ones_like(feats)
        for s, w in fm:
            expect[:, s:s + w] = 0
        for s, w in tm:
            expect[s:s + w] = 0
        np.testing.assert_array_equal(out, expect)

    def test_torch_variant(self):
        try:
            import torch
        except ImportError:
            self.skipTest("torch not installed")
        feats = np.random.default_rng(1).standard_normal((60, 80)).astype(np.float32)
        a = A.spec_augment(feats, 7, mask_value="mean")
        b = A.spec_augment_torch(torch.from_numpy(feats), 7, mask_value="mean")
        np.testing.assert_allclose(b.numpy(), a, atol=1e-6)


class DeterminismTest(unittest.TestCase):
    CONFIG = {
        "speed": {"p": 0.7, "factors": [0.9, 1.1]},
        "vtlp": {"p": 0.5, "alpha": [0.9, 1.1]},
        "reverb": {"p": 0.5, "backend": "numpy", "rt60": [0.2, 0.5]},
        "noise": {"p": 1.0, "snr_db": [0, 20],
                  "kinds": {"real": 1, "pink": 1, "brown": 1, "babble": 1}},
        "telephone": {"p": 0.2},
        "gain": {"p": 0.5, "db": [-6, 6]},
        "specaugment": {"p": 1.0, "freq_width": 10, "time_width": 20},
    }

    def make(self, seed):
        return A.Augmenter(self.CONFIG, base_seed=seed,
                           noises=[A.white_noise(SR // 2, rng=9)],
                           voices=[speechlike(0.4, s) for s in range(3)])

    def test_same_seed_same_output(self):
        x = speechlike(0.5)
        a, b = self.make(1), self.make(1)
        # Different call order (as after --resume) still gives identical results.
        ya = [a(x, i) for i in range(6)]
        yb = [b(x, i) for i in reversed(range(6))][::-1]
        for (u, iu), (v, iv) in zip(ya, yb):
            np.testing.assert_array_equal(u, v)
            self.assertEqual(iu, iv)
            self.assertEqual(u.dtype, np.float32)
            self.assertLessEqual(np.max(np.abs(u)), 0.99 + 1e-6)
        feats = np.random.default_rng(0).standard_normal((50, 80)).astype(np.float32)
        np.testing.assert_array_equal(a.augment_features(feats, 3),
                                      b.augment_features(feats, 3))

    def test_different_seed_differs(self):
        x = speechlike(0.5)
        y1, _ = self.make(1)(x, 0)
        y2, _ = self.make(2)(x, 0)
        y3, _ = self.make(1)(x, 1)
        y4, _ = self.make(1)(x, 0, epoch=1)
        for other in (y2, y3, y4):
            self.assertFalse(len(y1) == len(other) and np.array_equal(y1, other))
        for f in (A.pink_noise, A.white_noise):
            self.assertFalse(np.array_equal(f(1000, rng=1), f(1000, rng=2)))
            np.testing.assert_array_equal(f(1000, rng=1), f(1000, rng=1))
        m1 = A.sample_masks(100, 80, 1)
        self.assertEqual(m1, A.sample_masks(100, 80, 1))
        self.assertNotEqual(m1, A.sample_masks(100, 80, 2))

    def test_default_config_runs(self):
        aug = A.Augmenter(base_seed=0)  # no real noise / voices: those kinds dropped
        x = speechlike(0.5)
        kinds = set()
        for i in range(8):
            y, info = aug(x, i)
            self.assertTrue(np.all(np.isfinite(y)))
            kinds |= {step[0] for step in info}
        self.assertIn("noise", kinds)


if __name__ == "__main__":
    unittest.main()


class ColouringTest(unittest.TestCase):
    def test_eq_curve_known_values(self):
        g = A.eq_curve_db([1000.0, 2000.0, 500.0], 3.0, [])
        np.testing.assert_allclose(g, [0.0, 3.0, -3.0], atol=1e-12)
        g = A.eq_curve_db([1000.0, 2000.0], 3.0, [(1000.0, 6.0, 0.5)])
        np.testing.assert_allclose(g, [6.0, 3.0 + 6.0 * np.exp(-2.0)], atol=1e-12)

    def test_machine_noise_is_seeded_unit_level_and_rhythmic(self):
        a = machine_noise(48000, np.random.default_rng(3))
        np.testing.assert_array_equal(a, machine_noise(48000, np.random.default_rng(3)))
        self.assertEqual((a.shape, a.dtype), ((48000,), np.float32))
        self.assertAlmostEqual(A.rms(a), 1.0, places=4)
        # Non-stationary: over 20 seeds, the 20 ms frame levels of most draws spread far more
        # than white noise's (whose frame levels stay within about +-1.5 dB).
        def spread_db(x):
            e = np.square(x[:len(x) // 320 * 320].reshape(-1, 320).astype(np.float64)).mean(1)
            db = 10 * np.log10(e + 1e-12)
            return np.percentile(db, 95) - np.percentile(db, 5)
        white = A.coloured_noise(48000, "white", np.random.default_rng(0))
        self.assertLess(spread_db(white), 3.0)
        spreads = [spread_db(machine_noise(48000, np.random.default_rng(s))) for s in range(20)]
        self.assertGreaterEqual(sum(s > 6.0 for s in spreads), 10)
        # Seeds differ in content, not just phase.
        b = machine_noise(48000, np.random.default_rng(4))
        self.assertLess(abs(np.corrcoef(a, b)[0, 1]), 0.2)

    def test_random_colouring_reshapes_and_keeps_level(self):
        x = np.random.default_rng(0).standard_normal(32000).astype(np.float32)
        a = A.random_colouring(x, np.random.default_rng(4))
        b = A.random_colouring(x, np.random.default_rng(4))
        np.testing.assert_array_equal(a, b)
        self.assertEqual(a.shape, x.shape)
        self.assertAlmostEqual(A.rms(a), A.rms(x), places=4)
        # Octave-band levels move by several dB somewhere (white noise is flat to ~0.5 dB).
        f = np.fft.rfftfreq(len(x), 1 / 16000)
        px, pa = np.abs(np.fft.rfft(x)) ** 2, np.abs(np.fft.rfft(a)) ** 2
        edges = 125 * 2.0 ** np.arange(7)
        diff = [10 * np.log10(pa[(f >= lo) & (f < 2 * lo)].sum()
                              / px[(f >= lo) & (f < 2 * lo)].sum()) for lo in edges]
        self.assertGreater(max(diff) - min(diff), 3.0)
