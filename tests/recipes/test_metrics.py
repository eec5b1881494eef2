"""Unit tests for models/recipes/common/metrics.py against known values."""
import unittest

import numpy as np

from models.recipes.common import metrics as M


class WerTest(unittest.TestCase):
    def counts(self, ref, hyp):
        c = M.word_errors(ref, hyp)
        return (c.substitutions, c.deletions, c.insertions, c.ref_len)

    def test_hand_computed(self):
        self.assertEqual(self.counts("the cat sat", "the cat sat"), (0, 0, 0, 3))
        self.assertEqual(self.counts("the cat sat", "the bat sat"), (1, 0, 0, 3))
        self.assertEqual(self.counts("the cat sat", "the sat"), (0, 1, 0, 3))
        self.assertEqual(self.counts("the cat sat", "the cat sat down"), (0, 0, 1, 3))
        self.assertEqual(self.counts("the cat sat on the mat", "a cat sat the mat too"),
                         (1, 1, 1, 6))
        self.assertEqual(self.counts("a b", ""), (0, 2, 0, 2))
        self.assertEqual(self.counts("", "a b"), (0, 0, 2, 0))
        # Ties prefer substitutions: 2 S rather than 1 D + 1 I.
        self.assertEqual(self.counts("a b", "b a"), (2, 0, 0, 2))

    def test_rates(self):
        self.assertAlmostEqual(M.wer("the cat sat on the mat", "a cat sat the mat too"), 0.5)
        self.assertAlmostEqual(M.wer(["a b c d", "e f"], ["a x c d", "e f g"]), 2 / 6)
        self.assertEqual(M.wer("", ""), 0.0)
        self.assertEqual(M.wer("", "x"), float("inf"))
        # kitten -> sitting: 2 substitutions, 1 insertion over 6 characters.
        c = M.char_errors("kitten", "sitting")
        self.assertEqual((c.substitutions, c.deletions, c.insertions), (2, 0, 1))
        self.assertAlmostEqual(M.cer("kitten", "sitting"), 3 / 6)
        self.assertAlmostEqual(M.cer("ab  c", "ab c"), 0.0)


class CccUarTest(unittest.TestCase):
    def test_ccc(self):
        x = np.array([0.1, -0.4, 0.7, 0.3, -0.9])
        self.assertAlmostEqual(M.ccc(x, x), 1.0)
        self.assertAlmostEqual(M.ccc(x - x.mean(), -(x - x.mean())), -1.0)
        # Hand-computed: x = [1,2,3], y = [2,3,4]: var 2/3 each, cov 2/3, mean diff 1
        # -> 2 * 2/3 / (2/3 + 2/3 + 1) = (4/3) / (7/3) = 4/7.
        self.assertAlmostEqual(M.ccc([1, 2, 3], [2, 3, 4]), 4 / 7)
        # y = 2x: cov = 4/3, vx = 2/3, vy = 8/3, mean diff 2 -> (8/3) / (10/3 + 4) = 4/11.
        self.assertAlmostEqual(M.ccc([1, 2, 3], [2, 4, 6]), 4 / 11)

    def test_uar(self):
        y_true = ["a", "a", "a", "a", "b", "b", "c", "c"]
        y_pred = ["a", "a", "a", "b", "b", "a", "a", "a"]
        # recalls: a 3/4, b 1/2, c 0 -> mean 5/12; accuracy would be 4/8.
        self.assertAlmostEqual(M.uar(y_true, y_pred), 5 / 12)
        self.assertAlmostEqual(M.uar([0, 1, 1], [0, 1, 1]), 1.0)


class SiSdrTest(unittest.TestCase):
    def test_scaled_copy(self):
        rng = np.random.default_rng(0)
        s = rng.standard_normal(16000)
        self.assertGreater(M.si_sdr(s, 0.3 * s), 100.0)

    def test_known_noise(self):
        rng = np.random.default_rng(1)
        s = rng.standard_normal(16000)
        n = rng.standard_normal(16000)
        n -= s * np.dot(n, s) / np.dot(s, s)          # orthogonal to s
        s -= s.mean()
        n -= n.mean()
        n -= s * np.dot(n, s) / np.dot(s, s)
        n *= np.linalg.norm(s) / np.linalg.norm(n) * 10 ** (-10 / 20)  # exactly 10 dB
        self.assertAlmostEqual(M.si_sdr(s, s + n), 10.0, places=6)
        self.assertAlmostEqual(M.si_sdr(s, 5.0 * (s + n)), 10.0, places=6)


def _speech_like(fs, seconds, seed):
    """Amplitude-modulated harmonic signal with pauses (STOI needs envelope structure)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(fs * seconds)) / fs
    f0 = 120 + 30 * np.sin(2 * np.pi * 0.5 * t)
    phase = 2 * np.pi * np.cumsum(f0) / fs
    x = sum(np.sin(k * phase) / k for k in range(1, 30))
    env = np.clip(np.sin(2 * np.pi * 3.0 * t + rng.uniform(0, 6)), 0, None) ** 2
    env *= (np.sin(2 * np.pi * 0.37 * t) > -0.6)
    return x * env + 1e-4 * rng.standard_normal(len(t))


def _stoi_loops(clean, degraded, fs):
    """STOI written out loop by loop from Taal et al. (2011), section II, independently of
    metrics.stoi (same published constants: 10 kHz, 256-sample frames with hop 128 and the
    Matlab hanning window, 512-point DFT, 15 third-octave bands from 150 Hz with edges at the
    geometric means of neighbouring centres, 40 dB silent-frame range, N = 30, beta = -15 dB)."""
    from scipy.signal import resample_poly
    x = resample_poly(np.asarray(clean, float), 5, 8) if fs == 16000 else np.asarray(clean, float)
    y = resample_poly(np.asarray(degraded, float), 5, 8) if fs == 16000 else \
        np.asarray(degraded, float)
    n, hop = 256, 128
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(1, n + 1) / (n + 1))  # hanning(256)
    starts = list(range(0, len(x) - n, hop))
    energy = [20 * np.log10(np.sqrt(np.sum((w * x[i:i + n]) ** 2)) + np.finfo(float).eps)
              for i in starts]
    kept = [i for i, e in zip(starts, energy) if e > max(energy) - 40]
    xs, ys = np.zeros((len(kept) - 1) * hop + n), np.zeros((len(kept) - 1) * hop + n)
    for j, i in enumerate(kept):
        xs[j * hop:j * hop + n] += w * x[i:i + n]
        ys[j * hop:j * hop + n] += w * y[i:i + n]
    frames = list(range(0, len(xs) - n, hop))
    bin_hz = 10000 / 512
    bands = []
    for j in range(15):
        cf = 150 * 2 ** (j / 3)
        lo, hi = cf * 2 ** (-1 / 6), cf * 2 ** (1 / 6)
        bands.append((int(np.floor(lo / bin_hz + 0.5)), int(np.floor(hi / bin_hz + 0.5))))
    xe = np.zeros((15, len(frames)))
    ye = np.zeros((15, len(frames)))
    for m, i in enumerate(frames):
        fx = np.fft.fft(w * xs[i:i + n], 512)
        fy = np.fft.fft(w * ys[i:i + n], 512)
        for j, (lo, hi) in enumerate(bands):
            xe[j, m] = np.sqrt(np.sum(np.abs(fx[lo:hi]) ** 2))
            ye[j, m] = np.sqrt(np.sum(np.abs(fy[lo:hi]) ** 2))
    total, count = 0.0, 0
    for m in range(29, len(frames)):
        for j in range(15):
            xv, yv = xe[j, m - 29:m + 1], ye[j, m - 29:m + 1]
            yv = np.minimum(yv * np.linalg.norm(xv) / np.linalg.norm(yv), xv * (1 + 10 ** 0.75))
            total += np.corrcoef(xv, yv)[0, 1]
            count += 1
    return total / count


class StoiTest(unittest.TestCase):
    fs = 16000

    def test_matches_a_loop_by_loop_implementation_of_the_paper(self):
        x = _speech_like(self.fs, 3.0, 1)
        n = np.random.default_rng(9).standard_normal(len(x)) * np.std(x)
        for snr in (-5, 0, 10):
            y = x + n * 10 ** (-snr / 20)
            self.assertAlmostEqual(M.stoi(x, y, self.fs), _stoi_loops(x, y, self.fs), places=6)

    def test_identical(self):
        x = _speech_like(self.fs, 3.0, 0)
        self.assertGreater(M.stoi(x, x, self.fs), 0.999)
        self.assertGreater(M.stoi(x, 0.5 * x, self.fs), 0.999)  # scale invariant

    def test_unrelated_noise_low(self):
        x = _speech_like(self.fs, 3.0, 0)
        n = np.random.default_rng(5).standard_normal(len(x))
        # The beta = -15 dB clipping bounds the degraded envelope by the clean one, so
        # unrelated noise does not score 0: about 0.4 for real speech (0.40 measured on
        # espeak-ng speech), well below speech at 0 dB SNR (0.83).
        score = M.stoi(x, n, self.fs)
        self.assertLess(score, 0.5)
        self.assertLess(score, M.stoi(x, x + n * np.std(x) / np.std(n), self.fs) - 0.2)

    def test_monotone_in_snr(self):
        x = _speech_like(self.fs, 3.0, 0)
        n = np.random.default_rng(7).standard_normal(len(x))
        n *= np.sqrt(np.mean(x ** 2) / np.mean(n ** 2))
        scores = [M.stoi(x, x + n * 10 ** (-snr / 20), self.fs) for snr in (-10, -5, 0, 5, 10, 20)]
        for lo, hi in zip(scores, scores[1:]):
            self.assertLess(lo, hi, scores)
        self.assertGreater(scores[-1], 0.9)

    def test_other_rate_and_too_short(self):
        x = _speech_like(8000, 2.0, 3)
        self.assertGreater(M.stoi(x, x, 8000), 0.999)
        with self.assertRaises(ValueError):
            M.stoi(x[:1000], x[:1000], 8000)


class RtfTest(unittest.TestCase):
    def test_rtf(self):
        self.assertAlmostEqual(M.real_time_factor(2.0, 10.0), 0.2)
        with self.assertRaises(ValueError):
            M.real_time_factor(1.0, 0.0)
        with M.RtfTimer(100.0) as t:
            sum(range(1000))
        self.assertGreaterEqual(t.rtf, 0.0)
        self.assertLess(t.rtf, 0.01)


class ConfidenceTest(unittest.TestCase):
    def test_word_correctness(self):
        # ref "the cat sat on the mat", hyp: substitution (bat), insertion (down),
        # deletion (on): the, sat, the, mat correct.
        self.assertEqual(M.word_correctness("the cat sat on the mat", "the bat sat down the mat"),
                         [True, False, True, False, True, True])
        self.assertEqual(M.word_correctness("a b c", "a x b c"), [True, False, True, True])
        self.assertEqual(M.word_correctness("a b", ""), [])
        self.assertEqual(M.word_correctness("", "a b"), [False, False])

    def test_ece_hand_computed(self):
        # Bin [0.9, 1.0): conf 0.95 x2, one correct -> |0.5 - 0.95| * 2/4.
        # Bin [0.2, 0.3): conf 0.25 x2, both wrong -> |0 - 0.25| * 2/4.
        ece = M.expected_calibration_error([0.95, 0.95, 0.25, 0.25], [1, 0, 0, 0])
        self.assertAlmostEqual(ece, 0.5 * 0.45 + 0.5 * 0.25)
        self.assertEqual(M.expected_calibration_error([], []), 0.0)
        self.assertAlmostEqual(M.expected_calibration_error([1.0, 1.0], [1, 1]), 0.0)

    def test_platt_recovers_a_known_calibration(self):
        # Labels drawn from p = sigmoid(2 * logit(c) - 1): the fit finds (2, -1) and the
        # calibrated confidences have a small ECE while the raw ones do not.
        rng = np.random.default_rng(0)
        c = rng.uniform(0.02, 0.98, 20000)
        p = M.calibrate(c, 2.0, -1.0)
        y = rng.uniform(size=c.size) < p
        scale, bias = M.fit_platt(c, y)
        self.assertAlmostEqual(scale, 2.0, delta=0.1)
        self.assertAlmostEqual(bias, -1.0, delta=0.1)
        self.assertGreater(M.expected_calibration_error(c, y), 0.08)
        self.assertLess(M.expected_calibration_error(M.calibrate(c, scale, bias), y), 0.02)
        self.assertEqual(M.fit_platt([0.5, 0.7], [1, 1]), (1.0, 0.0))
        np.testing.assert_allclose(M.calibrate([0.3, 0.8], 1.0, 0.0), [0.3, 0.8], atol=1e-9)


if __name__ == "__main__":
    unittest.main()
