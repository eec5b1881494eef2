"""Word n-gram language models: interpolated modified Kneser-Ney estimation, count pruning,
ARPA writing and reading (for the recipes' LM step, perplexity and Python decoding).

Estimation (Chen & Goodman 1998, "An empirical study of smoothing techniques", section
3.5; the same scheme as SRILM `-kndiscount -interpolate` and KenLM lmplz):

* Sentences are padded as <s> w1 .. wn </s>. The highest order uses raw counts c(h w).
  Lower orders use continuation counts N1+(. h w) = the number of distinct words seen
  before h w, except n-grams starting with <s>, which cannot be extended to the left and
  keep their raw counts.
* Three discounts per order from that order's count-of-counts n1..n4:
  Y = n1 / (n1 + 2 n2), D1 = 1 - 2 Y n2/n1, D2 = 2 - 3 Y n3/n2, D3+ = 3 - 4 Y n4/n3.
* Interpolation: P(w | h) = max(a(h w) - D(a(h w)), 0) / a(h .) + gamma(h) P(w | h'),
  gamma(h) = (D1 N1(h .) + D2 N2(h .) + D3+ N3+(h .)) / a(h .), with h' = h minus its
  oldest word and a the (raw or continuation) counts of the order. The unigram
  distribution is interpolated with the uniform distribution over the vocabulary (all
  words, </s> and <unk>; not <s>), so <unk> gets gamma() / |V|.
* A history never seen as a context backs off completely (P(w | h) = P(w | h')).

ARPA form: every listed n-gram stores its interpolated probability; the back-off weight
of a context h is recomputed after pruning as
  bow(h) = (1 - sum_{w listed after h} P(w | h)) / (1 - sum_{same w} P_backoff(w | h')),
so each conditional distribution of the written model sums to one (over the vocabulary
without <s>) with or without pruning. Without pruning bow(h) equals gamma(h).

Pruning: an n-gram of order >= 2 is listed only if its raw count reaches the order's
minimum and its context and suffix (n-1)-grams are listed (unigrams are never pruned).
`fit_to_size` picks the least pruning whose ARPA text fits a byte budget.
"""

from __future__ import annotations

import math
from collections import defaultdict

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
LOG10_ZERO = -99.0


def _discounts(counts) -> tuple[float, float, float]:
    """Modified KN discounts (D1, D2, D3+) from the count-of-counts of `counts` values."""
    n = [0, 0, 0, 0, 0]
    for c in counts:
        if 1 <= c <= 4:
            n[c] += 1
    n1, n2, n3, n4 = n[1:]
    if min(n1, n2, n3, n4) == 0:  # tiny corpora: fall back to a single absolute discount
        d = n1 / (n1 + 2 * n2) if n1 + n2 else 0.5
        d = min(max(d, 0.1), 0.9)
        return d, d, d
    y = n1 / (n1 + 2 * n2)
    d1 = 1 - 2 * y * n2 / n1
    d2 = 2 - 3 * y * n3 / n2
    d3 = 3 - 4 * y * n4 / n3
    # Guard against pathological count-of-counts (Chen & Goodman's formulas can go <= 0).
    return max(d1, 0.05), max(d2, 0.05), max(d3, 0.05)


class KneserNey:
    """Interpolated modified Kneser-Ney n-gram model (default trigram) over word lists."""

    def __init__(self, order: int = 3):
        if order < 1:
            raise ValueError("order must be >= 1")
        self.order = order

    # ------------------------------------------------------------------ estimation
    def fit(self, sentences) -> "KneserNey":
        """`sentences`: iterable of strings (space-separated words) or word lists."""
        N = self.order
        raw = [defaultdict(int) for _ in range(N + 1)]  # raw[n][ngram tuple]
        vocab = set()
        num_sentences = 0
        for s in sentences:
            words = s.split() if isinstance(s, str) else list(s)
            if not words:
                continue
            num_sentences += 1
            vocab.update(words)
            toks = [BOS] + words + [EOS]
            for i in range(1, len(toks)):
                for n in range(1, N + 1):
                    if i - n + 1 < 0:
                        break
                    raw[n][tuple(toks[i - n + 1:i + 1])] += 1
        if not num_sentences:
            raise ValueError("no training text")
        for special in (BOS, EOS, UNK):
            vocab.discard(special)
        self.vocab = sorted(vocab) + [EOS, UNK]  # predicted symbols (not <s>)
        self.raw = raw
        # Adjusted counts: raw at the top order and for n-grams starting with <s>,
        # continuation counts otherwise.
        adj = [None] * (N + 1)
        adj[N] = dict(raw[N])
        for n in range(N - 1, 0, -1):
            a = defaultdict(int)
            for g in raw[n + 1]:
                a[g[1:]] += 1
            for g, c in raw[n].items():
                if g[0] == BOS:
                    a[g] = c
            adj[n] = dict(a)
        self.adj = adj
        self.discount = [None] + [_discounts(adj[n].values()) for n in range(1, N + 1)]
        # Per-context totals and N1/N2/N3+ (context () for unigrams).
        self.ctx = [None] * (N + 1)
        for n in range(1, N + 1):
            d1, d2, d3 = self.discount[n]
            stats = defaultdict(lambda: [0, 0.0])  # total, discount mass
            for g, c in adj[n].items():
                st = stats[g[:-1]]
                st[0] += c
                st[1] += d1 if c == 1 else d2 if c == 2 else d3
            self.ctx[n] = {h: (t, m / t) for h, (t, m) in stats.items()}  # (total, gamma)
        self._prob_cache = {}
        return self

    def _disc(self, n: int, c: int) -> float:
        d1, d2, d3 = self.discount[n]
        return d1 if c == 1 else d2 if c == 2 else d3

    def prob(self, ngram: tuple) -> float:
        """Interpolated P(w | h) of the unpruned model, ngram = h + (w,), len(h) < order."""
        key = tuple(ngram)
        p = self._prob_cache.get(key)
        if p is not None:
            return p
        n = len(key)
        if n == 1:
            total, gamma = self.ctx[1][()]
            c = self.adj[1].get(key, 0)
            p = max(c - self._disc(1, c), 0.0) / total + gamma / len(self.vocab)
        else:
            lower = self.prob(key[1:])
            st = self.ctx[n].get(key[:-1])
            if st is None:
                p = lower
            else:
                total, gamma = st
                c = self.adj[n].get(key, 0)
                p = (max(c - self._disc(n, c), 0.0) / total if c else 0.0) + gamma * lower
        if n < self.order:  # cache lower orders only (they are reused a lot)
            self._prob_cache[key] = p
        return p

    # ------------------------------------------------------------------ pruning + ARPA
    def listed(self, min_counts=None) -> list:
        """The n-grams listed per order (index 1..order) for raw-count minima
        `min_counts` (dict order -> minimum, default 1 everywhere)."""
        min_counts = min_counts or {}
        out = [None, set(self.raw[1]) | {(w,) for w in self.vocab} | {(BOS,)}]
        for n in range(2, self.order + 1):
            k = min_counts.get(n, 1)
            prev = out[n - 1]
            out.append({g for g, c in self.raw[n].items()
                        if c >= k and g[:-1] in prev and g[1:] in prev})
        return out

    def to_arpa(self, min_counts=None) -> "ArpaModel":
        """The back-off model with pruning `min_counts`, as an ArpaModel (log10)."""
        listed = self.listed(min_counts)
        model = ArpaModel(self.order)
        for n in range(1, self.order + 1):
            for g in listed[n]:
                lp = LOG10_ZERO if g == (BOS,) else math.log10(self.prob(g))
                model.ngrams[n][g] = [lp, 0.0]
        # Back-off weights, lowest order first (the lower model must be final).
        children = defaultdict(list)
        for n in range(2, self.order + 1):
            for g in listed[n]:
                children[g[:-1]].append(g)
        for n in range(1, self.order):
            for h in listed[n]:
                kids = children.get(h)
                if not kids:
                    continue
                num = 1.0 - sum(10.0 ** model.ngrams[n + 1][g][0] for g in kids)
                den = 1.0 - sum(10.0 ** model.logprob10(g[1:-1], g[-1]) for g in kids)
                if num <= 0 or den <= 0:
                    bow = 1e-10
                else:
                    bow = num / den
                model.ngrams[n][h][1] = math.log10(bow)
        return model

    def fit_to_size(self, max_bytes: int, log=None):
        """(ArpaModel, min_counts): the least pruning whose ARPA text is at most
        max_bytes. Candidates, largest first: raw-count minima (k2, k3, ...) with
        k_n <= k_{n+1} <= k_n + 2, tried in order of decreasing listed n-gram count."""
        cands = [{}]
        seen = set()
        for base in range(1, 60):
            for top in range(base, base + 3):
                mins = {n: base if n < self.order else top for n in range(2, self.order + 1)}
                key = tuple(sorted(mins.items()))
                if key not in seen and key != tuple((n, 1) for n in range(2, self.order + 1)):
                    seen.add(key)
                    cands.append(mins)
        sized = []
        for mins in cands:
            listed = self.listed(mins)
            num = sum(len(listed[n]) for n in range(2, self.order + 1))
            # Lower bound on bytes per line: "-1.234567<TAB>words\n".
            est = sum(sum(len(" ".join(g)) + 11 for g in listed[n])
                      for n in range(1, self.order + 1))
            sized.append((-num, len(sized), mins, est, [len(x) for x in listed[1:]]))
            if est <= max_bytes * 0.5:
                break
        for _, _, mins, est, counts in sorted(sized):
            if est > max_bytes:
                continue
            model = self.to_arpa(mins)
            size = len(model.to_text().encode())
            if log:
                log(f"lm: min counts {mins or 'none'}: {counts} n-grams, {size / 1e6:.2f} MB")
            if size <= max_bytes:
                return model, mins
        raise ValueError("cannot prune the model below the size budget")


class ArpaModel:
    """A back-off n-gram model in ARPA form: ngrams[n][tuple] = [log10 p, log10 bow]."""

    def __init__(self, order: int):
        self.order = order
        self.ngrams = [None] + [dict() for _ in range(order)]

    @property
    def vocab(self) -> list:
        return [g[0] for g in self.ngrams[1]]

    def logprob10(self, history, word) -> float:
        """log10 P(word | history) with back-off (history oldest first); unknown words
        map to <unk> (LOG10_ZERO when the model has no <unk>)."""
        if (word,) not in self.ngrams[1]:
            word = UNK
            if (word,) not in self.ngrams[1]:
                return LOG10_ZERO
        h = tuple(history)[-(self.order - 1):] if self.order > 1 else ()
        h = tuple(x if (x,) in self.ngrams[1] else UNK for x in h)
        bow = 0.0
        while True:
            e = self.ngrams[len(h) + 1].get(h + (word,))
            if e is not None:
                return bow + e[0]
            if not h:
                return LOG10_ZERO
            ctx = self.ngrams[len(h)].get(h)
            if ctx is not None:
                bow += ctx[1]
            h = h[1:]

    def logprob(self, history, word) -> float:
        """Natural-log P(word | history)."""
        return self.logprob10(history, word) * math.log(10.0)

    def sentence_logprob10(self, words) -> tuple[float, int, int]:
        """(log10 P(words </s> | <s>), tokens scored incl. </s>, OOV count)."""
        h = [BOS]
        total, oov = 0.0, 0
        for w in list(words) + [EOS]:
            if (w,) not in self.ngrams[1]:
                oov += 1
            total += self.logprob10(h, w)
            h.append(w)
        return total, len(words) + 1, oov

    def perplexity(self, sentences) -> dict:
        lp, n, oov, ns = 0.0, 0, 0, 0
        for s in sentences:
            words = s.split() if isinstance(s, str) else list(s)
            a, b, c = self.sentence_logprob10(words)
            lp, n, oov, ns = lp + a, n + b, oov + c, ns + 1
        return {"perplexity": 10.0 ** (-lp / max(n, 1)), "tokens": n, "sentences": ns,
                "oov": oov, "oov_rate": oov / max(n - ns, 1)}

    def to_text(self) -> str:
        lines = ["\\data\\"]
        for n in range(1, self.order + 1):
            lines.append(f"ngram {n}={len(self.ngrams[n])}")
        for n in range(1, self.order + 1):
            lines += ["", f"\\{n}-grams:"]
            for g in sorted(self.ngrams[n]):
                lp, bow = self.ngrams[n][g]
                words = " ".join(g)
                if n < self.order and bow != 0.0:
                    lines.append(f"{lp:.6f}\t{words}\t{bow:.6f}")
                else:
                    lines.append(f"{lp:.6f}\t{words}")
        lines += ["", "\\end\\", ""]
        return "\n".join(lines)

    def write(self, path: str) -> int:
        data = self.to_text().encode("utf-8")
        with open(path, "wb") as fh:
            fh.write(data)
        return len(data)

    @classmethod
    def read(cls, path: str) -> "ArpaModel":
        with open(path, encoding="utf-8") as fh:
            return cls.parse(fh.read())

    @classmethod
    def parse(cls, text: str) -> "ArpaModel":
        counts, section, model = {}, None, None
        for raw_line in text.splitlines():
            line = raw_line.strip()
            if not line:
                continue
            if line == "\\data\\":
                section = "data"
                continue
            if line == "\\end\\":
                break
            if line.startswith("\\") and line.endswith("-grams:"):
                if model is None:
                    model = cls(max(counts))
                section = int(line[1:line.index("-")])
                continue
            if section == "data":
                if line.startswith("ngram "):
                    n, c = line[6:].split("=")
                    counts[int(n)] = int(c)
                continue
            if isinstance(section, int):
                parts = line.split()
                n = section
                lp = float(parts[0])
                words = tuple(parts[1:1 + n])
                bow = float(parts[1 + n]) if len(parts) > 1 + n else 0.0
                model.ngrams[n][words] = [lp, bow]
        if model is None:
            raise ValueError("not an ARPA file")
        return model
