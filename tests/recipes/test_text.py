"""Unit tests for models/recipes/common/text.py."""
import unittest

from models.recipes.common import text


class NumberWordsTest(unittest.TestCase):
    def test_cardinals(self):
        cases = {0: "zero", 7: "seven", 13: "thirteen", 20: "twenty", 42: "forty two",
                 100: "one hundred", 101: "one hundred one", 999: "nine hundred ninety nine",
                 1000: "one thousand", 1042: "one thousand forty two",
                 2000000: "two million", 1234567: "one million two hundred thirty four "
                 "thousand five hundred sixty seven", -5: "minus five"}
        for n, words in cases.items():
            self.assertEqual(text.number_to_words(n), words, n)

    def test_ordinals(self):
        cases = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 8: "eighth",
                 9: "ninth", 12: "twelfth", 20: "twentieth", 21: "twenty first",
                 100: "one hundredth"}
        for n, words in cases.items():
            self.assertEqual(text.ordinal_to_words(n), words, n)

    def test_digits(self):
        self.assertEqual(text.digits_to_words("0471"), "zero four seven one")


class NormalizeTest(unittest.TestCase):
    def check(self, raw, expected):
        self.assertEqual(text.normalize(raw), expected)
        self.assertTrue(text.is_normalized(expected))

    def test_case_and_punctuation(self):
        self.check("Hello, World!  How ARE you?", "hello world how are you")

    def test_apostrophes(self):
        self.check("Don\u2019t stop; it's O'Neil's 'quoted' text",
                   "don't stop it's o'neil's quoted text")
        self.check("rock 'n' roll", "rock n roll")

    def test_numbers(self):
        self.check("I have 42 cats", "i have forty two cats")
        self.check("in 1,000 years", "in one thousand years")
        self.check("the 21st century", "the twenty first century")
        self.check("pi is 3.14", "pi is three point one four")
        self.check("call 0471 now", "call zero four seven one now")
        self.check("12345678901", "one two three four five six seven eight nine zero one")
        self.check("-3 degrees", "minus three degrees")
        self.check("50% & more", "fifty percent and more")
        self.check("room42b", "room forty two b")

    def test_accents_and_symbols(self):
        self.check("Caf\u00e9 na\u00efve \u2014 r\u00e9sum\u00e9", "cafe naive resume")
        self.check("  \t\n", "")
        self.check("a-b_c/d", "a b c d")

    def test_alphabet(self):
        out = text.normalize("Mixed: \u00c5ngstr\u00f6m, 3rd place, 99 bottles \u00e6 \u00df!")
        self.assertTrue(set(out) <= set(text.ALPHABET), out)
        self.assertNotIn("  ", out)


if __name__ == "__main__":
    unittest.main()
