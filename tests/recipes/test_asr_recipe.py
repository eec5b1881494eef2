"""Smoke tests of the ASR recipe (models/recipes/asr/) and of the resumable
trainer (models/recipes/common/trainer.py). The end-to-end test synthesises 20
utterances (skips without espeak-ng / sox), prepares, trains a tiny network for 3 steps,
exports and re-reads the model file; about 30 s on a busy 2-core machine."""
import io
import json
import math
import os
import shutil
import tempfile
import unittest
from contextlib import redirect_stderr

import numpy as np

from models.recipes.common import export, netspec

try:
    import torch
except ImportError:
    torch = None

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HAVE_SYNTH = shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def logp_for(text, frames_per_symbol=3, vocab_size=29):
    """Peaked CTC log-probabilities spelling `text` (blank between symbols)."""
    from models.recipes.asr import model
    rows = []
    for c in text:
        for k in range(frames_per_symbol):
            row = np.full(vocab_size, math.log(0.01 / (vocab_size - 1)))
            row[model.SYMBOL_ID[c] if k < frames_per_symbol - 1 else model.BLANK] = \
                math.log(0.99)
            rows.append(row)
    return np.array(rows)


class DecodingTest(unittest.TestCase):
    def test_vocabulary(self):
        from models.recipes.asr import model
        self.assertEqual(model.VOCAB[0], "<blank>")
        self.assertEqual(len(model.VOCAB), 29)
        self.assertEqual(model.VOCAB[-1], " ")
        self.assertEqual(model.ctc_min_frames(model.encode("hello")), 6)

    def test_greedy_and_beam_agree_on_peaked_input(self):
        from models.recipes.asr import decode
        lp = logp_for("the cat sat")
        self.assertEqual(decode.greedy_decode(lp), "the cat sat")
        self.assertEqual(decode.prefix_beam_search(lp, beam=8), "the cat sat")
        lp = logp_for("aa b")  # repeated letter needs the blank in between
        self.assertEqual(decode.prefix_beam_search(lp, beam=8), "aa b")

    def test_wer_by_speaker(self):
        from models.recipes.asr import evaluate
        items = [{"speaker": "a"}, {"speaker": "b"}, {"speaker": "a"}]
        refs = ["the cat sat", "a dog", "on the mat"]
        out = evaluate.by_speaker(items, refs, {"engine": ["the cat sat", "a log", "on mat"]})
        a, b = out["by_speaker"]["engine"]["a"], out["by_speaker"]["engine"]["b"]
        self.assertEqual((a["utterances"], a["words"], b["words"]), (2, 6, 2))
        self.assertAlmostEqual(a["wer"], 1 / 6)  # one deletion in six words
        self.assertAlmostEqual(b["wer"], 1 / 2)
        self.assertEqual(evaluate.by_speaker(items[:1], refs[:1], {"engine": ["x"]}), {})

    def test_lm_fusion_picks_the_likely_word(self):
        from models.recipes.asr import decode, model
        from models.recipes.common import kneser_ney as kn
        lm = kn.KneserNey(3).fit(["the cat sat"] * 20 + ["the cot"]).to_arpa()
        lp = logp_for("the cot sat")
        for i in (15, 16):  # the vowel's frames: "o" only slightly more likely than "a"
            lp[i] = np.log(np.full(29, 0.001))
            lp[i, model.SYMBOL_ID["o"]] = math.log(0.5)
            lp[i, model.SYMBOL_ID["a"]] = math.log(0.45)
        self.assertEqual(decode.prefix_beam_search(lp, 8), "the cot sat")
        fusion = decode.LmFusion(lm, 1.0, 0.0)
        self.assertEqual(decode.prefix_beam_search(lp, 8, fusion), "the cat sat")


class LmTextTest(unittest.TestCase):
    def test_training_text_has_no_heldout_sentence(self):
        from models.recipes.asr import lm
        from models.recipes.common import synth
        pool = synth.TextPool()
        held = [t for name in sorted(pool.split) for t in pool.split[name][1][:3]]
        lists = {"train": [{"text": "seven"}, {"text": "press pound"}],
                 "valid": [{"text": held[0]}] if held else [],
                 "test_pocketsphinx": [{"text": "he was not an ill disposed young man"}],
                 "test_fsdd_heldout": [{"text": "seven"}]}
        text = lm.training_text(lists, numbers=200, pool=pool)
        self.assertIn("seven", text)          # FSDD digits are held out by speaker only
        self.assertIn("press pound", text)
        self.assertNotIn("he was not an ill disposed young man", text)
        train = {"seven", "press pound"}
        self.assertFalse([t for t in text if synth.is_heldout_text(t) and t not in train])
        self.assertFalse(set(held) & set(text))


class ListsTest(unittest.TestCase):
    def test_further_synth_folders_add_training_speech_only(self):
        from models.recipes.asr import data
        cols = "path\ttext\tengine\tvoice\tspeaker_id\tsplit\tduration_s\tsource\n"
        rows = {"s0": [("a.wav", "one two", "train"), ("b.wav", "held voice", "test_speaker"),
                       ("c.wav", "held text", "test_text"), ("d.wav", "more text", "test_text")],
                "s1": [("e.wav", "three four", "train"), ("f.wav", "other voice", "test_speaker"),
                       ("g.wav", "other text", "test_text"), ("h.wav", "five", "train")]}
        with tempfile.TemporaryDirectory() as d:
            for name, rs in rows.items():
                os.makedirs(os.path.join(d, name))
                with open(os.path.join(d, name, "manifest.tsv"), "w") as fh:
                    fh.write(cols + "".join(f"{p}\t{t}\tflite\tkal\tkal\t{sp}\t1.0\tx\n"
                                            for p, t, sp in rs))
            flags = dict(use_fsdd=False, use_asterisk=False, use_pocketsphinx=False,
                         num_valid=1)
            one = data.build_lists(os.path.join(d, "s0"), **flags)
            two = data.build_lists(os.path.join(d, "s0") + "," + os.path.join(d, "s1"), **flags)
        for name in ("valid", "test_synth_speaker", "test_synth_text"):
            self.assertEqual(one[name], two[name], name)  # held-out sets unchanged
        self.assertEqual([it["text"] for it in two["train"]], ["one two", "three four", "five"])
        self.assertEqual([it["id"] for it in two["train"]], ["synth-0", "synth1-0", "synth1-3"])
        self.assertEqual(one["train"], two["train"][:1])


class LmPathTest(unittest.TestCase):
    def test_lm_defaults_to_the_cache_read_and_a_missing_one_is_an_error(self):
        from models.recipes.asr import recipe
        with tempfile.TemporaryDirectory() as d:
            for cmd in ("tune", "calibrate", "eval"):
                a = recipe.parser().parse_args([cmd, "--cache", d])
                with self.assertRaises(SystemExit) as e:
                    recipe.resolve_lm(a)
                self.assertIn(os.path.join(d, "lm.arpa"), str(e.exception))
            a = recipe.parser().parse_args(["eval", "--cache", d, "--no-lm"])
            recipe.resolve_lm(a)  # no LM asked for: fine
            open(os.path.join(d, "lm.arpa"), "w").close()
            a = recipe.parser().parse_args(["tune", "--cache", d])
            recipe.resolve_lm(a)
            self.assertEqual(a.lm, os.path.join(d, "lm.arpa"))
            a = recipe.parser().parse_args(["eval", "--cache", d, "--lm", "/x/other.arpa"])
            with self.assertRaises(SystemExit):
                recipe.resolve_lm(a)


class HeldoutMetricsTest(unittest.TestCase):
    def test_eval_json_becomes_flat_numeric_metrics(self):
        from models.recipes.asr import export as asr_export
        ev = {"engine": "cpp", "model": "m.safetensors", "gain_db": -20.0,
              "test_synth_speaker": {"utterances": 3, "words": 9,
                                     "engine": {"wer": 0.751412, "cer": 0.36204},
                                     "word_confidence": {"ece": 0.1}},
              "test_fsdd_heldout": {"engine": {"wer": 0.646, "cer": 0.433}},
              "word_confidence_ece": 0.091523, "stream": {"ratio": 1.0798, "utterances": 108}}
        self.assertEqual(asr_export.heldout_metrics(ev), {
            "gain_db": -20.0, "test_synth_speaker_wer": 0.7514,
            "test_synth_speaker_cer": 0.362, "test_fsdd_heldout_wer": 0.646,
            "test_fsdd_heldout_cer": 0.433, "word_confidence_ece": 0.0915,
            "stream_ratio": 1.0798})
        self.assertEqual(asr_export.heldout_metrics({"a": 1.5, "b": "x", "c": True}),
                         {"a": 1.5})


class LevelTest(unittest.TestCase):
    def test_gain_flags_set_the_copies_level_range_and_default_keeps_the_cache(self):
        from models.recipes.asr import data, recipe
        from models.recipes.common import augment
        # No flag: exactly the old configuration, so existing feature caches stay valid.
        self.assertEqual(data.augment_config(), data.augment_config(0.0, None, None))
        self.assertEqual(data.augment_config()["gain"], augment.DEFAULT_CONFIG["gain"])
        a = recipe.parser().parse_args(["prepare", "--gain-db=-30,10", "--gain-p", "0.8"])
        cfg = data.augment_config(a.edges, a.gain_db, a.gain_p)
        self.assertEqual(cfg["gain"], {"p": 0.8, "db": [-30.0, 10.0]})
        self.assertNotEqual(cfg, data.augment_config())  # so the cache is recomputed
        with self.assertRaises(ValueError):
            data.augment_config(gain_p=1.5)
        with redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            recipe.parser().parse_args(["prepare", "--gain-db=10,-30"])
        with redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            recipe.parser().parse_args(["prepare", "--gain-p", "1.5"])
        # The Augmenter draws every copy's gain inside the new range, and reaches its low end.
        aug = augment.Augmenter({"gain": cfg["gain"] | {"p": 1.0}}, base_seed=3)
        x = np.full(1600, 0.1, np.float32)
        gains = [aug.augment(x, i)[1][0][1] for i in range(200)]
        self.assertGreaterEqual(min(gains), -30.0)
        self.assertLessEqual(max(gains), 10.0)
        self.assertLess(min(gains), -25.0)

    def test_spec_freq_width_sets_the_widest_frequency_mask(self):
        from models.recipes.asr import recipe, train
        from models.recipes.common import augment
        default = train.specaugment_config(recipe.parser().parse_args(["train"]))
        self.assertEqual(default, augment.DEFAULT_CONFIG["specaugment"])
        wide = train.specaugment_config(
            recipe.parser().parse_args(["train", "--spec-freq-width", "27"]))
        self.assertEqual(wide, dict(default, freq_width=27))
        # Masked mel bins per row (time masks off): never more than 2 x the width, and the
        # wider setting reaches beyond what 15 allows.
        feats = np.ones((50, 80), np.float32)

        def most_masked(cfg):
            aug = augment.Augmenter({"specaugment": dict(cfg, p_time=0.0, mask_value=0.0)})
            return max(int((aug.augment_features(feats, i)[0] == 0).sum()) for i in range(300))
        self.assertLessEqual(most_masked(default), 30)
        self.assertGreater(most_masked(wide), 30)
        self.assertLessEqual(most_masked(wide), 54)

    def test_time_baseline_parsing_and_bounded_choice(self):
        from models.recipes.asr import timing
        self.assertEqual(timing.parse_baseline("32,lm,0.6,1"),
                         {"beam": 32, "lexicon": "lm", "lm_weight": 0.6,
                          "word_insertion_bonus": 1.0})
        for bad in ("16,none,0.5", "16,words,0.5,4", "x,none,0.5,4", "0,none,0.5,4"):
            with self.assertRaises(ValueError):
                timing.parse_baseline(bad)
        # A cost that is the beam's width: the best beam over the bound is skipped for the
        # next best that fits, and the baseline always runs without pruning.
        grid = [{"beam": 64, "lexicon": "lm", "lm_weight": 0.6, "word_insertion_bonus": 1.0,
                 "wer": 0.30, "cer": 0.1},
                {"beam": 32, "lexicon": "lm", "lm_weight": 0.6, "word_insertion_bonus": 1.0,
                 "wer": 0.31, "cer": 0.1},
                {"beam": 16, "lexicon": "lm", "lm_weight": 0.6, "word_insertion_bonus": 1.0,
                 "wer": 0.35, "cer": 0.1}]
        seen = []

        def cost(g):
            seen.append(g)
            return float(g["beam"])

        baseline = {"beam": 16, "lexicon": "none", "lm_weight": 0.5, "word_insertion_bonus": 4.0}
        with redirect_stderr(io.StringIO()):
            best, timings = timing.bounded_best(grid, cost, baseline, max_ratio=2.5)
            none, _ = timing.bounded_best(grid, cost, baseline, max_ratio=0.5)
        self.assertIsNone(none)
        self.assertEqual(best["beam"], 32)
        self.assertEqual([t["beam"] for t in timings], [64, 32])
        self.assertEqual([t["ratio"] for t in timings], [4.0, 2.0])
        baselines = [g for g in seen if g["lexicon"] == "none"]
        self.assertTrue(baselines)
        self.assertTrue(all(g["beam_threshold"] == 1e30 for g in baselines))

    def test_vtlp_flags_set_the_copies_frequency_scale_range(self):
        from models.recipes.asr import data, recipe
        from models.recipes.common import augment
        self.assertEqual(data.augment_config()["vtlp"], augment.DEFAULT_CONFIG["vtlp"])
        a = recipe.parser().parse_args(["prepare", "--vtlp-alpha", "0.8,1.25", "--vtlp-p",
                                        "0.6"])
        cfg = data.augment_config(a.edges, a.gain_db, a.gain_p, a.vtlp_alpha, a.vtlp_p)
        self.assertEqual(cfg["vtlp"], {"p": 0.6, "alpha": [0.8, 1.25]})
        self.assertEqual(cfg["gain"], augment.DEFAULT_CONFIG["gain"])
        for bad in (["--vtlp-alpha", "1.2,0.8"], ["--vtlp-alpha", "0,1.2"],
                    ["--vtlp-alpha", "1.2"], ["--vtlp-p", "2"]):
            with redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
                recipe.parser().parse_args(["prepare"] + bad)
        with self.assertRaises(ValueError):
            data.augment_config(vtlp_alpha=(-1.0, 1.0))
        aug = augment.Augmenter({"vtlp": cfg["vtlp"] | {"p": 1.0}}, base_seed=5)
        x = (0.1 * np.sin(np.arange(4000) * 0.3)).astype(np.float32)
        alphas = [aug.augment(x, i)[1][0][1] for i in range(100)]
        self.assertGreaterEqual(min(alphas), 0.8)
        self.assertLessEqual(max(alphas), 1.25)
        self.assertLess(min(alphas), 0.85)
        self.assertGreater(max(alphas), 1.2)

    def test_calibration_copies_use_the_cache_augmentation_with_other_draws(self):
        import json

        import soundfile as sf
        from models.recipes.asr import evaluate
        from models.recipes.common import augment
        rng = np.random.default_rng(0)
        xs = [(0.05 * rng.standard_normal(4000)).astype(np.float32) for _ in range(2)]
        cfg = {"gain": {"p": 1.0, "db": [-30.0, 10.0]}}
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "prepare_info.json"), "w") as fh:
                json.dump({"seed": 4, "babble_voices": 0, "augmentation": cfg}, fh)
            with open(os.path.join(d, "lists.json"), "w") as fh:
                json.dump({"train": []}, fh)
            src = []
            for i, x in enumerate(xs):
                src.append(os.path.join(d, f"in{i}.wav"))
                sf.write(src[-1], x, 16000, subtype="FLOAT")
            os.makedirs(os.path.join(d, "out"))
            got = [sf.read(p, dtype="float32")[0]
                   for p in evaluate.augmented_copies(d, src, 3, os.path.join(d, "out"))]
        self.assertEqual(len(got), 6)  # path by path, copy by copy
        gains = []
        for n, y in enumerate(got):
            i, k = divmod(n, 3)
            want, info = augment.Augmenter(cfg, 4 + 1000).augment(xs[i], i, epoch=k)
            np.testing.assert_allclose(y, want, rtol=1e-6, atol=1e-9)
            gains.append(info[0][1])
            # never the training copies' draw (seed 4) of the same utterance and copy
            self.assertNotAlmostEqual(info[0][1],
                                      augment.Augmenter(cfg, 4).augment(xs[i], i, epoch=k)[1][0][1])
        self.assertEqual(len(set(np.round(gains, 6))), 6)

    def test_scaled_copies_change_the_level_by_exactly_the_gain(self):
        import soundfile as sf
        from models.recipes.asr import evaluate
        rng = np.random.default_rng(0)
        x = (0.05 * rng.standard_normal(8000)).astype(np.float32)
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "in.wav")
            sf.write(src, x, 16000, subtype="FLOAT")
            os.makedirs(os.path.join(d, "out"))
            [dst] = evaluate.scaled_copies([src], -20.0, os.path.join(d, "out"))
            y, rate = sf.read(dst, dtype="float32")
        self.assertEqual(rate, 16000)
        np.testing.assert_allclose(y, x * 0.1, rtol=1e-6, atol=1e-9)


@unittest.skipIf(torch is None, "python3-torch not installed")
class TrainerResumeTest(unittest.TestCase):
    def run_trainer(self, ckpt, max_minutes=None, resume=False):
        from models.recipes.common import trainer
        torch.manual_seed(0)
        spec = [{"type": "linear", "name": "a", "in_features": 4, "out_features": 8},
                {"type": "relu", "name": "r"},
                {"type": "linear", "name": "b", "in_features": 8, "out_features": 2}]
        net = netspec.SpecNet(spec, dropout=0.3)  # dropout: the torch RNG must resume too
        opt = torch.optim.AdamW(net.parameters(), lr=1e-2)
        tr = trainer.Trainer(net, opt, trainer.warmup_cosine(1e-2, 2, 4), ckpt, seed=3,
                             log=io.StringIO())
        data = torch.randn(8, 1, 4, generator=torch.Generator().manual_seed(1))

        def batches(epoch):
            return [tuple(trainer.epoch_order(8, 3, epoch)[k * 4:k * 4 + 4]) for k in range(2)]

        def step(key):
            loss = net(data[list(key)]).pow(2).mean()
            loss.backward()
            return {"loss": loss.item()}

        tr.fit(batches, step, epochs=2, resume=resume, max_minutes=max_minutes)
        return tr, net

    def test_resume_gives_identical_weights(self):
        with tempfile.TemporaryDirectory() as d:
            tr, straight = self.run_trainer(os.path.join(d, "a"))
            self.assertEqual(tr.global_step, 4)
            ck = os.path.join(d, "b")
            tr, _ = self.run_trainer(ck, max_minutes=0)          # stops after 1 step
            self.assertEqual(tr.global_step, 1)
            tr, _ = self.run_trainer(ck, max_minutes=0, resume=True)  # 2nd step
            self.assertEqual(tr.global_step, 2)
            tr, resumed = self.run_trainer(ck, resume=True)      # steps 3 and 4
            self.assertEqual(tr.global_step, 4)
            for (k, v), (k2, v2) in zip(straight.state_dict().items(),
                                        resumed.state_dict().items()):
                self.assertEqual(k, k2)
                self.assertTrue(torch.equal(v, v2), k)


@unittest.skipIf(torch is None, "python3-torch not installed")
@unittest.skipUnless(HAVE_SYNTH, "espeak-ng or sox not installed")
class AsrRecipeSmokeTest(unittest.TestCase):
    def test_prepare_train_export_eval(self):
        from models.recipes.asr import data, decode, recipe
        from models.recipes.asr import model as asr_model
        from models.recipes.common import synth
        with tempfile.TemporaryDirectory() as d, redirect_stderr(io.StringIO()):
            s, c, k = (os.path.join(d, x) for x in ("synth", "cache", "ckpt"))
            synth.synthesize(s, utterances=20, workers=2, log=io.StringIO())
            recipe.main(["prepare", "--synth", s, "--cache", c, "--workers", "1",
                         "--copies", "1", "--no-fsdd", "--no-asterisk", "--no-pocketsphinx",
                         "--num-valid", "2", "--babble-voices", "4"])
            train = data.FeatureSet(c, "train")
            self.assertEqual({r[1] for r in train.rows}, {0, 1})  # clean + 1 copy
            self.assertEqual(train.features(0).shape[1], 80)
            # --edges changes the copies' augmentation, so the cached set is recomputed:
            # clean rows stay, edge-reframed copies change length (trim + 0-0.8 s added).
            recipe.main(["prepare", "--synth", s, "--cache", c, "--workers", "1",
                         "--copies", "1", "--no-fsdd", "--no-asterisk", "--no-pocketsphinx",
                         "--num-valid", "2", "--babble-voices", "4", "--edges", "1"])
            edged = data.FeatureSet(c, "train")
            self.assertEqual([r[3] for r in train.rows if r[1] == 0],
                             [r[3] for r in edged.rows if r[1] == 0])
            changed = sum(a[3] != b[3] for a, b in zip(train.rows, edged.rows) if a[1] == 1)
            self.assertGreater(changed, len(train.rows) // 4)
            res = recipe.main(["train", "--cache", c, "--ckpt-dir", k, "--threads", "1",
                               "--epochs", "3", "--conv-channels", "16",
                               "--lstm-hidden", "16", "--lstm-layers", "1", "--warmup", "1",
                               "--lr", "5e-3", "--batch-frames", "100000",
                               "--max-batch", "64", "--log-every", "1000"])
            self.assertEqual(res["global_step"], 3)
            losses = [h["train_loss"] for h in res["history"]]
            self.assertTrue(all(math.isfinite(x) for x in losses), losses)
            self.assertLess(losses[-1], losses[0])
            model = os.path.join(d, "asr.safetensors")
            golden = os.path.join(d, "golden")
            best = "best" if os.path.exists(os.path.join(k, "best.pt")) else "last"
            recipe.main(["export", "--cache", c, "--ckpt-dir", k, "--checkpoint", best,
                         "--out", model, "--lm-out", "", "--golden-dir", golden])
            tensors, meta, _ = export.read_model(model)
            self.assertEqual(meta["task"], "asr")
            self.assertEqual(meta["vocabulary"], asr_model.VOCAB)
            self.assertEqual(meta["front_end"]["type"], "logmel")  # log_mel_front_end.cc
            self.assertEqual(meta["layers"][-1]["type"], "log_softmax")
            self.assertEqual(meta["streaming"]["subsampling"], 4)
            self.assertEqual(tensors["cmvn.mean"].shape, (80,))
            self.assertEqual(tensors["conv1.weight"].dtype, np.float16)
            netspec.validate(meta["layers"])
            # Golden files: the re-read model reproduces the stored outputs.
            net, _, mean, std = decode.net_from_model_file(model)
            with open(os.path.join(golden, "asr_parity.json")) as fh:
                g = json.load(fh)
            x = np.fromfile(os.path.join(golden, "asr_parity_in.f32"), "<f4")
            y = np.fromfile(os.path.join(golden, "asr_parity_out.f32"), "<f4")
            x = x.reshape(g["in_shape"])
            with torch.no_grad():
                out = net(torch.from_numpy(((x - mean) / std)[None]))[0].numpy()
            self.assertEqual(list(out.shape), g["out_shape"])
            np.testing.assert_allclose(out.ravel(), y, atol=1e-5)
            np.testing.assert_allclose(np.exp(out).sum(axis=1), 1.0, atol=1e-4)
            # Warm start from the exported file (its layer list ends in log_softmax): the
            # first step starts from the trained weights, not from scratch, and keeps the
            # file's CMVN even when the cache's statistics have moved.
            cmvn_path = os.path.join(c, "cmvn.json")
            with open(cmvn_path) as fh:
                cache_cmvn = json.load(fh)
            shifted = dict(cache_cmvn, mean=[m + 1.0 for m in cache_cmvn["mean"]])
            with open(cmvn_path, "w") as fh:
                json.dump(shifted, fh)
            warm = recipe.main(["train", "--cache", c, "--ckpt-dir", os.path.join(d, "warm"),
                                "--threads", "1", "--epochs", "1", "--conv-channels", "16",
                                "--lstm-hidden", "16", "--lstm-layers", "1", "--warmup", "1",
                                "--lr", "5e-3", "--batch-frames", "100000", "--max-batch", "64",
                                "--log-every", "1000", "--init-from", model])
            self.assertEqual(warm["global_step"], 1)
            self.assertLess(warm["history"][0]["train_loss"], losses[0])
            warm_ckpt = torch.load(os.path.join(d, "warm", "last.pt"), weights_only=False)
            np.testing.assert_allclose(warm_ckpt["extra"]["cmvn_mean"], mean, rtol=1e-6)
            np.testing.assert_allclose(warm_ckpt["extra"]["cmvn_std"], std, rtol=1e-6)
            with open(cmvn_path, "w") as fh:
                json.dump(cache_cmvn, fh)
            self.check_tune_and_export_decoder_search(d, c, k, best, model)
            r = recipe.main(["eval", "--cache", c, "--model", model, "--no-lm", "--threads",
                             "1", "--sets", "train,valid", "--limit", "2",
                             "--stream-set", "train", "--stream-minutes", "0.05",
                             "--out", os.path.join(d, "eval.json")])
            self.assertIn("greedy", r["train"])
            self.assertIn("ratio", r["stream"]["greedy"])
            self.assertEqual(r["note"], "PyTorch, not the C++ engine")

    def check_tune_and_export_decoder_search(self, d, c, k, best, model):
        """tune searches beam x lexicon through the C++ engine; the lexicon "lm" keeps every
        output word inside the LM; export writes the best beam and lexicon, and its flags
        override them."""
        from models.recipes.asr import evaluate, recipe
        binary = os.path.join(REPO, "build", "bin", "auris_transcribe")
        if not os.path.exists(binary):
            return  # the C++ build is not there (recipe-only checkout)
        arpa = os.path.join(c, "lm.arpa")
        shutil.copy(os.path.join(REPO, "tests", "models", "golden", "asr_tiny.arpa"), arpa)
        words = evaluate.lm_words(arpa)
        self.assertEqual(sorted(words), ["a", "cat", "mat", "on", "sat", "the"])
        t = recipe.main(["tune", "--cache", c, "--model", model, "--beams", "2,4",
                         "--lexicons", "none,lm", "--lm-weights", "0.5", "--word-bonuses", "1",
                         "--threads", "1", "--symbol-min-log-prob=-9.21",
                         "--beam-threshold", "12"])
        self.assertEqual([(g["beam"], g["lexicon"]) for g in t["grid"]],
                         [(2, "none"), (2, "lm"), (4, "none"), (4, "lm")])
        self.assertEqual({(g["symbol_min_log_prob"], g["beam_threshold"]) for g in t["grid"]},
                         {(-9.21, 12.0)})
        with redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            recipe.main(["tune", "--cache", c, "--model", model, "--lexicons", "lm,all"])
        # The decode-time bound: a generous one keeps the best entry and records the paired
        # timings of each beam tried; an impossible one is an error naming the timings.
        flags = ["tune", "--cache", c, "--model", model, "--beams", "2,4", "--lexicons", "lm",
                 "--lm-weights", "0.5", "--word-bonuses", "1", "--threads", "1",
                 "--symbol-min-log-prob=-9.21", "--beam-threshold", "12"]
        bounded = recipe.main(flags + ["--max-time-ratio", "1000"])
        plain_best = min((g for g in t["grid"] if g["lexicon"] == "lm"),
                         key=lambda g: (g["wer"], g["cer"]))
        self.assertEqual(bounded["best"]["beam"], plain_best["beam"])
        tb = bounded["time_bound"]
        self.assertEqual(tb["baseline"], {"beam": 16, "lexicon": "none", "lm_weight": 0.5,
                                          "word_insertion_bonus": 4.0})
        self.assertEqual(len(tb["timings"][0]["ratios"]), 3)
        self.assertTrue(all(a > 0 and b > 0 for a, b in tb["timings"][0]["cpu_seconds"]))
        with redirect_stderr(io.StringIO()), self.assertRaises(SystemExit) as cm:
            recipe.main(flags + ["--max-time-ratio", "1e-9"])
        self.assertIn("no beam decodes within", str(cm.exception))
        from models.recipes.asr.data import FeatureSet
        paths = [it["path"] for it in FeatureSet(c, "valid").items]
        a = recipe.parser().parse_args(["tune", "--cache", c, "--model", model, "--lm", arpa,
                                        "--threads", "1"])
        a.beam = 4
        outs = evaluate.cpp_run(a, paths, evaluate.lexicon_args("lm", arpa, d))
        said = {w for o in outs for w in o["transcript"].split()}
        self.assertTrue(said, "the lexicon-restricted decode said nothing")
        self.assertLessEqual(said, set(words))
        # OOV penalties: searched per entry (None = lexicon words only), and a penalty of 0
        # decodes exactly as without a lexicon (the scorer then equals the LM's).
        open_t = recipe.main(flags + ["--oov-penalties", "inf,0"])
        self.assertEqual([(g["beam"], g["oov_penalty"]) for g in open_t["grid"]],
                         [(2, None), (2, 0.0), (4, None), (4, 0.0)])
        a.beam, a.lm_weight, a.word_bonus = 4, 0.5, 1.0
        a.oov_penalty = 0.0
        free = evaluate.cpp_run(a, paths, evaluate.lexicon_args("lm", arpa, d))
        a.oov_penalty = None
        unconstrained = evaluate.cpp_run(a, paths, ["--lexicon", "none"])
        self.assertEqual([o["transcript"] for o in free],
                         [o["transcript"] for o in unconstrained])
        with redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            recipe.main(["tune", "--cache", c, "--model", model, "--lexicons", "none,lm",
                         "--oov-penalties", "4"])
        for oov, want in (("2.5", 2.5), ("inf", None)):
            recipe.main(["export", "--cache", c, "--ckpt-dir", k, "--checkpoint", best,
                         "--out", model, "--lm-out", "", "--golden-dir", "", "--lexicon", "lm",
                         "--oov-penalty", oov])
            self.assertEqual(export.read_model(model)[1]["decoder"].get("oov_penalty"), want)
        for forced in ([], ["--beam", "8", "--lexicon", "lm"], ["--lexicon", "none"]):
            recipe.main(["export", "--cache", c, "--ckpt-dir", k, "--checkpoint", best,
                         "--out", model, "--lm-out", "", "--golden-dir", ""] + forced)
            _, meta, _ = export.read_model(model)
            dec = meta["decoder"]
            want_beam = int(forced[1]) if forced[:1] == ["--beam"] else t["best"]["beam"]
            want_lex = forced[-1] if forced else t["best"]["lexicon"]
            self.assertEqual(dec["beam"], want_beam)
            self.assertEqual(dec.get("lexicon", "none"), want_lex)
            self.assertEqual((dec["symbol_min_log_prob"], dec["beam_threshold"]), (-9.21, 12.0))
        os.remove(arpa)


if __name__ == "__main__":
    unittest.main()
