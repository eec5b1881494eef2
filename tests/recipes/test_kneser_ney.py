"""Tests for models/recipes/common/kneser_ney.py: the written back-off model is a proper
distribution (sums to one over the vocabulary) with and without pruning, and the ARPA
text round-trips."""
import math
import os
import random
import tempfile
import unittest

from models.recipes.common import kneser_ney as kn


def corpus(seed=0, n=400):
    rng = random.Random(seed)
    words = "the a cat dog sat on mat ran fast slow big small red one two three".split()
    out = []
    for _ in range(n):
        k = rng.randint(1, 9)
        s = [rng.choice(words[:6]) if rng.random() < 0.5 else rng.choice(words)
             for _ in range(k)]
        out.append(" ".join(s))
    out += ["the cat sat on the mat"] * 20
    return out


def total_prob(model, history):
    vocab = [w for w in model.vocab if w != kn.BOS]
    return sum(10.0 ** model.logprob10(history, w) for w in vocab)


class KneserNeyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lm = kn.KneserNey(3).fit(corpus())

    def check_sums(self, model):
        for h in ([kn.BOS], [kn.BOS, "the"], ["the", "cat"], ["cat", "sat"], ["sat"],
                  ["red", "red"], [], ["never", "seen"], ["one", "two"]):
            self.assertAlmostEqual(total_prob(model, h), 1.0, delta=2e-4, msg=str(h))

    def test_unpruned_sums_to_one(self):
        self.check_sums(self.lm.to_arpa())

    def test_pruned_sums_to_one(self):
        model = self.lm.to_arpa({2: 2, 3: 3})
        self.assertLess(len(model.ngrams[3]), len(self.lm.to_arpa().ngrams[3]))
        self.check_sums(model)

    def test_interpolated_probs_sum_to_one(self):
        for h in ((kn.BOS,), ("the", "cat"), ("cat",), ("red", "one"), ()):
            s = sum(self.lm.prob(h + (w,)) for w in self.lm.vocab)
            self.assertAlmostEqual(s, 1.0, places=9, msg=str(h))

    def test_unpruned_bow_is_gamma(self):
        model = self.lm.to_arpa()
        total, gamma = self.lm.ctx[3][("the", "cat")]
        self.assertAlmostEqual(model.ngrams[2][("the", "cat")][1], math.log10(gamma),
                               places=9)

    def test_unk_and_arpa_round_trip(self):
        model = self.lm.to_arpa({3: 2})
        self.assertIn((kn.UNK,), model.ngrams[1])
        self.assertEqual(model.logprob10(["the"], "zebra"), model.logprob10(["the"], kn.UNK))
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "lm.arpa")
            size = model.write(p)
            self.assertEqual(size, os.path.getsize(p))
            back = kn.ArpaModel.read(p)
        for n in (1, 2, 3):
            self.assertEqual(set(back.ngrams[n]), set(model.ngrams[n]))
        self.check_sums(back)
        ppl = back.perplexity(["the cat sat on the mat", "a dog ran"])
        self.assertGreater(ppl["perplexity"], 1.0)
        self.assertLess(ppl["perplexity"], 30.0)

    def test_fit_to_size(self):
        full = len(self.lm.to_arpa().to_text())
        model, mins = self.lm.fit_to_size(int(full * 0.7))
        self.assertLessEqual(len(model.to_text().encode()), int(full * 0.7))
        self.assertTrue(mins)
        self.check_sums(model)


if __name__ == "__main__":
    unittest.main()
