"""Denoise recipe: signal path, mixing and a tiny end-to-end training run."""

import io
import json
import os
import shutil
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

import numpy as np

try:
    import torch
except ImportError:
    torch = None

from models.recipes.common import augment, export, metrics, netspec, readers, trainer
from models.recipes.denoise import mixing, recipe

HAVE_SYNTH = shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


@unittest.skipIf(torch is None, "python3-torch not installed")
class SignalPathTest(unittest.TestCase):
    def test_stft_matches_numpy_and_istft_reconstructs(self):
        rng = np.random.default_rng(1)
        x = rng.standard_normal(16000).astype(np.float32) * 0.1
        spec = recipe.stft(torch.from_numpy(x)[None])[0].numpy()
        w = np.sqrt(0.5 - 0.5 * np.cos(2 * np.pi * np.arange(320) / 320))
        frame = x[160 * 7:160 * 7 + 320] * w
        np.testing.assert_allclose(spec[7], np.fft.rfft(frame), atol=1e-4)
        self.assertEqual(spec.shape, (1 + (16000 - 320) // 160, 161))
        y = recipe.istft(torch.from_numpy(spec)[None], len(x))[0].numpy()
        # Interior samples are covered by two frames whose windows sum to 1.
        np.testing.assert_allclose(y[160:-320], x[160:-320], atol=1e-5)

    def test_unit_mask_network_is_identity(self):
        spec = recipe.spec(hidden=8, conv=8)
        net = netspec.SpecNet(spec).eval()
        with torch.no_grad():
            net.layers["out"].weight.zero_()
            net.layers["out"].bias.fill_(30.0)  # sigmoid(30) = 1 - 1e-13
        x = torch.randn(2, 8000) * 0.1
        y = recipe.enhance(net, x, torch.zeros(161), torch.ones(161))
        np.testing.assert_allclose(y[:, 160:-320].detach().numpy(),
                                   x[:, 160:-320].numpy(), atol=1e-5)

    def test_si_sdr_torch_matches_metrics(self):
        rng = np.random.default_rng(2)
        ref = rng.standard_normal(4000)
        est = 0.7 * ref + 0.3 * rng.standard_normal(4000)
        got = recipe.si_sdr_torch(torch.tensor(ref)[None], torch.tensor(est)[None]).item()
        self.assertAlmostEqual(got, metrics.si_sdr(ref, est), places=4)


class MixingTest(unittest.TestCase):
    def test_example_snr_and_determinism(self):
        rng_data = np.random.default_rng(3)
        clean = [np.sin(np.arange(40000) * 0.05).astype(np.float32)]
        noise = [rng_data.standard_normal(60000).astype(np.float32)]
        voices = [rng_data.standard_normal(20000).astype(np.float32)]
        a = mixing.make_example(clean, noise, voices, np.random.default_rng(5),
                                snr_range=(7.0, 7.0), p_clean=0.0)
        b = mixing.make_example(clean, noise, voices, np.random.default_rng(5),
                                snr_range=(7.0, 7.0), p_clean=0.0)
        np.testing.assert_array_equal(a[0], b[0])
        noisy, target = a
        self.assertEqual(noisy.shape, (mixing.SEGMENT,))
        self.assertAlmostEqual(augment.snr_db(target, noisy - target), 7.0, places=2)

    def test_machine_noise_replaces_or_joins_non_babble_noise_only(self):
        rng_data = np.random.default_rng(3)
        clean = [np.sin(np.arange(40000) * 0.05).astype(np.float32)]
        noise = [rng_data.standard_normal(60000).astype(np.float32)]
        voices = [rng_data.standard_normal(20000).astype(np.float32)]
        changed = 0
        for seed in range(40):
            def mix(**kw):
                return mixing.make_example(clean, noise, voices, np.random.default_rng(seed),
                                           snr_range=(7.0, 7.0), p_clean=0.0, **kw)
            # p 0 draws nothing more: the mix is the one made without the argument.
            off, on = mix(p_machine=0.0), mix(p_machine=1.0)
            np.testing.assert_array_equal(off[0], mix()[0])
            changed += not np.array_equal(off[0], on[0])
            self.assertAlmostEqual(augment.snr_db(on[1], on[0] - on[1]), 7.0, places=2)
        # 70 % of draws are real or coloured noise (changed), 30 % babble (kept as is).
        self.assertGreater(changed, 18)
        self.assertLess(changed, 37)

    def test_with_machine_is_unit_level_and_half_the_time_keeps_the_base(self):
        base = np.random.default_rng(0).standard_normal(32000).astype(np.float32) * 3
        kept = 0
        for seed in range(20):
            y = mixing.with_machine(base, np.random.default_rng(seed))
            self.assertEqual(y.shape, base.shape)
            self.assertAlmostEqual(augment.rms(y), 1.0, places=3)
            kept += abs(np.corrcoef(y, base)[0, 1]) > 0.2
        self.assertGreater(kept, 4)   # mixtures contain the base noise
        self.assertLess(kept, 16)     # the others are machine noise alone


@unittest.skipIf(torch is None, "python3-torch not installed")
class BabblePoolTest(unittest.TestCase):
    def test_babble_real_adds_only_real_training_recordings(self):
        voices = [np.full(10, 1.0, np.float32)]
        paths = [".cache/synth-s0/wav/000/a.wav", "/data/emotion/emodb/03a01Fa.wav",
                 "/usr/share/asterisk/sounds/en/digits/7.wav", ".cache/synth-s0/wav/001/b.wav",
                 "/data/emotion/ravdess/Actor_05/x.wav"]
        clean = [np.full(10, float(i + 2), np.float32) for i in range(len(paths))]
        self.assertEqual(mixing.babble_pool(voices, clean, paths, 0, 0), voices)
        pool = mixing.babble_pool(voices, clean, paths, 2, 0)
        self.assertEqual(len(pool), 3)
        self.assertIs(pool[0], voices[0])
        added = sorted(int(v[0]) - 2 for v in pool[1:])
        self.assertEqual(len(set(added)), 2)
        self.assertTrue(set(added) <= {1, 2, 4})  # the real recordings, never synth ones
        # Seeded: the same draw every time; all three when asked for three.
        again = mixing.babble_pool(voices, clean, paths, 2, 0)
        self.assertEqual([int(v[0]) for v in pool], [int(v[0]) for v in again])
        self.assertEqual(sorted(int(v[0]) - 2 for v in
                                mixing.babble_pool(voices, clean, paths, 3, 0)[1:]), [1, 2, 4])
        with self.assertRaises(SystemExit):
            mixing.babble_pool(voices, clean, paths, 4, 0)


class TinyTrainingTest(unittest.TestCase):
    def test_loss_falls_and_resume_is_exact(self):
        torch.set_num_threads(1)
        rng = np.random.default_rng(4)
        t = np.arange(6000) / 16000
        clean = [(np.sin(2 * np.pi * 300 * t) * np.sin(2 * np.pi * 3 * t)).astype(np.float32)]
        noise = [rng.standard_normal(20000).astype(np.float32)]

        def run(ckpt, steps, resume, max_steps=None):
            torch.manual_seed(0)
            net = netspec.SpecNet(recipe.spec(hidden=16, conv=16))
            opt = torch.optim.Adam(net.parameters(), lr=1e-2)
            tr = trainer.Trainer(net, opt, lambda s: 1e-2, ckpt, seed=0)
            losses = []

            def step(key):
                r = np.random.default_rng(augment.utterance_seed(0, key[1], key[0]))
                pairs = [mixing.make_example(clean, noise, noise, r, n=4000, p_clean=0.0,
                                             snr_range=(0, 0)) for _ in range(4)]
                noisy = torch.from_numpy(np.stack([p[0] for p in pairs]))
                target = torch.from_numpy(np.stack([p[1] for p in pairs]))
                est = recipe.enhance(net, noisy, torch.zeros(161), torch.ones(161) * 5)
                loss = -recipe.si_sdr_torch(target, est).mean()
                loss.backward()
                losses.append(loss.item())
                return {"loss": loss.item()}

            def batches(epoch):
                return [(epoch, i) for i in range(steps)]

            if max_steps is not None:  # stop mid-epoch, as a killed run would
                orig = step

                def step(key, orig=orig):  # noqa: F811
                    if len(losses) >= max_steps:
                        raise KeyboardInterrupt
                    return orig(key)
                try:
                    tr.fit(batches, step, 1, resume=resume)
                except KeyboardInterrupt:
                    tr.save()
            else:
                tr.fit(batches, step, 1, resume=resume)
            return net, losses

        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            straight, losses = run(a, 12, False)
            self.assertLess(np.mean(losses[-3:]), np.mean(losses[:3]))
            run(b, 12, False, max_steps=5)
            resumed, _ = run(b, 12, True)
            for (name, p), q in zip(straight.state_dict().items(),
                                    resumed.state_dict().values()):
                np.testing.assert_allclose(p.numpy(), q.numpy(), atol=1e-6, err_msg=name)
            self.assertTrue(os.path.exists(os.path.join(b, "last.pt")))



@unittest.skipIf(torch is None, "python3-torch not installed")
class StoiLossTest(unittest.TestCase):
    @staticmethod
    def speech_like(n=32000):
        t = np.arange(n) / 16000
        f0 = 130 * (1 + 0.05 * np.sin(2 * np.pi * 0.7 * t))
        x = sum(np.sin(2 * np.pi * k * np.cumsum(f0) / 16000) / k for k in range(1, 20))
        return (x * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)) ** 2).astype(np.float32)

    def score(self, clean, est):
        from models.recipes.denoise import stoi_loss
        return stoi_loss.intelligibility(torch.from_numpy(clean)[None],
                                         torch.from_numpy(est)[None]).item()

    def test_follows_metrics_stoi_across_snrs(self):
        clean = self.speech_like()
        noise = np.random.default_rng(0).standard_normal(len(clean)).astype(np.float32)
        ours, ref = [], []
        for snr in (-10, -5, 0, 5, 10, 20):
            y = augment.add_noise(clean, noise, snr, np.random.default_rng(1))
            ours.append(self.score(clean, y))
            ref.append(metrics.stoi(clean, y, 16000))
        self.assertTrue(all(b > a for a, b in zip(ours, ours[1:])), ours)
        np.testing.assert_allclose(ours, ref, atol=0.12)  # 16 kHz frames, no resampling
        self.assertGreater(self.score(clean, clean), 0.995)

    def test_silent_segments_are_left_out_and_gradients_flow(self):
        speech = self.speech_like(24000)
        clean = np.concatenate([np.zeros(16000, np.float32), speech])
        hiss = np.random.default_rng(2).standard_normal(len(clean)).astype(np.float32) * 0.05
        hiss[16000:] = 0  # noise only where the clean signal is silent
        self.assertGreater(self.score(clean, clean + hiss), 0.9)
        from models.recipes.denoise import stoi_loss
        est = torch.from_numpy(speech + 0.3 * np.random.default_rng(3).standard_normal(
            len(speech)).astype(np.float32))[None].requires_grad_()
        (1 - stoi_loss.intelligibility(torch.from_numpy(speech)[None], est)).sum().backward()
        self.assertTrue(torch.isfinite(est.grad).all())
        self.assertGreater(float(est.grad.abs().sum()), 0)


@unittest.skipIf(torch is None, "python3-torch not installed")
class WidenTest(unittest.TestCase):
    def test_wider_lstm_keeps_the_output_and_can_learn(self):
        from models.recipes.denoise import widen
        torch.manual_seed(2)
        small = netspec.SpecNet(recipe.spec(hidden=8, conv=6)).eval()
        with torch.no_grad():  # non-trivial batchnorm statistics
            small.layers["bn"].bn.running_mean.uniform_(-0.5, 0.5)
            small.layers["bn"].bn.running_var.uniform_(0.5, 2.0)
        tensors = small.export_tensors(np.float16)
        wide_t, wide_spec = widen.widen(tensors, small.spec, 12, np.random.default_rng(0))
        self.assertEqual(wide_spec, recipe.spec(hidden=12, conv=6))
        self.assertEqual(small.spec, recipe.spec(hidden=8, conv=6))  # input not modified
        ref = netspec.SpecNet(small.spec).eval()
        ref.load_exported(tensors)
        wide = netspec.SpecNet(wide_spec).eval()
        wide.load_exported(wide_t)
        self.assertEqual(wide_t["lstm.weight_hh_l1"].dtype, np.float16)
        x = torch.randn(2, 40, 161)
        np.testing.assert_array_equal(wide(x).detach().numpy(), ref(x).detach().numpy())
        # The new units are alive (random gate rows), their outputs reach nothing yet, and
        # the loss has a gradient on the weights that would connect them.
        w_hh = wide_t["lstm.weight_hh_l0"].astype(np.float32)
        self.assertGreater(np.abs(w_hh[8:12]).min(initial=1.0), 0.0)
        self.assertTrue(np.all(w_hh[:8, 8:] == 0))
        self.assertTrue(np.all(wide_t["out.weight"][:, 8:] == 0))
        np.testing.assert_array_equal(wide_t["lstm.weight_ih_l0"][12:20],
                                      tensors["lstm.weight_ih_l0"][8:16])  # forget gate rows
        wide.train()
        wide(x).sum().backward()
        self.assertGreater(wide.layers["out"].weight.grad[:, 8:].abs().sum().item(), 0.0)
        with self.assertRaises(ValueError):
            widen.widen(tensors, small.spec, 4, np.random.default_rng(0))


@unittest.skipIf(torch is None, "python3-torch not installed")
@unittest.skipUnless(HAVE_SYNTH, "espeak-ng or sox not installed")
class DenoiseRecipeSmokeTest(unittest.TestCase):
    """prepare -> train -> export through recipe.main, in a temporary folder."""

    def test_prepare_train_export(self):
        from models.recipes.common import synth
        torch.set_num_threads(1)
        with tempfile.TemporaryDirectory() as d, redirect_stderr(io.StringIO()), \
                redirect_stdout(io.StringIO()):
            s, c, k = (os.path.join(d, x) for x in ("synth", "cache", "ckpt"))
            synth.synthesize(s, utterances=30, workers=2, log=io.StringIO())
            rows = readers.read_tsv(os.path.join(s, "manifest.tsv"))
            n_train = sum(u.extra.get("split") == "train" for u in rows)
            info = recipe.main(["prepare", "--synth", s, "--cache", c,
                                "--synth-utterances", "8", "--babble-utterances", "6",
                                "--real-limit", "3"])
            # 8 synthetic + 3 EmoDB/RAVDESS + 3 Asterisk prompts (when installed).
            asterisk = min(3, len(recipe._asterisk_paths()))
            self.assertEqual(info["clean_train"]["files"], min(8, n_train) + 3 + asterisk)
            self.assertEqual(info["noise_test"]["files"], len(recipe.HELDOUT_NOISES))
            self.assertFalse(set(recipe.HELDOUT_NOISES) & {
                os.path.basename(p).split(".")[0]
                for p in open(os.path.join(c, "noise_train.txt")).read().split()})

            res = recipe.main(["train", "--cache", c, "--ckpt-dir", k, "--threads", "1",
                               "--epochs", "2", "--steps-per-epoch", "2", "--batch", "2",
                               "--hidden", "8", "--conv", "8", "--lr", "1e-2",
                               "--recolour", "0.5", "--machine", "0.5",
                               "--stoi-weight", "1", "--ema", "0.5"])
            self.assertEqual(res["global_step"], 4)
            history = torch.load(os.path.join(k, "last.pt"), map_location="cpu",
                                 weights_only=False)["history"]
            self.assertEqual([h["global_step"] for h in history], [2, 4])
            last = history[-1]
            self.assertTrue(0.0 < last["train_stoi"] <= 1.0, last)
            self.assertTrue(np.isfinite(last["valid_si_sdri"]), last)
            self.assertTrue(-1.0 < last["valid_stoi_like_delta"] < 1.0, last)

            # export finds best.pt in --ckpt-dir (not the recipe's default folder).
            out, golden = os.path.join(d, "denoise.safetensors"), os.path.join(d, "g")
            recipe.main(["export", "--ckpt-dir", k, "--out", out, "--golden-dir", golden,
                         "--metrics", ""])
            tensors, meta, _ = export.read_model(out)
            best = torch.load(os.path.join(k, "best.pt"), map_location="cpu",
                              weights_only=False)
            self.assertEqual(meta["training_data"]["steps"], best["global_step"])
            self.assertEqual(meta["training_data"]["stoi_weight_last_stage"], 1.0)
            self.assertEqual(meta["training_data"]["machine_last_stage"], 0.5)
            self.assertEqual(meta["training_data"]["ema_last_stage"], 0.5)
            self.assertNotIn("widened_from_hidden", meta["training_data"])
            self.assertIn("ema", best)  # best.pt's "model" is the average (trainer tests)
            self.assertEqual(meta["metrics"], {})
            self.assertEqual(meta["layers"][3]["hidden_size"], 8)
            lstm = best["model"]["layers.lstm.lstm.weight_ih_l0"].numpy()
            np.testing.assert_allclose(tensors["lstm.weight_ih_l0"].astype(np.float32), lstm,
                                       rtol=1e-3, atol=1e-4)
            x = np.fromfile(os.path.join(golden, "denoise_parity_in.f32"), "<f4")
            y = np.fromfile(os.path.join(golden, "denoise_parity_out.f32"), "<f4")
            self.assertEqual(len(x), 16000)
            self.assertEqual(len(y), 16000)
            self.assertTrue(np.all(np.isfinite(y)))
            self.assertGreater(np.abs(y - x).max(), 1e-4)  # the mask did something

            # widen -> a stage from the wider file -> export keeps the widening history.
            wide, k2 = os.path.join(d, "wide.safetensors"), os.path.join(d, "ckpt2")
            recipe.main(["widen", "--model", out, "--hidden", "12", "--out", wide])
            recipe.main(["train", "--cache", c, "--ckpt-dir", k2, "--threads", "1",
                         "--epochs", "1", "--steps-per-epoch", "1", "--batch", "2",
                         "--hidden", "12", "--conv", "8", "--init-from", wide])
            out2 = os.path.join(d, "denoise2.safetensors")
            recipe.main(["export", "--ckpt-dir", k2, "--out", out2, "--golden-dir", "",
                         "--metrics", ""])
            _, meta2, _ = export.read_model(out2)
            self.assertEqual(meta2["layers"][3]["hidden_size"], 12)
            self.assertEqual(meta2["training_data"]["widened_from_hidden"], 8)
            self.assertEqual(meta2["training_data"]["steps"], best["global_step"] + 1)

            # average: a file averaged with itself is itself; --metrics and --golden-dir.
            m = os.path.join(d, "m.json")
            with open(m, "w") as fh:
                json.dump({"summary": {"mean_si_sdri_0_10db": 1.5}}, fh)
            avg, g2 = os.path.join(d, "avg.safetensors"), os.path.join(d, "g2")
            recipe.main(["average", "--models", f"{out},{out}", "--out", avg,
                         "--metrics", m, "--golden-dir", g2])
            t3, meta3, _ = export.read_model(avg)
            for name in tensors:
                np.testing.assert_array_equal(t3[name], tensors[name])
            self.assertEqual(meta3["metrics"], {"mean_si_sdri_0_10db": 1.5})
            self.assertEqual(len(meta3["training_data"]["averaged_from"]), 2)
            np.testing.assert_array_equal(
                np.fromfile(os.path.join(g2, "denoise_parity_out.f32"), "<f4"), y)


if __name__ == "__main__":
    unittest.main()
