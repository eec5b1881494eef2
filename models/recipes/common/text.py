"""Transcript normalisation shared by every auris recipe.

Output alphabet: lowercase a-z, apostrophe and single spaces (no leading/trailing space).
Numbers are spelled out in English words:

* integers ("42" -> "forty two", "1,000" -> "one thousand", "-3" -> "minus three");
* ordinals ("21st" -> "twenty first");
* decimals ("3.14" -> "three point one four");
* digit strings (leading zero, or longer than 9 digits, e.g. phone numbers "0471")
  are read digit by digit ("0471" -> "zero four seven one");
* "%" -> "percent", "&" -> "and", "+" -> "plus", "@" -> "at".

Accents are stripped (NFKD), typographic apostrophes become "'", apostrophes that are not
between two letters are dropped, and every other character becomes a word break.
"""

from __future__ import annotations

import re
import unicodedata

ALPHABET = "abcdefghijklmnopqrstuvwxyz' "

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
         "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
         "ninety"]
_SCALES = [(10 ** 12, "trillion"), (10 ** 9, "billion"), (10 ** 6, "million"),
           (1000, "thousand")]
_ORDINAL_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                      "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}

# Longest digit run that is read as a cardinal number; longer runs are read digit by digit.
MAX_CARDINAL_DIGITS = 9


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    if n >= 100:
        words += [_ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10])
        if n % 10:
            words.append(_ONES[n % 10])
    elif n > 0:
        words.append(_ONES[n])
    return words


def number_to_words(n: int) -> str:
    """Cardinal number in English words, e.g. 1042 -> 'one thousand forty two'."""
    if n < 0:
        return "minus " + number_to_words(-n)
    if n == 0:
        return "zero"
    if n >= 10 ** 15:
        return digits_to_words(str(n))
    words: list[str] = []
    for value, name in _SCALES:
        if n >= value:
            words += _below_thousand(n // value) + [name]
            n %= value
    words += _below_thousand(n)
    return " ".join(words)


def ordinal_to_words(n: int) -> str:
    """Ordinal number in English words, e.g. 21 -> 'twenty first'."""
    words = number_to_words(n).split(" ")
    last = words[-1]
    if last in _ORDINAL_IRREGULAR:
        last = _ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last = last + "th"
    words[-1] = last
    return " ".join(words)


def digits_to_words(s: str) -> str:
    """Digit string read digit by digit: '0471' -> 'zero four seven one'."""
    return " ".join(_ONES[int(c)] for c in s if c.isdigit())


_NUMBER_RE = re.compile(
    r"(?P<neg>(?<![\w.])-)?"
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)"
    r"(?:(?P<dec>\.\d+)|(?P<ord>st|nd|rd|th)\b)?")


def _number_repl(m: re.Match) -> str:
    raw_int = m.group("int")
    digits = raw_int.replace(",", "")
    if m.group("ord"):
        out = ordinal_to_words(int(digits))
    elif "," not in raw_int and (len(digits) > MAX_CARDINAL_DIGITS or
                                 (len(digits) > 1 and digits[0] == "0")):
        out = digits_to_words(digits)
    else:
        out = number_to_words(int(digits))
    if m.group("dec"):
        out += " point " + digits_to_words(m.group("dec")[1:])
    if m.group("neg"):
        out = "minus " + out
    return " " + out + " "


_SYMBOLS = {"%": " percent ", "&": " and ", "+": " plus ", "@": " at "}
_APOSTROPHES = "\u2019\u2018\u02bc\u0060\u00b4"


def normalize(text: str) -> str:
    """Normalise a transcript to lowercase a-z, apostrophe and single spaces."""
    text = unicodedata.normalize("NFKC", text)
    for a in _APOSTROPHES:
        text = text.replace(a, "'")
    text = _NUMBER_RE.sub(_number_repl, text)
    for sym, word in _SYMBOLS.items():
        text = text.replace(sym, word)
    # Strip accents: decompose and drop combining marks.
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    text = text.lower()
    text = re.sub(r"[^a-z']+", " ", text)
    # Keep apostrophes only between two letters (don't, o'clock); drop quotes.
    text = re.sub(r"(?<![a-z])'+|'+(?![a-z])", " ", text)
    return re.sub(r" +", " ", text).strip()


def is_normalized(text: str) -> bool:
    return normalize(text) == text
