"""The trainer's weight average (`Trainer(ema_decay=d)`): the average follows the documented
recurrence, validation and best.pt see it, training itself is unchanged, and --resume
continues it exactly."""

import io
import os
import tempfile
import unittest

import numpy as np

try:
    import torch
except ImportError:
    torch = None

if torch is not None:
    from models.recipes.common import trainer


def _data():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5, 3.0], np.float32) + 0.1).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y[:, None])


@unittest.skipIf(torch is None, "needs torch")
class TrainerEmaTest(unittest.TestCase):
    def _run(self, ckpt, decay, epochs, resume=False, seen=None, scores=None):
        torch.manual_seed(0)
        model = torch.nn.Linear(4, 1)
        x, y = _data()
        opt = torch.optim.SGD(model.parameters(), lr=0.05)

        def batches(epoch):
            return [slice(i, i + 8) for i in range(0, 32, 8)]

        def step(key):
            if seen is not None:  # weights before this step = after the previous one
                seen.append(model.weight.detach().numpy().copy())
            loss = ((model(x[key]) - y[key]) ** 2).mean()
            loss.backward()
            return {"loss": loss.item()}

        def validate():
            w = model.weight.detach().numpy().copy()
            if scores is not None:
                scores.append(w)
            return {"score": -float(((model(x) - y) ** 2).mean())}

        tr = trainer.Trainer(model, opt, lambda s: 0.05, ckpt, monitor="score",
                             grad_clip=0.0, ema_decay=decay, log=io.StringIO())
        tr.fit(batches, step, epochs, validate=validate, resume=resume)
        return model, tr

    def test_average_follows_recurrence_and_reaches_validation_and_best(self):
        d = 0.8
        with tempfile.TemporaryDirectory() as tmp:
            seen, scores = [], []
            model, tr = self._run(tmp, d, 1, seen=seen, scores=scores)
            live = seen + [model.weight.detach().numpy().copy()]
            ema = live[0].astype(np.float64)  # starting weights
            for n, w in enumerate(live[1:]):
                dn = min(d, (1 + n) / (10 + n))
                ema = dn * ema + (1 - dn) * w
            self.assertEqual(tr.ema_updates, 4)
            np.testing.assert_allclose(scores[0], ema, rtol=1e-5, atol=1e-6)
            best = torch.load(os.path.join(tmp, "best.pt"))
            np.testing.assert_allclose(best["model"]["weight"].numpy(), ema, rtol=1e-5,
                                       atol=1e-6)
            # The average lags the live weights (they differ after 4 SGD steps).
            self.assertGreater(np.abs(live[-1] - ema).max(), 1e-3)
            last = torch.load(os.path.join(tmp, "last.pt"))
            np.testing.assert_array_equal(last["model"]["weight"].numpy(), live[-1])

    def test_training_is_unchanged_by_averaging(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            plain, _ = self._run(a, 0.0, 3)
            averaged, _ = self._run(b, 0.9, 3)
            torch.testing.assert_close(plain.state_dict(), averaged.state_dict(), rtol=0,
                                       atol=0)

    def test_resume_continues_the_average(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            _, whole = self._run(a, 0.9, 3)
            self._run(b, 0.9, 1)
            _, resumed = self._run(b, 0.9, 3, resume=True)
            self.assertEqual(resumed.ema_updates, whole.ema_updates)
            for k in whole.ema:
                torch.testing.assert_close(resumed.ema[k], whole.ema[k], rtol=0, atol=0)

    def test_decay_out_of_range_is_refused(self):
        with self.assertRaisesRegex(ValueError, "allowed 0"):
            trainer.Trainer(torch.nn.Linear(1, 1), None, None, "x", ema_decay=1.0)


if __name__ == "__main__":
    unittest.main()
