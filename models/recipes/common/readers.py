"""Corpus readers: ../shared/data (FSDD, EmoDB, RAVDESS, noise) and user corpora (a TSV
of path + text, the LibriSpeech folder layout, and synth.py manifests).

Every reader returns a list of `Utterance` with absolute audio paths, transcripts
normalised by text.normalize (empty when a corpus has no English transcript), the
speaker (the unit for held-out splits) and corpus-specific labels in `extra`.
"""

from __future__ import annotations

import csv
import glob
import os
from dataclasses import dataclass, field

from . import text as textnorm

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def shared_data_root() -> str:
    """$AURIS_SHARED_DATA, else ../shared/data relative to the repository root."""
    return os.environ.get("AURIS_SHARED_DATA",
                          os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "data")))


# Real speakers every recipe holds out (never trained on; all held-out figures use them).
# Both sexes: EmoDB 03 (m) and 08 (f); RAVDESS actors 01, 03 (m) and 02, 04 (f) (odd actor
# numbers are male); FSDD speaker theo. Asterisk prompts are one speaker (Allison): train.
HELDOUT_REAL_SPEAKERS = frozenset({"emodb-03", "emodb-08", "ravdess-01", "ravdess-02",
                                   "ravdess-03", "ravdess-04", "fsdd-theo"})


def is_heldout_speaker(speaker: str) -> bool:
    """True for the real speakers that are held out of all training (see above)."""
    return speaker in HELDOUT_REAL_SPEAKERS


@dataclass
class Utterance:
    path: str
    text: str = ""
    speaker: str = ""
    extra: dict = field(default_factory=dict)


def _read_tsv_rows(path: str) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_fsdd(root: str | None = None) -> list[Utterance]:
    """Free Spoken Digit Dataset (8 kHz): text is the digit in words, e.g. 'seven'."""
    root = root or shared_data_root()
    return [Utterance(os.path.join(root, r["path"]), textnorm.number_to_words(int(r["digit"])),
                      "fsdd-" + r["speaker"], {"digit": int(r["digit"]), "take": int(r["take"])})
            for r in _read_tsv_rows(os.path.join(root, "speech", "fsdd.tsv"))]


def read_emodb(root: str | None = None) -> list[Utterance]:
    """EmoDB (German; no English transcript): extra has emotion, text_id, version."""
    root = root or shared_data_root()
    return [Utterance(os.path.join(root, r["path"]), "", "emodb-" + r["speaker"],
                      {"emotion": r["emotion"], "text_id": r["text_id"],
                       "version": r["version"]})
            for r in _read_tsv_rows(os.path.join(root, "emotion", "emodb.tsv"))]


def read_ravdess(root: str | None = None) -> list[Utterance]:
    """RAVDESS speech (actors 01-18; CC-BY-NC-SA: models inherit non-commercial terms)."""
    root = root or shared_data_root()
    return [Utterance(os.path.join(root, r["path"]), textnorm.normalize(r["statement"]),
                      "ravdess-" + r["actor"],
                      {"emotion": r["emotion"], "intensity": r["intensity"]})
            for r in _read_tsv_rows(os.path.join(root, "emotion", "ravdess.tsv"))]


def read_noise(root: str | None = None) -> list[Utterance]:
    """Real background noise clips (no text); extra has name and licence."""
    root = root or shared_data_root()
    return [Utterance(os.path.join(root, r["path"]), "", "",
                      {"name": r["name"], "licence": r["licence"]})
            for r in _read_tsv_rows(os.path.join(root, "noise", "noise.tsv"))]


def read_tsv(path: str) -> list[Utterance]:
    """A user TSV of audio path + transcript. With a header row naming `path` and `text`
    (other columns, e.g. `speaker`/`speaker_id`, are kept in extra) or without a header
    (two columns: path, text). Relative paths are relative to the TSV's folder. Also
    reads the manifest.tsv written by synth.py."""
    base = os.path.dirname(os.path.abspath(path))
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows:
        return []
    if "path" in rows[0] and "text" in rows[0]:
        header, rows = rows[0], rows[1:]
    else:
        header = ["path", "text"] + [f"col{i}" for i in range(2, max(map(len, rows)))]
    out = []
    for n, row in enumerate(rows, start=2 if header[0] == "path" else 1):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2:
            raise ValueError(f"{path}:{n}: expected path<TAB>text")
        rec = dict(zip(header, row))
        audio = rec.pop("path")
        speaker = rec.pop("speaker_id", None) or rec.pop("speaker", "")
        out.append(Utterance(os.path.normpath(os.path.join(base, audio)),
                             textnorm.normalize(rec.pop("text")), speaker, rec))
    return out


def read_librispeech(root: str) -> list[Utterance]:
    """LibriSpeech layout: root/SPEAKER/CHAPTER/SPEAKER-CHAPTER.trans.txt with lines
    'SPEAKER-CHAPTER-UTT TRANSCRIPT' and audio SPEAKER-CHAPTER-UTT.flac (or .wav)."""
    out = []
    for trans in sorted(glob.glob(os.path.join(root, "*", "*", "*.trans.txt"))):
        folder = os.path.dirname(trans)
        with open(trans, encoding="utf-8") as fh:
            for line in fh:
                parts = line.strip().split(" ", 1)
                if not parts[0]:
                    continue
                uid = parts[0]
                audio = os.path.join(folder, uid + ".flac")
                if not os.path.exists(audio) and os.path.exists(audio[:-5] + ".wav"):
                    audio = audio[:-5] + ".wav"
                out.append(Utterance(audio, textnorm.normalize(parts[1] if len(parts) > 1
                                                               else ""),
                                     uid.split("-")[0], {"id": uid}))
    return out


# --------------------------------------------------------------------------- Debian speech
ASTERISK_SOUNDS_DIR = "/usr/share/asterisk/sounds/en"
ASTERISK_TEXTS = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz"
POCKETSPHINX_TESTDATA_DIR = "/usr/share/pocketsphinx/test/data"

# Keypad symbols the Asterisk voice reads aloud ("press * to ...", "followed by #").
_ASTERISK_SYMBOLS = {"*": " star ", "#": " pound "}


def _asterisk_text(raw: str) -> str:
    """Spoken words of a core-sounds-en.txt entry: bracketed descriptions ("[beep]",
    "<beep ascending>", "at [@]") are not spoken and are removed; * and # are read as
    "star" and "pound"; the rest goes through text.normalize."""
    import re
    raw = re.sub(r"\[[^\]]*\]|<[^>]*>", " ", raw)
    for sym, word in _ASTERISK_SYMBOLS.items():
        raw = raw.replace(sym, word)
    return textnorm.normalize(raw)


def read_asterisk(sounds_dir: str = ASTERISK_SOUNDS_DIR,
                  texts_path: str = ASTERISK_TEXTS) -> list[Utterance]:
    """Debian asterisk-core-sounds-en-wav prompts (8 kHz, one female voice, "Allison")
    with their texts from asterisk-core-sounds-en (lines "name: text", name relative to
    the sounds folder without .wav, e.g. "digits/7: seven"). Prompts without a text, or
    whose text is only a bracketed description such as "[this is a simple beep tone]",
    are skipped; so are texts without audio. Speaker "asterisk-allison"; extra["name"].
    Empty list when either package is missing."""
    import gzip
    if not os.path.isdir(sounds_dir) or not os.path.exists(texts_path):
        return []
    texts = {}
    with gzip.open(texts_path, "rt", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith(";") or ":" not in line:
                continue
            name, raw = line.split(":", 1)
            texts[name.strip()] = raw.strip()
    out = []
    for path in sorted(glob.glob(os.path.join(sounds_dir, "**", "*.wav"), recursive=True)):
        name = os.path.relpath(path, sounds_dir)[:-4].replace(os.sep, "/")
        t = _asterisk_text(texts.get(name, ""))
        if t:
            out.append(Utterance(os.path.abspath(path), t, "asterisk-allison",
                                 {"name": name}))
    return out


def _sphinx_transcriptions(path: str) -> dict:
    """A Sphinx transcription file: lines "<s> words </s> (utterance-id)" -> {id: text}."""
    import re
    out = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            m = re.match(r"^(.*)\(([^()]+)\)\s*$", line.strip())
            if not m:
                continue
            words = [w for w in m.group(1).split() if w not in ("<s>", "</s>", "<sil>")]
            out[m.group(2).strip()] = textnorm.normalize(" ".join(words))
    return out


def read_pocketsphinx_testdata(root: str = POCKETSPHINX_TESTDATA_DIR) -> list[Utterance]:
    """Debian pocketsphinx-testdata: every folder under `root` with a transcription file
    ("transcription" or "*.transcription", Sphinx format "<s> text </s> (id)") and audio
    <id>.wav (16 kHz) listed in its fileids (or every id of the transcription). As
    installed: librivox (5 LibriVox sentences, one male reader) and cards (5 utterances).
    tidigits has transcripts but only MFCC features, no audio, so it is skipped.
    Speaker "pocketsphinx-<folder>"; extra["id"], extra["set"]. Empty list when absent."""
    out = []
    if not os.path.isdir(root):
        return out
    for folder in sorted(d for d in glob.glob(os.path.join(root, "*")) if os.path.isdir(d)):
        name = os.path.basename(folder)
        trans = sorted(glob.glob(os.path.join(folder, "transcription")) +
                       glob.glob(os.path.join(folder, "*.transcription")))
        if not trans:
            continue
        texts = {}
        for t in trans:
            texts.update(_sphinx_transcriptions(t))
        ids = list(texts)
        fileids = sorted(glob.glob(os.path.join(folder, "fileids")) +
                         glob.glob(os.path.join(folder, "*.fileids")))
        if fileids:
            ids = []
            for f in fileids:
                with open(f, encoding="utf-8") as fh:
                    ids += [x.strip() for x in fh if x.strip()]
        for uid in ids:
            audio = os.path.join(folder, uid + ".wav")
            if uid in texts and texts[uid] and os.path.exists(audio):
                out.append(Utterance(os.path.abspath(audio), texts[uid],
                                     "pocketsphinx-" + name, {"id": uid, "set": name}))
    return out
