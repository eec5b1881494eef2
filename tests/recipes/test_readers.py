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


if __name__ == "__main__":
    unittest.main()
