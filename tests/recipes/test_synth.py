"""Tests for models/recipes/common/synth.py: the split logic (no synthesis) and a
3-utterance end-to-end run (skipped without espeak-ng and sox)."""
import csv
import os
import shutil
import tempfile
import unittest

from models.recipes.common import synth, text

# Every voice family of issue #3, whether or not the engines are installed here.
FAKE_VOICES = (
    [synth.Voice("espeak-ng", f"{a}+{v}" if v else a, f"espeak-{a}")
     for a in ("en-gb", "en-us", "en-gb-scotland", "en-029", "en-us-nyc")
     for v in ("", "f3", "m2")]
    + [synth.Voice("flite", v, s) for v, s in synth.FLITE_SPEAKERS.items()]
    + [synth.Voice("festival", v, s) for v, s in synth.FESTIVAL_SPEAKERS.items()])


class SplitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pool = synth.TextPool()
        cls.jobs = synth.plan_jobs(FAKE_VOICES, cls.pool, seed=3, start=0, count=3000)

    def test_same_speaker_mapping(self):
        by = {(v.engine, v.name): v.speaker_id for v in FAKE_VOICES}
        self.assertEqual(by[("flite", "kal")], by[("flite", "kal16")])
        self.assertEqual(by[("flite", "kal")], by[("festival", "kal_diphone")])
        self.assertEqual(by[("flite", "slt")], by[("festival", "cmu_us_slt_arctic_hts")])
        held = {v.name for v in FAKE_VOICES if v.heldout}
        self.assertIn("cmu_us_slt_arctic_hts", held)
        self.assertIn("rms", held)
        self.assertIn("en-gb-scotland+f3", held)
        self.assertNotIn("kal_diphone", held)
        self.assertNotIn("awb", held)
        self.assertNotIn("en-gb+m2", held)

    def test_speakers_disjoint(self):
        train_spk = {j.voice.speaker_id for j in self.jobs if j.split != "test_speaker"}
        test_spk = {j.voice.speaker_id for j in self.jobs if j.split == "test_speaker"}
        self.assertTrue(test_spk)
        self.assertFalse(train_spk & test_spk)
        self.assertEqual(test_spk, synth.HELDOUT_SPEAKERS)

    def test_sentences_disjoint(self):
        train_txt = {j.text for j in self.jobs if j.split == "train"}
        test_txt = {j.text for j in self.jobs if j.split != "train"}
        self.assertTrue(test_txt)
        # Word lists may recombine words; every held-out text hashes to the held-out set
        # and no training text does.
        self.assertFalse(train_txt & test_txt)
        counts = {s: sum(j.split == s for j in self.jobs) for s in
                  ("train", "test_speaker", "test_text")}
        self.assertGreater(counts["train"], 0.75 * len(self.jobs))
        self.assertGreater(counts["test_text"], 0)

    def test_deterministic_and_normalised(self):
        again = synth.plan_jobs(FAKE_VOICES, self.pool, seed=3, start=100, count=50)
        self.assertEqual(again, self.jobs[100:150])
        other = synth.plan_jobs(FAKE_VOICES, self.pool, seed=4, start=100, count=50)
        self.assertNotEqual(other, again)
        for j in self.jobs:
            self.assertTrue(j.text and text.is_normalized(j.text), j.text)


class VoiceSelectionTest(unittest.TestCase):
    def test_default_leaves_out_opt_in_speakers_only(self):
        chosen = synth.select_voices(FAKE_VOICES)
        self.assertEqual([v for v in FAKE_VOICES if v.speaker_id != "ked"], chosen)
        self.assertIn("ked", {v.speaker_id for v in FAKE_VOICES})

    def test_families_keep_exactly_their_voices_and_drop_heldout_jobs(self):
        chosen = synth.select_voices(FAKE_VOICES, ["kal", "awb", "ked"])
        self.assertEqual({"kal", "kal16", "awb", "kal_diphone", "ked_diphone"},
                         {v.name for v in chosen})
        jobs = synth.plan_jobs(chosen, synth.TextPool(), seed=5, start=0, count=600)
        per_family = {f: sum(j.voice.speaker_id == f for j in jobs)
                      for f in ("kal", "awb", "ked")}
        self.assertEqual(600, sum(per_family.values()))
        for f, n in per_family.items():  # one family in three each, give or take
            self.assertGreater(n, 150, f)
        self.assertNotIn("test_speaker", {j.split for j in jobs})

    def test_unknown_family_is_an_error(self):
        with self.assertRaisesRegex(ValueError, "no installed voice for \\['nobody'\\]"):
            synth.select_voices(FAKE_VOICES, ["kal", "nobody"])


@unittest.skipUnless(shutil.which("espeak-ng") and shutil.which("sox"),
                     "espeak-ng or sox not installed: synthesis test skipped")
class SynthesisTest(unittest.TestCase):
    def test_three_utterances(self):
        import soundfile
        with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
            info = synth.synthesize(d1, utterances=3, seed=11, workers=2)
            synth.synthesize(d2, utterances=3, seed=11, workers=2)
            self.assertEqual(info["utterances"], 3)
            with open(os.path.join(d1, "manifest.tsv"), encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh, delimiter="\t"))
            self.assertEqual(len(rows), 3)
            self.assertEqual(tuple(rows[0].keys()), synth.MANIFEST_COLUMNS)
            for r in rows:
                wav = os.path.join(d1, r["path"])
                data, sr = soundfile.read(wav)
                self.assertEqual(sr, 16000)
                self.assertEqual(data.ndim, 1)
                self.assertGreater(len(data), 1600)
                self.assertAlmostEqual(len(data) / sr, float(r["duration_s"]), places=2)
                self.assertTrue(text.is_normalized(r["text"]))
                self.assertEqual(r["split"] == "test_speaker",
                                 r["speaker_id"] in synth.HELDOUT_SPEAKERS)
                with open(wav, "rb") as a, open(os.path.join(d2, r["path"]), "rb") as b:
                    self.assertEqual(a.read(), b.read(), "synthesis is not deterministic")
            with open(os.path.join(d2, "manifest.tsv"), encoding="utf-8") as fh:
                self.assertEqual(list(csv.DictReader(fh, delimiter="\t")), rows)

    def test_a_longer_run_resumes_and_keeps_existing_files(self):
        with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as fresh:
            synth.synthesize(d, utterances=2, seed=12, workers=1)
            with open(os.path.join(d, "manifest.tsv"), encoding="utf-8") as fh:
                first = list(csv.DictReader(fh, delimiter="\t"))
            # Mark an existing file: a resumed run must keep it, not synthesise it again.
            kept = os.path.join(d, first[0]["path"])
            stamp = os.stat(kept).st_mtime_ns
            synth.synthesize(d, utterances=4, seed=12, workers=1)
            self.assertEqual(os.stat(kept).st_mtime_ns, stamp)
            synth.synthesize(fresh, utterances=4, seed=12, workers=1)
            with open(os.path.join(d, "manifest.tsv"), encoding="utf-8") as a, \
                    open(os.path.join(fresh, "manifest.tsv"), encoding="utf-8") as b:
                self.assertEqual(a.read(), b.read())  # as if made in one run
            self.assertFalse([f for _, _, fs in os.walk(d) for f in fs if f.startswith("tmp")])


@unittest.skipUnless(shutil.which("text2wave") and shutil.which("sox"),
                     "festival or sox not installed: festival voice test skipped")
class FestivalVoicesTest(unittest.TestCase):
    def test_speaking_rate_changes_duration(self):
        # festvox-us-slt-hts installs under voices/us/ and ignores Duration_Stretch.
        voices = synth.festival_voices()
        if not voices:
            self.skipTest("no festival voice installed")
        line = "the quick brown fox jumps over the lazy dog"
        with tempfile.TemporaryDirectory() as d:
            for v in voices:
                slow, fast = (synth.synth_one((synth.Job(i, v, line, "t", "train", rate, 50), d))
                              for i, rate in ((1, 0.8), (2, 1.25)))
                # Duration scales about as 1 / rate: 1.25 / 0.8 = 1.56.
                self.assertGreater(slow / fast, 1.35, v.name)
                self.assertLess(slow / fast, 1.8, v.name)


if __name__ == "__main__":
    unittest.main()
