"""One-feature baselines for the emotion eval: zero-crossing rate, spectral centroid,
pitch level, loudness (each fitted by linear regression), and the high/low arousal UA."""

from __future__ import annotations

import numpy as np

from models.recipes.common import metrics
from models.recipes.emotion.data import BLOCK, OUTPUTS, SR, speech_mask


def heuristic_features(wave: np.ndarray) -> dict:
    """One-number utterance features over speech blocks (speech_mask): zero-crossing rate,
    spectral centroid (Hz), pitch level (median log2 F0 of voiced blocks, autocorrelation),
    loudness (mean block energy, dBFS)."""
    n = len(wave) // BLOCK
    if n == 0:
        return {"zcr": 0.0, "centroid": 0.0, "pitch": 0.0, "loudness": -100.0}
    x = np.asarray(wave[:n * BLOCK], dtype=np.float64).reshape(n, BLOCK)
    m = speech_mask(wave, n)
    xs = x[m]
    zcr = float(np.mean(np.abs(np.diff(np.signbit(xs), axis=1)).mean(axis=1)))
    spec = np.abs(np.fft.rfft(xs * np.hanning(BLOCK), axis=1)) ** 2
    f = np.fft.rfftfreq(BLOCK, 1 / SR)
    centroid = float(np.mean((spec * f).sum(1) / (spec.sum(1) + 1e-12)))
    loud = float(np.mean(10 * np.log10(np.mean(xs * xs, axis=1) + 1e-12)))
    lo, hi = SR // 400, SR // 60  # 60-400 Hz
    f0 = []
    for fr in xs:
        fr = fr - fr.mean()
        ac = np.correlate(fr, fr, "full")[BLOCK - 1:]
        if ac[0] <= 0:
            continue
        ac = ac / ac[0]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.4:
            f0.append(SR / lag)
    pitch = float(np.median(np.log2(f0))) if f0 else float("nan")
    return {"zcr": zcr, "centroid": centroid, "pitch": pitch, "loudness": loud}


HEURISTICS = ("zcr", "centroid", "pitch", "loudness")


def heuristic_scores(f_train, y_train, f_test, y_test) -> dict:
    """Per feature and target: linear regression fitted on the training set, CCC (and for
    arousal the high/low UA) on the test set."""
    out = {}
    for name in HEURISTICS:
        xtr = np.array([f[name] for f in f_train])
        xte = np.array([f[name] for f in f_test])
        ok = np.isfinite(xtr)
        fill = float(np.nanmean(xtr))
        xte = np.where(np.isfinite(xte), xte, fill)
        res = {}
        for t, target in enumerate(OUTPUTS):
            k, b = np.polyfit(xtr[ok], y_train[ok, t], 1)
            pred = k * xte + b
            res[f"{target}_ccc"] = metrics.ccc(pred, y_test[:, t])
            if target == "arousal":
                res["arousal_ua"] = arousal_ua(pred, y_test[:, 0])
        out[name] = res
    return out


def best_heuristic(scores: dict, key: str) -> dict:
    name = max(scores, key=lambda n: scores[n][key])
    return {"feature": name, "value": scores[name][key]}


def arousal_ua(pred, true) -> float:
    """High- vs low-arousal unweighted accuracy (mapped arousal > 0 vs < 0; neutral, i.e.
    arousal 0, excluded); the prediction's class is its sign."""
    pred, true = np.asarray(pred), np.asarray(true)
    keep = true != 0
    if not keep.any():
        return float("nan")
    return metrics.unweighted_average_recall((true[keep] > 0).tolist(),
                                             (pred[keep] > 0).tolist())
