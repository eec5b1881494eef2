"""Evaluation metrics shared by the auris recipes.

* WER / CER with substitution, deletion and insertion counts (Levenshtein alignment);
* CCC (Lin's concordance correlation coefficient);
* UAR (unweighted average recall);
* SI-SDR (Le Roux et al. 2019);
* STOI (Taal, Hendriks, Heusdens, Jensen 2011), the published algorithm;
* real-time factor;
* confidence: which hypothesis words are correct, expected calibration error (ECE), and a
  Platt (logistic) calibration fit.

numpy/scipy only; every function is unit-tested in tests/recipes/test_metrics.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

_EPS = np.finfo(np.float64).eps


# --------------------------------------------------------------------------- WER / CER
@dataclass
class ErrorCounts:
    """Edit counts of hypotheses against references (summed over utterances)."""
    substitutions: int = 0
    deletions: int = 0
    insertions: int = 0
    ref_len: int = 0

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def hits(self) -> int:
        return self.ref_len - self.substitutions - self.deletions

    @property
    def rate(self) -> float:
        """Error rate (S + D + I) / N; inf if N = 0 and there are errors, 0 if neither."""
        if self.ref_len == 0:
            return 0.0 if self.errors == 0 else float("inf")
        return self.errors / self.ref_len

    def __add__(self, other: "ErrorCounts") -> "ErrorCounts":
        return ErrorCounts(self.substitutions + other.substitutions,
                           self.deletions + other.deletions,
                           self.insertions + other.insertions,
                           self.ref_len + other.ref_len)


def align_counts(ref: Sequence, hyp: Sequence) -> ErrorCounts:
    """Minimum-edit (Levenshtein) alignment of hyp to ref, all edits of cost 1.

    Among alignments of minimal total cost, ties are broken towards more substitutions
    (fewer deletion + insertion pairs, as sclite does) and then fewer deletions, so the
    counts are deterministic."""
    n, m = len(ref), len(hyp)
    # Each cell holds (cost, -subs, dels, ins); lexicographic min gives the tie-breaking.
    prev = [(j, 0, 0, j) for j in range(m + 1)]
    for i in range(1, n + 1):
        cur = [(i, 0, i, 0)] + [None] * m
        r = ref[i - 1]
        for j in range(1, m + 1):
            c, s, d, ins = prev[j - 1]
            if r == hyp[j - 1]:
                best = (c, s, d, ins)
            else:
                best = (c + 1, s - 1, d, ins)
            c, s, d, ins = prev[j]
            cand = (c + 1, s, d + 1, ins)
            if cand < best:
                best = cand
            c, s, d, ins = cur[j - 1]
            cand = (c + 1, s, d, ins + 1)
            if cand < best:
                best = cand
            cur[j] = best
        prev = cur
    _, neg_s, d, ins = prev[m]
    return ErrorCounts(-neg_s, d, ins, n)


def word_errors(refs: Iterable[str] | str, hyps: Iterable[str] | str) -> ErrorCounts:
    """Word edit counts summed over utterance pairs (strings split on whitespace)."""
    if isinstance(refs, str):
        refs, hyps = [refs], [hyps]
    total = ErrorCounts()
    for r, h in zip(refs, hyps, strict=True):
        total = total + align_counts(r.split(), h.split())
    return total


def char_errors(refs: Iterable[str] | str, hyps: Iterable[str] | str) -> ErrorCounts:
    """Character edit counts (spaces count as characters; runs of spaces collapsed)."""
    if isinstance(refs, str):
        refs, hyps = [refs], [hyps]
    total = ErrorCounts()
    for r, h in zip(refs, hyps, strict=True):
        total = total + align_counts(" ".join(r.split()), " ".join(h.split()))
    return total


def wer(refs, hyps) -> float:
    return word_errors(refs, hyps).rate


def cer(refs, hyps) -> float:
    return char_errors(refs, hyps).rate


# --------------------------------------------------------------------------- confidence
def word_correctness(ref: str, hyp: str) -> list[bool]:
    """For each hypothesis word, whether a minimum-edit word alignment to `ref` matches it
    with an identical reference word (substitutions and insertions are wrong)."""
    r, h = ref.split(), hyp.split()
    n, m = len(r), len(h)
    cost = np.zeros((n + 1, m + 1), np.int64)
    cost[:, 0] = np.arange(n + 1)
    cost[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i, j] = min(cost[i - 1, j - 1] + (r[i - 1] != h[j - 1]),
                             cost[i - 1, j] + 1, cost[i, j - 1] + 1)
    correct = [False] * m
    i, j = n, m
    while i > 0 and j > 0:  # backtrace; prefers the diagonal (match/substitution)
        if cost[i, j] == cost[i - 1, j - 1] + (r[i - 1] != h[j - 1]):
            correct[j - 1] = r[i - 1] == h[j - 1]
            i, j = i - 1, j - 1
        elif cost[i, j] == cost[i, j - 1] + 1:
            j -= 1
        else:
            i -= 1
    return correct


def expected_calibration_error(confidence, correct, bins: int = 10) -> float:
    """ECE (Naeini et al. 2015; Guo et al. 2017): sum over equal-width confidence bins of
    (bin share) x |accuracy in bin - mean confidence in bin|. 0 for no items."""
    c = np.asarray(confidence, np.float64)
    y = np.asarray(correct, np.float64)
    if c.size == 0:
        return 0.0
    idx = np.minimum((np.clip(c, 0.0, 1.0) * bins).astype(np.int64), bins - 1)
    ece = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            ece += sel.mean() * abs(y[sel].mean() - c[sel].mean())
    return float(ece)


def fit_platt(confidence, correct, iterations: int = 50) -> tuple[float, float]:
    """(scale, bias) maximising the likelihood of `correct` under
    p = sigmoid(scale * logit(confidence) + bias) (Newton's method, tiny L2 on the scale
    to keep it finite when the classes separate); confidences clamped to [1e-6, 1 - 1e-6].
    Identity (1, 0) when there are no items or only one class."""
    c = np.clip(np.asarray(confidence, np.float64), 1e-6, 1 - 1e-6)
    y = np.asarray(correct, np.float64)
    if c.size == 0 or y.min() == y.max():
        return 1.0, 0.0
    x = np.stack([np.log(c / (1 - c)), np.ones_like(c)], axis=1)
    w = np.array([1.0, 0.0])
    reg = np.diag([1e-6 * c.size, 0.0])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + reg @ (w - np.array([1.0, 0.0]))
        hess = (x * (p * (1 - p))[:, None]).T @ x + reg + 1e-12 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        w = w - step
        if np.abs(step).max() < 1e-10:
            break
    return float(w[0]), float(w[1])


def calibrate(confidence, scale: float, bias: float) -> np.ndarray:
    """sigmoid(scale * logit(c) + bias), as models/asr/word_alignment.h CalibrateConfidence."""
    c = np.clip(np.asarray(confidence, np.float64), 1e-6, 1 - 1e-6)
    return 1.0 / (1.0 + np.exp(-(scale * np.log(c / (1 - c)) + bias)))


# --------------------------------------------------------------------------- CCC / UAR
def ccc(x, y) -> float:
    """Lin's concordance correlation coefficient, population (1/N) moments."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape or x.size == 0:
        raise ValueError("ccc needs two non-empty sequences of equal length")
    mx, my = x.mean(), y.mean()
    vx, vy = x.var(), y.var()
    cov = np.mean((x - mx) * (y - my))
    denom = vx + vy + (mx - my) ** 2
    if denom == 0:
        return 1.0  # both constant and equal
    return float(2 * cov / denom)


def unweighted_average_recall(y_true, y_pred, labels=None) -> float:
    """Mean over classes of per-class recall (classes = labels, or those in y_true)."""
    y_true = list(y_true)
    y_pred = list(y_pred)
    if len(y_true) != len(y_pred) or not y_true:
        raise ValueError("uar needs two non-empty sequences of equal length")
    classes = list(labels) if labels is not None else sorted(set(y_true))
    recalls = []
    for c in classes:
        idx = [i for i, t in enumerate(y_true) if t == c]
        if not idx:
            continue  # a class absent from the references has no recall
        recalls.append(sum(y_pred[i] == c for i in idx) / len(idx))
    return float(np.mean(recalls))


uar = unweighted_average_recall


# --------------------------------------------------------------------------- SI-SDR
def si_sdr(reference, estimate, zero_mean: bool = True) -> float:
    """Scale-invariant SDR in dB (Le Roux et al., 2019)."""
    s = np.asarray(reference, dtype=np.float64).ravel()
    e = np.asarray(estimate, dtype=np.float64).ravel()
    if s.shape != e.shape:
        raise ValueError("si_sdr needs equal-length signals")
    if zero_mean:
        s = s - s.mean()
        e = e - e.mean()
    alpha = np.dot(e, s) / (np.dot(s, s) + _EPS)
    target = alpha * s
    noise = e - target
    return float(10 * np.log10((np.dot(target, target) + _EPS) / (np.dot(noise, noise) + _EPS)))


# --------------------------------------------------------------------------- STOI
STOI_FS = 10000        # internal sample rate
STOI_FRAME = 256       # frame length (25.6 ms), hop 128, 512-point FFT
STOI_NFFT = 512
STOI_BANDS = 15        # one-third octave bands
STOI_MIN_CF = 150      # centre frequency of the lowest band (Hz)
STOI_N = 30            # frames per segment (384 ms)
STOI_BETA = -15.0      # lower SDR bound for clipping (dB)
STOI_DYN_RANGE = 40.0  # silent-frame removal dynamic range (dB)


def _stoi_window(n: int) -> np.ndarray:
    # Matlab hanning(n): symmetric Hann without the zero end points.
    return np.hanning(n + 2)[1:-1]


def _third_octave_matrix(fs: int, nfft: int, num_bands: int, min_cf: float) -> np.ndarray:
    f = np.linspace(0, fs, nfft + 1)[: nfft // 2 + 1]
    k = np.arange(num_bands, dtype=np.float64)
    cf = 2.0 ** (k / 3) * min_cf
    fl = np.sqrt(2.0 ** (k / 3) * min_cf * 2.0 ** ((k - 1) / 3) * min_cf)
    fr = np.sqrt(2.0 ** (k / 3) * min_cf * 2.0 ** ((k + 1) / 3) * min_cf)
    obm = np.zeros((num_bands, len(f)))
    for i in range(len(cf)):
        lo = int(np.argmin(np.square(f - fl[i])))
        hi = int(np.argmin(np.square(f - fr[i])))
        obm[i, lo:hi] = 1.0
    return obm


def _frames(x: np.ndarray, n: int, hop: int) -> np.ndarray:
    w = _stoi_window(n)
    starts = range(0, len(x) - n, hop)
    return np.array([w * x[i:i + n] for i in starts]).reshape(-1, n)


def _remove_silent_frames(x, y, dyn_range, n, hop):
    xf = _frames(x, n, hop)
    yf = _frames(y, n, hop)
    energies = 20 * np.log10(np.linalg.norm(xf, axis=1) + _EPS)
    keep = (np.max(energies) - dyn_range - energies) < 0
    xf, yf = xf[keep], yf[keep]
    count = xf.shape[0]
    out_len = (count - 1) * hop + n if count else 0
    xs = np.zeros(out_len)
    ys = np.zeros(out_len)
    for i in range(count):
        xs[i * hop:i * hop + n] += xf[i]
        ys[i * hop:i * hop + n] += yf[i]
    return xs, ys


def _resample(x: np.ndarray, fs_in: int, fs_out: int) -> np.ndarray:
    if fs_in == fs_out:
        return x
    from math import gcd
    from scipy.signal import resample_poly
    g = gcd(int(fs_in), int(fs_out))
    return resample_poly(x, fs_out // g, fs_in // g)


def stoi(clean, degraded, fs: int) -> float:
    """Short-time objective intelligibility (Taal et al., 2011), in about [0, 1].

    Resample to 10 kHz; drop frames more than 40 dB below the loudest clean frame;
    256-sample Hann frames (hop 128, 512-point FFT); 15 one-third octave bands from
    150 Hz; 30-frame (384 ms) segments; the degraded envelope is scaled to the clean
    segment energy and clipped at an SDR bound of beta = -15 dB; the result is the mean
    correlation of envelopes over bands and segments."""
    x = np.asarray(clean, dtype=np.float64).ravel()
    y = np.asarray(degraded, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError("stoi needs equal-length signals")
    x = _resample(x, fs, STOI_FS)
    y = _resample(y, fs, STOI_FS)
    hop = STOI_FRAME // 2
    x, y = _remove_silent_frames(x, y, STOI_DYN_RANGE, STOI_FRAME, hop)
    xs = np.fft.rfft(_frames(x, STOI_FRAME, hop), n=STOI_NFFT).T  # (bins, frames)
    ys = np.fft.rfft(_frames(y, STOI_FRAME, hop), n=STOI_NFFT).T
    if xs.shape[1] < STOI_N:
        raise ValueError("stoi needs at least 30 non-silent frames (~0.4 s of speech)")
    obm = _third_octave_matrix(STOI_FS, STOI_NFFT, STOI_BANDS, STOI_MIN_CF)
    x_tob = np.sqrt(obm @ np.square(np.abs(xs)))  # (bands, frames)
    y_tob = np.sqrt(obm @ np.square(np.abs(ys)))
    num_frames = x_tob.shape[1]
    xseg = np.array([x_tob[:, m - STOI_N:m] for m in range(STOI_N, num_frames + 1)])
    yseg = np.array([y_tob[:, m - STOI_N:m] for m in range(STOI_N, num_frames + 1)])
    # Normalise degraded to the clean segment energy, then clip.
    norm = np.linalg.norm(xseg, axis=2, keepdims=True) / (
        np.linalg.norm(yseg, axis=2, keepdims=True) + _EPS)
    y_norm = yseg * norm
    clip = 10 ** (-STOI_BETA / 20)
    y_prime = np.minimum(y_norm, xseg * (1 + clip))
    # Correlation coefficient per band and segment.
    y_prime = y_prime - y_prime.mean(axis=2, keepdims=True)
    xc = xseg - xseg.mean(axis=2, keepdims=True)
    y_prime /= np.linalg.norm(y_prime, axis=2, keepdims=True) + _EPS
    xc /= np.linalg.norm(xc, axis=2, keepdims=True) + _EPS
    corr = np.sum(y_prime * xc, axis=2)
    return float(np.mean(corr))


# --------------------------------------------------------------------------- RTF
def real_time_factor(processing_seconds: float, audio_seconds: float) -> float:
    """Processing time divided by audio duration (< 1 is faster than real time)."""
    if audio_seconds <= 0:
        raise ValueError("audio duration must be positive")
    return processing_seconds / audio_seconds


class RtfTimer:
    """Context manager: `with RtfTimer(audio_s) as t: ...; t.rtf`."""

    def __init__(self, audio_seconds: float):
        self.audio_seconds = audio_seconds
        self.elapsed = 0.0

    def __enter__(self):
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.perf_counter() - self._t0
        return False

    @property
    def rtf(self) -> float:
        return real_time_factor(self.elapsed, self.audio_seconds)
