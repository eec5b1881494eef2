"""Running the network and CTC decoding (greedy, prefix beam search, word-LM fusion),
used by train's validation, eval, tune and export's golden files."""

from __future__ import annotations

import math

import numpy as np

from ..common import export, netspec
from .data import FeatureSet
from .model import BLANK, SYMBOL_ID, VOCAB, output_frames


def greedy_decode(logp: np.ndarray) -> str:
    """Best path: per-frame argmax, collapse repeats, drop blanks (as nn/ctc_greedy.h)."""
    best = np.argmax(logp, axis=1)
    out, prev = [], -1
    for s in best:
        if s != prev and s != BLANK:
            out.append(VOCAB[s])
        prev = s
    return " ".join("".join(out).split())


class LmFusion:
    """Word LM shallow fusion for the Python prefix beam search, mirroring
    nn/word_lm_scorer.h: at each space (and at the end, plus </s>) adds
    lm_weight * ln P(word | history) + word_insertion_bonus."""

    def __init__(self, lm, lm_weight: float, bonus: float):
        self.lm, self.w, self.bonus = lm, lm_weight, bonus
        self.cache = {}

    def word(self, history: tuple, word: str) -> float:
        key = (history[-2:], word)
        s = self.cache.get(key)
        if s is None:
            s = self.w * self.lm.logprob(("<s>",) + history[-2:] if len(history) < 2
                                         else history[-2:], word) + self.bonus
            self.cache[key] = s
        return s

    def final(self, history: tuple) -> float:
        return self.w * self.lm.logprob(("<s>",) + history[-2:] if len(history) < 2
                                        else history[-2:], "</s>")


def _lse(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = max(a, b)
    return m + math.log1p(math.exp(-abs(a - b)))


def prefix_beam_search(logp: np.ndarray, beam: int = 16, fusion: LmFusion | None = None,
                       prune: float = -10.0) -> str:
    """CTC prefix beam search (natural-log (T, V) input) with optional word-LM fusion.
    Symbols more than -prune below the frame's best are skipped. Python stop-gap for
    `eval --engine torch`; the shipped decoder is nn/ctc_prefix_beam_search.h."""
    NEG = -math.inf
    space = SYMBOL_ID[" "]
    # prefix (str) -> [log p ending in blank, log p ending in non-blank, lm score, words]
    beams = {"": [0.0, NEG, 0.0, ()]}
    for t in range(logp.shape[0]):
        row = logp[t]
        cand = np.nonzero(row >= row.max() + prune)[0]
        nxt = {}

        def add(prefix, pb, pnb, lm, words):
            e = nxt.get(prefix)
            if e is None:
                nxt[prefix] = [pb, pnb, lm, words]
            else:
                e[0] = _lse(e[0], pb)
                e[1] = _lse(e[1], pnb)

        for prefix, (pb, pnb, lm, words) in beams.items():
            total = _lse(pb, pnb)
            last = prefix[-1] if prefix else None
            for s in cand:
                lp = float(row[s])
                if s == BLANK:
                    add(prefix, total + lp, NEG, lm, words)
                    continue
                c = VOCAB[s]
                if s == space and (not prefix or last == " "):
                    add(prefix, total + lp, NEG, lm, words)  # no leading/double spaces
                    continue
                if c == last:
                    add(prefix, NEG, pnb + lp, lm, words)  # repeat collapses
                    if pb > NEG:
                        ext = prefix + c
                        add(ext, NEG, pb + lp, lm, words)
                    continue
                ext = prefix + c
                if s == space and fusion is not None:
                    w = prefix.rsplit(" ", 1)[-1]
                    add(ext, NEG, total + lp, lm + fusion.word(words, w), words + (w,))
                elif s == space:
                    add(ext, NEG, total + lp, lm, words + (prefix.rsplit(" ", 1)[-1],))
                else:
                    add(ext, NEG, total + lp, lm, words)
        beams = dict(sorted(nxt.items(), key=lambda kv: -(_lse(kv[1][0], kv[1][1])
                                                         + kv[1][2]))[:beam])
    best, best_score = "", NEG
    for prefix, (pb, pnb, lm, words) in beams.items():
        score = _lse(pb, pnb) + lm
        if fusion is not None:
            if prefix and not prefix.endswith(" "):
                w = prefix.rsplit(" ", 1)[-1]
                score += fusion.word(words, w)
                words = words + (w,)
            score += fusion.final(words)
        if score > best_score:
            best, best_score = prefix, score
    return " ".join(best.split())


def _pad_batch(feats: list, mean, std):
    import torch
    t = max(f.shape[0] for f in feats)
    x = np.zeros((len(feats), t, feats[0].shape[1]), np.float32)
    for i, f in enumerate(feats):
        x[i, :f.shape[0]] = (f - mean) / std
    return torch.from_numpy(x)


def run_network(net, fs: FeatureSet, item_rows: list, mean, std, spec,
                batch_frames: int = 20000) -> list:
    """Log-probabilities (numpy (T', V)) per row, batched by length (eval mode)."""
    import torch
    order = sorted(range(len(item_rows)), key=lambda k: fs.rows[item_rows[k]][3])
    out = [None] * len(item_rows)
    i = 0
    with torch.no_grad():
        while i < len(order):
            j = i + 1
            while j < len(order) and (j - i + 1) * fs.rows[item_rows[order[j]]][3] \
                    <= batch_frames and j - i < 64:
                j += 1
            idx = order[i:j]
            feats = [fs.features(item_rows[k]) for k in idx]
            y = torch.log_softmax(net(_pad_batch(feats, mean, std)), dim=-1).numpy()
            for n, k in enumerate(idx):
                out[k] = y[n, :output_frames(spec, feats[n].shape[0])]
            i = j
    return out


def net_from_model_file(path: str):
    """(SpecNet in float32 with the file's (float16) weights, metadata, cmvn mean, std)."""
    tensors, meta, _ = export.read_model(path)
    net = netspec.SpecNet(meta["layers"])
    net.load_exported(tensors)
    net.eval()
    return net, meta, tensors["cmvn.mean"].astype(np.float32), \
        tensors["cmvn.std"].astype(np.float32)
