"""Tests for models/recipes/common/readers.py. Shared-data tests skip when
../shared/data is absent (a fresh clone does not have it)."""
import os
import tempfile
import unittest

from models.recipes.common import readers

ROOT = readers.shared_data_root()
HAVE_SHARED = os.path.isdir(ROOT)


class GenericReadersTest(unittest.TestCase):
    def test_tsv_with_and_without_header(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "list.tsv")
            with open(p, "w") as fh:
                fh.write("path\ttext\tspeaker\n")
                fh.write("a/1.wav\tHello, World 42!\tspk1\n\n")
                fh.write("/abs/2.wav\tit's fine\tspk2\n")
            u = readers.read_tsv(p)
            self.assertEqual(len(u), 2)
            self.assertEqual(u[0].path, os.path.join(d, "a", "1.wav"))
            self.assertEqual(u[0].text, "hello world forty two")
            self.assertEqual(u[0].speaker, "spk1")
            self.assertEqual(u[1].path, "/abs/2.wav")
            with open(p, "w") as fh:
                fh.write("x.flac\tOne TWO\n")
            u = readers.read_tsv(p)
            self.assertEqual((u[0].path, u[0].text), (os.path.join(d, "x.flac"), "one two"))
            with open(p, "w") as fh:
                fh.write("lonely.wav\n")
            with self.assertRaises(ValueError):
                readers.read_tsv(p)

    def test_librispeech_layout(self):
        with tempfile.TemporaryDirectory() as d:
            folder = os.path.join(d, "19", "198")
            os.makedirs(folder)
            with open(os.path.join(folder, "19-198.trans.txt"), "w") as fh:
                fh.write("19-198-0000 NORTHANGER ABBEY\n19-198-0001 IT'S TIME\n")
            u = readers.read_librispeech(d)
            self.assertEqual([x.text for x in u], ["northanger abbey", "it's time"])
            self.assertEqual(u[0].speaker, "19")
            self.assertEqual(u[1].path, os.path.join(folder, "19-198-0001.flac"))


@unittest.skipUnless(HAVE_SHARED, f"shared data folder {ROOT} absent")
class SharedDataTest(unittest.TestCase):
    def test_fsdd(self):
        u = readers.read_fsdd()
        self.assertEqual(len(u), 3000)
        self.assertEqual(len({x.speaker for x in u}), 6)
        self.assertEqual({x.text for x in u}, {"zero", "one", "two", "three", "four", "five",
                                               "six", "seven", "eight", "nine"})
        self.assertTrue(os.path.exists(u[0].path))

    def test_emodb(self):
        u = readers.read_emodb()
        self.assertEqual(len(u), 535)
        self.assertEqual(len({x.speaker for x in u}), 10)
        self.assertEqual(len({x.extra["emotion"] for x in u}), 7)
        self.assertTrue(os.path.exists(u[0].path))

    def test_ravdess(self):
        u = readers.read_ravdess()
        self.assertEqual(len(u), 1081)
        self.assertEqual(len({x.speaker for x in u}), 18)
        self.assertEqual(len({x.text for x in u}), 2)
        self.assertTrue(os.path.exists(u[-1].path))

    def test_noise(self):
        u = readers.read_noise()
        self.assertGreaterEqual(len(u), 1)
        self.assertTrue(all(os.path.exists(x.path) for x in u))


class DebianSpeechParsingTest(unittest.TestCase):
    """Parsers on hand-made files (no Debian packages needed)."""

    def test_asterisk_format(self):
        import gzip
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "en", "digits"))
            for name in ("agent-pass", "beep", "digits/7", "letters-at", "no-text"):
                open(os.path.join(d, "en", name + ".wav"), "wb").close()
            texts = os.path.join(d, "t.txt.gz")
            with gzip.open(texts, "wt") as fh:
                fh.write("; Core Asterisk Sounds in English\n\n"
                         "agent-pass: Please enter your password followed by #.\n"
                         "beep: [this is a simple beep tone]\n"
                         "digits/7: 7\n"
                         "letters-at: at [@]\n"
                         "missing-audio: Hello.\n")
            u = readers.read_asterisk(os.path.join(d, "en"), texts)
            got = {x.extra["name"]: x.text for x in u}
            self.assertEqual(got, {"agent-pass": "please enter your password followed by pound",
                                   "digits/7": "seven", "letters-at": "at"})
            self.assertEqual({x.speaker for x in u}, {"asterisk-allison"})

    def test_sphinx_transcription_format(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "setA"))
            os.makedirs(os.path.join(d, "nofiles"))
            with open(os.path.join(d, "setA", "fileids"), "w") as fh:
                fh.write("u1\nu2\n")
            with open(os.path.join(d, "setA", "transcription"), "w") as fh:
                fh.write("<s> Ten of CLUBS  </s> (u1)\n<s> he was not </s> (u2)\n")
            open(os.path.join(d, "setA", "u1.wav"), "wb").close()  # u2 has no audio
            with open(os.path.join(d, "nofiles", "x.transcription"), "w") as fh:
                fh.write("<s> one </s> (x)\n")
            u = readers.read_pocketsphinx_testdata(d)
            self.assertEqual([(x.text, x.speaker, x.extra["id"]) for x in u],
                             [("ten of clubs", "pocketsphinx-setA", "u1")])


@unittest.skipUnless(os.path.isdir(readers.ASTERISK_SOUNDS_DIR)
                     and os.path.exists(readers.ASTERISK_TEXTS),
                     "asterisk-core-sounds-en(-wav) not installed")
class AsteriskTest(unittest.TestCase):
    def test_read(self):
        u = readers.read_asterisk()
        self.assertGreater(len(u), 500)
        self.assertEqual({x.speaker for x in u}, {"asterisk-allison"})
        self.assertTrue(all(x.text and os.path.exists(x.path) for x in u))
        names = {x.extra["name"]: x.text for x in u}
        self.assertEqual(names.get("digits/7"), "seven")
        self.assertNotIn("beep", names)


@unittest.skipUnless(os.path.isdir(readers.POCKETSPHINX_TESTDATA_DIR),
                     "pocketsphinx-testdata not installed")
class PocketsphinxTestdataTest(unittest.TestCase):
    def test_read(self):
        u = readers.read_pocketsphinx_testdata()
        sets = {x.speaker for x in u}
        self.assertIn("pocketsphinx-librivox", sets)
        self.assertTrue(all(x.text and os.path.exists(x.path) for x in u))
        lib = [x for x in u if x.speaker == "pocketsphinx-librivox"]
        self.assertEqual(len(lib), 5)
        self.assertEqual(lib[1].text, "he was not an ill disposed young man")


if __name__ == "__main__":
    unittest.main()
