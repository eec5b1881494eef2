"""VAD recipe: truth labels, the decision rule, sequence mixing and a tiny training run."""

import unittest

import numpy as np

try:
    import torch
except ImportError:
    torch = None

from models.recipes.common import frontend, netspec
from models.recipes.vad import data, recipe


def _tone(seconds, amp=0.1, f=200.0):
    t = np.arange(int(seconds * 16000)) / 16000
    return (amp * np.sin(2 * np.pi * f * t)).astype(np.float32)


class LabelTest(unittest.TestCase):
    def test_truth_is_energy_within_40_db_with_200_ms_bridges(self):
        # 0.5 s silence, 0.3 s tone, 0.15 s silence (bridged), 0.2 s tone at -30 dB (speech),
        # 0.3 s silence (not bridged), 0.2 s tone at -50 dB (below the 40 dB floor).
        x = np.concatenate([np.zeros(8000), _tone(0.3), np.zeros(2400), _tone(0.2, 0.1 * 10 ** -1.5),
                            np.zeros(4800), _tone(0.2, 0.1 * 10 ** -2.5)]).astype(np.float32)
        truth = data.truth_labels(x)
        self.assertEqual(len(truth), len(x) // 160)
        self.assertFalse(truth[:50].any())
        self.assertTrue(truth[50:115].all())  # tone, 150 ms bridge, quiet tone
        self.assertFalse(truth[115:145].any())  # 300 ms gap: not bridged
        self.assertFalse(truth[145:].any())  # 50 dB down
        self.assertFalse(data.truth_labels(np.zeros(1600, np.float32)).any())

    def test_decide_hysteresis_and_hangover(self):
        p = np.array([0.1, 0.6, 0.45, 0.2, 0.2, 0.2, 0.45, 0.1, 0.8, 0.1])
        self.assertEqual(recipe.decide(p, 0.5, 0.5, 0).tolist(),
                         [0, 1, 0, 0, 0, 0, 0, 0, 1, 0])
        self.assertEqual(recipe.decide(p, 0.5, 0.4, 0).tolist(),
                         [0, 1, 1, 0, 0, 0, 0, 0, 1, 0])
        self.assertEqual(recipe.decide(p, 0.5, 0.4, 2).tolist(),
                         [0, 1, 1, 1, 1, 0, 0, 0, 1, 1])

    def test_onset_errors(self):
        truth = np.array([0] * 20 + [1] * 30 + [0] * 20 + [1] * 10, bool)
        dec = np.zeros_like(truth)
        dec[23:50] = True  # 3 frames late; second segment never detected
        self.assertEqual(data.onset_errors(dec, truth), [3, None])


    def test_onset_weights_cover_each_onset_and_the_frames_before(self):
        t = np.zeros((2, 60), bool)
        t[0, 10:40] = True
        t[0, 50:55] = True
        t[1, 0:5] = True  # an onset at frame 0: nothing before it
        w = data.onset_weights(t, 4.0, frames=6)
        expect = np.ones((2, 60), np.float32)
        expect[0, 7:16] = 4.0   # 3 frames before, 6 after
        expect[0, 47:56] = 4.0  # runs past the short segment's end
        expect[1, 0:6] = 4.0
        np.testing.assert_array_equal(w, expect)
        np.testing.assert_array_equal(data.onset_weights(t, 1.0), np.ones((2, 60)))


class SequenceTest(unittest.TestCase):
    def test_labels_snr_and_determinism(self):
        clean = [_tone(0.8), _tone(1.1, f=300)]
        noise = [np.random.default_rng(1).standard_normal(50000).astype(np.float32)]
        a = data.make_sequence(clean, noise, noise, np.random.default_rng(3),
                                 snr_range=(5.0, 5.0), p_noise_only=0.0, p_clean=0.0,
                                 noise_kind="real")
        b = data.make_sequence(clean, noise, noise, np.random.default_rng(3),
                                 snr_range=(5.0, 5.0), p_noise_only=0.0, p_clean=0.0,
                                 noise_kind="real")
        np.testing.assert_array_equal(a[0], b[0])
        noisy, truth = a
        self.assertEqual(noisy.shape, (data.SEQUENCE,))
        self.assertEqual(len(truth), data.SEQUENCE // 160)
        self.assertTrue(0.05 < truth.mean() < 0.9)
        # Active-speech SNR: noise power from the non-speech frames (the noise is stationary)
        # vs the mean power of the speech frames minus the noise.
        frames = noisy[:len(truth) * 160].reshape(-1, 160).astype(np.float64)
        pn = np.mean(frames[~truth] ** 2)
        ps = np.mean(frames[truth] ** 2) - pn
        self.assertAlmostEqual(10 * np.log10(ps / pn), 5.0, delta=0.5)

    def test_noise_only_sequences_are_all_non_speech(self):
        clean = [_tone(0.5)]
        noise = [np.random.default_rng(2).standard_normal(20000).astype(np.float32)]
        noisy, truth = data.make_sequence(clean, noise, noise, np.random.default_rng(0),
                                            p_noise_only=1.0, noise_kind="real")
        self.assertFalse(truth.any())
        self.assertGreater(np.abs(noisy).max(), 0)

    def test_recolouring_changes_real_noise_only(self):
        clean = [_tone(0.8)]
        rng = np.random.default_rng(5)
        noise = [rng.standard_normal(50000).astype(np.float32)]
        voices = [rng.standard_normal(30000).astype(np.float32) for _ in range(3)]

        def mix(kind, p):
            return data.make_sequence(clean, noise, voices, np.random.default_rng(9),
                                        p_noise_only=0.0, p_narrowband=0.0, noise_kind=kind,
                                        p_recolour=p)

        plain, truth = mix("real", 0.0)
        coloured, truth2 = mix("real", 1.0)
        np.testing.assert_array_equal(truth, truth2)
        self.assertGreater(np.abs(plain - coloured).max(), 1e-3)  # a new noise...
        spec = np.abs(np.fft.rfft(coloured[~np.repeat(truth, 160)[:len(coloured)]]))
        flat = np.abs(np.fft.rfft(plain[~np.repeat(truth, 160)[:len(plain)]]))
        bands = lambda s: np.array([b.mean() for b in np.array_split(s, 8)])
        ratio = bands(spec) / bands(flat)
        self.assertGreater(ratio.max() / ratio.min(), 1.5)  # ...with a non-flat spectral shape
        np.testing.assert_array_equal(mix("babble", 0.0)[0], mix("babble", 1.0)[0])

    def test_machine_noise_replaces_real_or_coloured_draws_only(self):
        clean = [_tone(0.8)]
        rng = np.random.default_rng(5)
        noise = [rng.standard_normal(50000).astype(np.float32)]
        voices = [rng.standard_normal(30000).astype(np.float32) for _ in range(3)]

        def mix(seed, p, p_babble=0.3):
            return data.make_sequence(clean, noise, voices, np.random.default_rng(seed),
                                        p_noise_only=0.0, p_clean=0.0, p_narrowband=0.0,
                                        p_babble=p_babble, p_machine=p)[0]

        # p 0 draws nothing extra: the mix is the one made without the argument.
        np.testing.assert_array_equal(
            mix(11, 0.0), data.make_sequence(clean, noise, voices, np.random.default_rng(11),
                                               p_noise_only=0.0, p_clean=0.0,
                                               p_narrowband=0.0)[0])
        # All-babble mixes are never replaced; with p 1 every other mix is.
        for seed in range(4):
            np.testing.assert_array_equal(mix(seed, 0.0, 1.0), mix(seed, 1.0, 1.0))
        changed = [np.abs(mix(s, 0.0, 0.0) - mix(s, 1.0, 0.0)).max() > 1e-3 for s in range(6)]
        self.assertTrue(all(changed))
        # The explicit kind gives the same generator.
        x, truth = data.make_sequence(clean, noise, voices, np.random.default_rng(2),
                                        p_noise_only=0.0, p_narrowband=0.0, noise_kind="machine")
        self.assertEqual(len(x), data.SEQUENCE)
        self.assertTrue(truth.any())

    def test_babble_share_and_babble_snr(self):
        # Stationary "voices" so the measured SNR is exact; babble at 0 dB, other noise at 20.
        clean = [_tone(0.8), _tone(1.1, f=300)]
        rng = np.random.default_rng(4)
        voices = [rng.standard_normal(30000).astype(np.float32) for _ in range(3)]
        noise = [rng.standard_normal(50000).astype(np.float32)]

        def snr(p_babble, seed):
            noisy, truth = data.make_sequence(
                clean, noise, voices, np.random.default_rng(seed), snr_range=(20.0, 20.0),
                p_noise_only=0.0, p_clean=0.0, p_narrowband=0.0, p_babble=p_babble,
                babble_snr_range=(0.0, 0.0))
            frames = noisy[:len(truth) * 160].reshape(-1, 160).astype(np.float64)
            pn = np.mean(frames[~truth] ** 2)
            return 10 * np.log10((np.mean(frames[truth] ** 2) - pn) / pn)

        for seed in range(3):
            self.assertAlmostEqual(snr(1.0, seed), 0.0, delta=0.5)
            self.assertAlmostEqual(snr(0.0, seed), 20.0, delta=1.0)


@unittest.skipIf(torch is None, "python3-torch not installed")
class WarmStartTest(unittest.TestCase):
    def test_copies_weights_and_cmvn_and_rejects_other_layers(self):
        import os
        import tempfile
        from models.recipes.common import export, trainer
        torch.manual_seed(1)
        src = netspec.SpecNet(recipe.spec(conv=8, hidden=6))
        tensors = src.export_tensors(np.float32)
        tensors["cmvn.mean"] = np.arange(frontend.N_MELS, dtype=np.float32)
        tensors["cmvn.std"] = np.full(frontend.N_MELS, 2.0, np.float32)
        meta = {"format_version": export.FORMAT_VERSION, "task": "vad", "sample_rate_hz": 16000,
                "front_end": frontend.FRONTEND_PARAMS, "layers": src.spec,
                "training_data": {"steps": 1234, "wall_minutes": 5.5}}
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.safetensors")
            export.write_model(path, tensors, meta)
            dst = netspec.SpecNet(recipe.spec(conv=8, hidden=6))
            mean, std, prior = trainer.warm_start(dst, path, "--conv/--hidden")
            for (name, a), b in zip(src.state_dict().items(), dst.state_dict().values()):
                torch.testing.assert_close(a, b, msg=name)
            self.assertEqual(mean[5].item(), 5.0)
            self.assertEqual(std[0].item(), 2.0)
            self.assertEqual(prior, {"steps": 1234, "wall_minutes": 5.5})
            with self.assertRaisesRegex(SystemExit, "--conv/--hidden must match"):
                trainer.warm_start(netspec.SpecNet(recipe.spec(conv=8, hidden=7)), path,
                                   "--conv/--hidden")


@unittest.skipIf(torch is None, "python3-torch not installed")
class LookAheadTest(unittest.TestCase):
    def test_output_at_t_plus_l_decides_frame_t_and_silence_rows_follow(self):
        torch.manual_seed(2)
        net = netspec.SpecNet(recipe.spec(conv=8, hidden=6)).eval()
        mean = torch.linspace(-12.0, -2.0, frontend.N_MELS)
        std = torch.full((frontend.N_MELS,), 3.0)
        x = torch.from_numpy(np.random.default_rng(3).standard_normal((2, 8000)).astype(
            np.float32) * 0.05)
        t = frontend.num_frames(8000)
        with torch.no_grad():
            p0 = recipe.probabilities(net, x, mean, std)
            p4 = recipe.probabilities(net, x, mean, std, lookahead=4)
            # What the C++ stream appends at Flush: the front end's row for digital silence.
            silence = (frontend.log_mel_torch(torch.zeros(1, 400)) - mean) / std
            feats = torch.cat([(frontend.log_mel_torch(x) - mean) / std,
                               silence.expand(2, 4, frontend.N_MELS)], dim=1)
            direct = net(feats)[..., 0]
        self.assertEqual(tuple(p4.shape), (2, t))
        torch.testing.assert_close(p4[:, :t - 4], p0[:, 4:])
        torch.testing.assert_close(p4, direct[:, 4:])
        torch.testing.assert_close(recipe.silence_row(mean, std), silence[0, 0])
        self.assertEqual(recipe.lookahead_of({"streaming": {"look_ahead_frames": 4}}), 4)
        self.assertEqual(recipe.lookahead_of({"lookahead": 9}), 9)
        self.assertEqual(recipe.lookahead_of({}), 0)


@unittest.skipIf(torch is None, "python3-torch not installed")
class TinyTrainingTest(unittest.TestCase):
    def test_a_few_steps_learn_tone_versus_noise(self):
        torch.manual_seed(0)
        torch.set_num_threads(1)
        net = netspec.SpecNet(recipe.spec(conv=8, hidden=8))
        opt = torch.optim.Adam(net.parameters(), lr=2e-2)
        rng = np.random.default_rng(0)
        clean = [_tone(0.6, f=f) for f in (150, 220, 330)]
        noise = [rng.standard_normal(40000).astype(np.float32)]
        mean, std = torch.zeros(frontend.N_MELS), torch.ones(frontend.N_MELS) * 5
        losses = []
        for i in range(40):
            r = np.random.default_rng(i)
            x, y = recipe._batch([data.make_sequence(clean, noise, noise, r, n=32000,
                                                       snr_range=(10, 10), noise_kind="real")
                                  for _ in range(4)])
            p = recipe.probabilities(net, x, mean - 5, std)
            loss = torch.nn.functional.binary_cross_entropy(p.clamp(1e-6, 1 - 1e-6), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        self.assertLess(np.mean(losses[-5:]), 0.6 * np.mean(losses[:5]))


if __name__ == "__main__":
    unittest.main()
