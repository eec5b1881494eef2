"""Smoke test of the emotion recipe (models/recipes/emotion/recipe.py): prepare on a
handful of EmoDB/RAVDESS files, train a tiny model for a few steps, eval, export, re-read.
Skips without ../shared/data or python3-torch. About 15 s on one core."""
import io
import json
import os
import shutil
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

import numpy as np

from models.recipes.common import export, readers

try:
    import torch
except ImportError:
    torch = None

HAVE_SHARED = os.path.isdir(os.path.join(readers.shared_data_root(), "emotion"))


@unittest.skipUnless(HAVE_SHARED, "../shared/data/emotion absent")
@unittest.skipUnless(torch is not None, "python3-torch not installed")
class EmotionRecipeSmokeTest(unittest.TestCase):
    def test_prepare_train_eval_export(self):
        from models.recipes.emotion import recipe
        torch.set_num_threads(1)
        with tempfile.TemporaryDirectory() as d:
            cache, ckpt = os.path.join(d, "cache"), os.path.join(d, "ckpt")
            model_path, golden = os.path.join(d, "emotion.safetensors"), os.path.join(d, "g")
            eval_json = os.path.join(d, "eval.json")
            log = io.StringIO()
            with redirect_stderr(log), redirect_stdout(io.StringIO()):
                summary = recipe.main(["prepare", "--cache", cache, "--limit", "10"])
                self.assertEqual(summary["utterances"], 20)
                self.assertGreater(summary["by_split"]["heldout"], 0)
                result = recipe.main(["train", "--cache", cache, "--ckpt-dir", ckpt, "--tiny",
                                      "--epochs", "2", "--batch", "4", "--threads", "1",
                                      "--log-every", "1000",
                                      "--model-config", '{"lstm_hidden": 12, "fb_kernel": 4}'])
                self.assertEqual(result["epoch"], 2)
                with self.assertRaises(SystemExit):  # unknown keys are refused by name
                    recipe.main(["train", "--cache", cache, "--ckpt-dir", ckpt, "--tiny",
                                 "--model-config", '{"lstm_size": 12}'])
                self.assertTrue(os.path.exists(os.path.join(ckpt, "best.pt")))
                ev = recipe.main(["eval", "--cache", cache, "--model",
                                  os.path.join(ckpt, "best.pt"), "--out", eval_json])
                for key in ("arousal_ccc", "valence_ccc", "arousal_ua"):
                    self.assertTrue(np.isfinite(ev["model"][key]), key)
                self.assertIn("gain_check", ev)
                self.assertEqual(set(ev["heuristics"]), set(recipe.HEURISTICS))
                info = recipe.main(["export", "--checkpoint", os.path.join(ckpt, "best.pt"),
                                    "--out", model_path, "--eval-json", eval_json,
                                    "--golden-dir", golden])
                # eval --engine cpp converts a .pt (e.g. the cross-corpus one) the same way.
                from models.recipes.emotion import engine
                converted = engine.checkpoint_to_model_file(os.path.join(ckpt, "best.pt"),
                                                            os.path.join(d, "c.safetensors"))
            self.assertEqual(export.read_model(converted)[1]["layers"],
                             export.read_model(model_path)[1]["layers"])
            tensors, meta, _ = export.read_model(model_path)
            self.assertEqual(meta["task"], "emotion")
            lstm = [la for la in meta["layers"] if la["type"] == "lstm"]
            self.assertEqual(lstm[0]["hidden_size"], 12)  # --model-config reached the file
            fb = [la for la in meta["layers"] if la["name"] == "conv_fb"]
            self.assertEqual(fb[0]["kernel_size"], 4)  # a 40 ms filterbank window
            self.assertEqual(meta["sample_rate_hz"], 16000)
            self.assertEqual(meta["front_end"], {"type": "waveform_frames", "frame_samples": 160})
            self.assertEqual(meta["outputs"], ["arousal", "valence"])
            self.assertIn("heldout_arousal_ccc", meta["metrics"])
            self.assertTrue(all(isinstance(v, float) for v in meta["metrics"].values()))
            self.assertEqual(info["golden_out_shape"], [32, 2])
            # The re-read file reproduces the golden output, which is in [-1, 1].
            x = np.fromfile(os.path.join(golden, "emotion_parity_in.f32"), "<f4")
            y = np.fromfile(os.path.join(golden, "emotion_parity_out.f32"), "<f4").reshape(-1, 2)
            self.assertEqual(len(x), 32 * 640)
            net = recipe.load_exported(tensors, meta["layers"])
            with torch.no_grad():
                out = net(torch.from_numpy(x.reshape(1, -1, 160))).numpy()[0]
            np.testing.assert_allclose(out, y, atol=1e-5)
            self.assertTrue(np.all(np.abs(y) <= 1))
            # Streaming: two chunks with carried LSTM state give the whole-sequence output.
            with torch.no_grad():
                xa = torch.from_numpy(x.reshape(1, -1, 160))
                a = net(xa[:, :64])
                b = net(xa[:, 64:], net.states)
            # conv receptive field spans the chunk boundary, so compare the first chunk only
            np.testing.assert_allclose(a.numpy()[0], y[:16], atol=1e-5)
            self.assertEqual(b.shape[1], 16)


class EmotionLabelTest(unittest.TestCase):
    def test_mapping(self):
        from models.recipes.emotion import recipe
        self.assertEqual(recipe.map_label("anger"), (0.8, -0.6))
        a, v = recipe.map_label("anger", "strong")
        self.assertAlmostEqual(a, 0.96)
        self.assertEqual(v, -0.6)
        self.assertAlmostEqual(recipe.map_label("sadness", "strong")[0], -0.72)
        self.assertEqual(recipe.map_label("neutral"), (0.0, 0.0))

    def test_speech_mask_gain_invariant(self):
        from models.recipes.emotion import recipe
        x = np.concatenate([np.zeros(3200), np.random.default_rng(0).standard_normal(6400),
                            1e-4 * np.ones(3200)]).astype(np.float32)
        m = recipe.speech_mask(x)
        self.assertEqual(m.tolist(), [False] * 5 + [True] * 10 + [False] * 5)
        self.assertEqual(recipe.speech_mask(100 * x).tolist(), m.tolist())

    @unittest.skipUnless(shutil.which("sox"), "sox not installed")
    @unittest.skipUnless(torch is not None, "python3-torch not installed")
    def test_category_head_adds_cross_entropy_and_is_never_exported(self):
        from models.recipes.emotion import data, model as M, train

        class Two:  # two noise-like utterances: happiness and sadness
            def wave(self, i):
                return np.random.default_rng(i).uniform(-0.3, 0.3, 6400).astype(np.float32)

            def length(self, i):
                return 6400

            def labels(self, idx):
                return np.array([data.CIRCUMPLEX[["happiness", "sadness"][i]] for i in idx],
                                np.float32)

            def categories(self, idx):
                return np.array([data.CATEGORIES.index(["happiness", "sadness"][i])
                                 for i in idx])

        torch.set_num_threads(1)
        spec = M.model_spec(M.TINY_MODEL)
        net = M.attach_category_head(M.build_model(spec), spec, len(data.CATEGORIES))
        aug = dict(train.AUG, speed_p=0.0, noise_p=0.0)
        losses = {}
        for w in (0.0, 2.0):
            net.zero_grad()
            task = train.EmotionTask(Two(), [0, 1], [0, 1], net, 5, 2, [], aug=aug,
                                     category_weight=w)
            losses[w] = task.step((0, 1))
            grad = net.aux_category.weight.grad
            self.assertEqual(w > 0, grad is not None and float(grad.abs().sum()) > 0)
        # The same batch: only the weighted cross-entropy differs, and it matches an
        # independent computation from the pooled LSTM output of the two utterances.
        ce = losses[2.0]["category_ce"]
        self.assertAlmostEqual(losses[2.0]["loss"] - losses[0.0]["loss"], 2.0 * ce, places=4)
        with torch.no_grad():
            h = net.aux_hidden.mean(1)  # every 40 ms block of these waves is speech
            logits = net.aux_category(h)
            want = -torch.log_softmax(logits, -1)[[0, 1], [2, 8]].mean().item()
        self.assertAlmostEqual(ce, want, places=4)
        # --valence-weight scales only the valence term of the same batch.
        net.zero_grad()
        task = train.EmotionTask(Two(), [0, 1], [0, 1], net, 5, 2, [], aug=aug,
                                 valence_weight=3.0)
        v3 = task.step((0, 1))
        self.assertAlmostEqual(v3["1-ccc_v"], losses[0.0]["1-ccc_v"], places=5)
        self.assertAlmostEqual(v3["loss"] - losses[0.0]["loss"], 2.0 * v3["1-ccc_v"], places=4)
        # A checkpoint with the head loads as the plain layer list (what export writes).
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "c.pt")
            torch.save({"extra": {"spec": spec}, "model": net.state_dict()}, path)
            loaded, _, _ = M.load_checkpoint(path)
        self.assertFalse(hasattr(loaded, "aux_category"))
        x = torch.from_numpy(np.random.default_rng(1).uniform(-0.3, 0.3, (1, 40, 160))
                             .astype(np.float32))
        net.eval()
        with torch.no_grad():
            np.testing.assert_allclose(loaded(x).numpy(), net(x).numpy(), atol=1e-6)

    def test_reverb_augmentation_is_off_by_default_and_fills_pauses_when_on(self):
        from models.recipes.emotion import train

        class Waves:  # a 0.5 s 500 Hz burst, then 1 s of silence
            def wave(self, i):
                t = np.arange(8000) / 16000
                burst = (0.3 * np.sin(2 * np.pi * 500 * t)).astype(np.float32)
                return np.concatenate([burst, np.zeros(16000, np.float32)])

            def labels(self, idx):
                return np.zeros((len(idx), 2), np.float32)

        def augmented(reverb_p):
            aug = dict(train.AUG, speed_p=0.0, noise_p=0.0, reverb_p=reverb_p,
                       reverberance=[80.0, 80.0], hf_damping=[10.0, 10.0],
                       room_scale=[100.0, 100.0])
            return train.EmotionTask(Waves(), [0], [0], None, 5, 2, [], aug=aug).augment(0, 0)[0]

        base = dict(train.AUG, speed_p=0.0, noise_p=0.0)
        off = train.EmotionTask(Waves(), [0], [0], None, 5, 2, [], aug=base).augment(0, 0)[0]
        np.testing.assert_array_equal(augmented(0.0), off)  # p 0 draws nothing extra
        on = augmented(1.0)
        self.assertEqual(len(on), len(off))
        # 100-300 ms after the burst: silent without reverb, a decaying tail with it.
        tail = slice(8000 + 1600, 8000 + 4800)
        head = slice(2000, 6000)
        self.assertEqual(0.0, float(np.max(np.abs(off[tail]))))
        ratio_db = 10 * np.log10(np.mean(on[tail] ** 2) / np.mean(on[head] ** 2))
        self.assertGreater(ratio_db, -45.0)
        self.assertLess(ratio_db, -3.0)

    def test_vtlp_augmentation_is_off_by_default_and_moves_formants_when_on(self):
        from models.recipes.emotion import train

        class Waves:  # the two Corpus methods EmotionTask.augment and __init__ read
            def __init__(self):
                t = np.arange(24000) / 16000
                # A 1 kHz and a 2 kHz partial, 1.5 s.
                self.x = (np.sin(2 * np.pi * 1000 * t) + np.sin(2 * np.pi * 2000 * t))
                self.x = (0.1 * self.x).astype(np.float32)

            def wave(self, i):
                return self.x

            def labels(self, idx):
                return np.zeros((len(idx), 2), np.float32)

        def augmented(vtlp_p, seed):
            aug = dict(train.AUG, speed_p=0.0, noise_p=0.0, vtlp_p=vtlp_p, vtlp=[0.9, 0.9])
            task = train.EmotionTask(Waves(), [0], [0], None, seed, 2, [], aug=aug)
            return task.augment(0, 0)[0]

        base = dict(train.AUG, speed_p=0.0, noise_p=0.0)
        off = train.EmotionTask(Waves(), [0], [0], None, 3, 2, [], aug=base).augment(0, 0)[0]
        np.testing.assert_array_equal(augmented(0.0, 3), off)  # p 0 draws nothing extra
        on = augmented(1.0, 3)
        self.assertEqual(len(on), len(off))
        f = np.fft.rfftfreq(len(on), 1 / 16000)
        peak = f[np.argmax(np.abs(np.fft.rfft(on * np.hanning(len(on)))) * (f < 1500))]
        self.assertAlmostEqual(peak, 900.0, delta=15.0)  # 1 kHz -> alpha 0.9 x 1 kHz


FAKE_CLIENT = r"""#!/usr/bin/python3
# Stands in for `auris --server A --timeout T --json emotion --model M DIR`: per WAV, a
# track of block RMS (arousal) and -RMS (valence) and their mean as the summary.
import json, os, sys
import numpy as np
import soundfile as sf
folder = sys.argv[-1]
for name in sorted(os.listdir(folder)):
    x, _ = sf.read(os.path.join(folder, name), dtype="float32")
    n = len(x) // 640
    r = np.sqrt(np.mean(x[:n * 640].reshape(n, 640) ** 2, axis=1)) if n else np.zeros(0)
    frames = [{"start_seconds": 0.04 * j, "end_seconds": 0.04 * (j + 1),
               "arousal": float(v), "valence": float(-v)} for j, v in enumerate(r)]
    m = float(r.mean()) if n else 0.0
    print(json.dumps({"path": os.path.join(folder, name), "frames": frames,
                      "summary": {"arousal": m, "valence": -m, "speech_seconds": 0.04 * n}}))
"""


class EmotionEngineTest(unittest.TestCase):
    """The `eval --engine cpp` plumbing (engine.py) with a fake `auris` client."""

    def test_predictor_modes_and_cache(self):
        from models.recipes.emotion import engine
        with tempfile.TemporaryDirectory() as d:
            client = os.path.join(d, "auris")
            with open(client, "w") as fh:
                fh.write(FAKE_CLIENT)
            os.chmod(client, 0o755)
            rng = np.random.default_rng(0)
            waves = [0.1 * rng.standard_normal(n).astype(np.float32) for n in (3200, 6500, 300)]
            pred = engine.CppPredictor(client, "127.0.0.1:1", "m", d)
            with redirect_stderr(io.StringIO()):
                s = pred(waves)
                fr = pred.with_mode("frames")(waves + [waves[0]])
            self.assertEqual([np.shape(x) for x in s], [(2,), (2,), (2,)])
            self.assertEqual([len(f) for f in fr], [5, 10, 0, 5])
            self.assertEqual(pred.calls, 1)  # the second mode was served from the cache
            np.testing.assert_allclose(fr[0][:, 0], -fr[0][:, 1])
            self.assertAlmostEqual(float(s[0][0]), float(fr[0][:, 0].mean()), places=5)
            self.assertEqual(os.listdir(d), ["auris"])  # the WAVs were removed

    def test_descriptor(self):
        from models.recipes.emotion import engine
        with tempfile.TemporaryDirectory() as d:
            engine.write_descriptor(d, "e", "/x/emotion.safetensors", default=True)
            with open(os.path.join(d, "e.json")) as fh:
                desc = json.load(fh)
            self.assertEqual((desc["task"], desc["type"], desc["file"], desc["default"]),
                             ("emotion", "emotion", "/x/emotion.safetensors", True))


if __name__ == "__main__":
    unittest.main()
