"""Deterministic synthetic English speech for training and evaluation.

    /usr/bin/python3 -m models.recipes.common.synth --out DIR --hours H --seed S

Engines (each used only if installed): espeak-ng (every non-MBROLA English accent x every
voice variant, random rate and pitch), flite (kal, kal16, awb, rms, slt) and festival
(kal_diphone, cmu_us_slt_arctic_hts; ked_diphone on request, see OPT_IN_SPEAKERS). Text:
fortunes, WordNet example sentences, CMUdict words (each only if installed), plus generated
number and digit strings; all normalised by text.normalize (lowercase a-z, apostrophe,
space), and the normalised text is what is spoken. Output: DIR/wav/NNN/uttNNNNNNN.wav
(16 kHz mono 16-bit, resampled with sox), DIR/manifest.tsv and DIR/synth_info.json.

Split (by underlying speaker, plus a disjoint sentence set):
* held-out speakers: slt (flite slt and festival us_slt_hts are the same person), rms, and
  the espeak-ng accents in HELDOUT_ESPEAK_ACCENTS with all their variants -> split
  "test_speaker", speaking only held-out sentences;
* held-out sentences (HELDOUT_TEXT_FRACTION of the text pool, chosen by a hash of the
  normalised text, so independent of the seed) -> split "test_text" when spoken by a
  training speaker;
* everything else -> "train". kal, kal16 and festival kal_diphone are one speaker ("kal").

Synthesis is deterministic given (seed, installed engines and text sources): the job list
comes from a seeded RNG and every engine call is deterministic.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from . import text as textnorm

HELDOUT_ESPEAK_ACCENTS = ("en-gb-scotland", "en-029")
HELDOUT_SPEAKERS = {"slt", "rms"} | {f"espeak-{a}" for a in HELDOUT_ESPEAK_ACCENTS}
HELDOUT_TEXT_FRACTION = 0.1
P_TEST_SPEAKER = 0.10   # share of utterances from held-out speakers
P_TEST_TEXT = 0.05      # share of utterances of held-out sentences by training speakers
SAMPLE_RATE = 16000
MANIFEST_COLUMNS = ("path", "text", "engine", "voice", "speaker_id", "split",
                    "duration_s", "source")

FORTUNE_DIR = "/usr/share/games/fortunes"
WORDNET_DIR = "/usr/share/wordnet"
CMUDICT_PATHS = ("/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict",
                 "/usr/share/pocketsphinx/model/en-us/en-us/cmudict-en-us.dict")
LICENSE_DIR = "/usr/share/common-licenses"  # fallback prose when no text package exists
# Debian installs festival voices by language or by accent: festvox-kallpc16k under english/,
# festvox-us-slt-hts under us/.
FESTIVAL_VOICE_DIRS = ("/usr/share/festival/voices/english", "/usr/share/festival/voices/us")


def festival_voice_installed(name: str) -> bool:
    return any(os.path.isdir(os.path.join(d, name)) for d in FESTIVAL_VOICE_DIRS)


# --------------------------------------------------------------------------- voices
@dataclass(frozen=True)
class Voice:
    engine: str        # espeak-ng | flite | festival
    name: str          # engine voice spec, e.g. "en-gb+f3", "slt", "kal_diphone"
    speaker_id: str    # underlying speaker, the unit of the held-out split

    @property
    def heldout(self) -> bool:
        return self.speaker_id in HELDOUT_SPEAKERS


def _run(cmd, **kw) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def espeak_voices() -> list[Voice]:
    """Every English espeak-ng accent (MBROLA voices excluded unless their data exist)
    crossed with no variant and every installed variant."""
    if not shutil.which("espeak-ng"):
        return []
    accents = []
    for line in _run(["espeak-ng", "--voices=en"]).splitlines()[1:]:
        cols = line.split()
        if len(cols) < 5:
            continue
        lang, file = cols[1], cols[4]
        if file.startswith("!v/") or lang == "variant":
            continue
        if file.startswith("mb/"):
            mb = file[3:].split("-")[0]
            if not os.path.exists(f"/usr/share/mbrola/{mb}"):
                continue
            lang = cols[3]  # MBROLA voices are addressed by name
        if lang not in accents:
            accents.append(lang)
    variants = [""]
    for line in _run(["espeak-ng", "--voices=variant"]).splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 5 and cols[4].startswith("!v/"):
            variants.append(cols[4][3:])
    return [Voice("espeak-ng", a + (f"+{v}" if v else ""), f"espeak-{a}")
            for a in sorted(accents) for v in variants]


FLITE_SPEAKERS = {"kal": "kal", "kal16": "kal", "awb": "awb", "rms": "rms", "slt": "slt"}
FESTIVAL_SPEAKERS = {"kal_diphone": "kal", "cmu_us_slt_arctic_hts": "slt",
                     "ked_diphone": "ked"}
# Speakers added after asr v0.4's data (festvox-kdlpc16k, 2026-12-07). They are used only
# when --families names them: the job list depends on the set of voices, so a default that
# picked them up would change what an earlier seed (and its test sets) synthesises.
OPT_IN_SPEAKERS = frozenset({"ked"})


def flite_voices() -> list[Voice]:
    if not shutil.which("flite"):
        return []
    try:
        listed = _run(["flite", "-lv"])
    except (subprocess.CalledProcessError, OSError):
        return []
    names = set(listed.replace("Voices available:", "").split())
    return [Voice("flite", v, s) for v, s in FLITE_SPEAKERS.items() if v in names]


def festival_voices() -> list[Voice]:
    if not shutil.which("text2wave"):
        return []
    return [Voice("festival", v, s) for v, s in FESTIVAL_SPEAKERS.items()
            if festival_voice_installed(v)]


def all_voices() -> list[Voice]:
    return espeak_voices() + flite_voices() + festival_voices()


def select_voices(voices: list[Voice], families=None) -> list[Voice]:
    """The voices a run uses. families None: every voice except OPT_IN_SPEAKERS (the set
    every earlier run used). Otherwise exactly the voices of the named underlying speakers
    (e.g. "kal,awb,ked"); a name with no installed voice is an error."""
    if families is None:
        return [v for v in voices if v.speaker_id not in OPT_IN_SPEAKERS]
    wanted = set(families)
    have = {v.speaker_id for v in voices}
    if not wanted or wanted - have:
        raise ValueError(f"--families: no installed voice for {sorted(wanted - have)}; "
                         f"installed speakers are {sorted(have)}")
    return [v for v in voices if v.speaker_id in wanted]


# --------------------------------------------------------------------------- text
def _keep(t: str, lo: int = 3, hi: int = 25) -> bool:
    return lo <= len(t.split()) <= hi


def fortune_sentences() -> list[str]:
    out = []
    for path in sorted(glob.glob(os.path.join(FORTUNE_DIR, "*"))):
        if path.endswith((".dat", ".u8")) or os.path.isdir(path):
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                chunks = fh.read().split("\n%\n")
        except OSError:
            continue
        for c in chunks:
            c = re.sub(r"\s*--\s.*$", "", c, flags=re.S)  # drop attributions
            for sent in re.split(r"(?<=[.!?])\s+", c):
                t = textnorm.normalize(sent)
                if _keep(t):
                    out.append(t)
    return out


def wordnet_sentences() -> list[str]:
    out = []
    for path in sorted(glob.glob(os.path.join(WORDNET_DIR, "data.*"))):
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(" ") or "|" not in line:
                    continue
                for ex in re.findall(r'"([^"]+)"', line.split("|", 1)[1]):
                    t = textnorm.normalize(ex)
                    if _keep(t):
                        out.append(t)
    return out


def license_sentences() -> list[str]:
    out = []
    for path in sorted(glob.glob(os.path.join(LICENSE_DIR, "*"))):
        if os.path.islink(path) or os.path.isdir(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as fh:
            body = re.sub(r"\s+", " ", fh.read())
        for sent in re.split(r"(?<=[.!?;])\s+", body):
            if re.search(r"https?:|www\.|\.(org|com)\b|[<>@]|\d", sent):
                continue  # URLs, addresses and section numbers read badly
            t = textnorm.normalize(sent)
            if _keep(t, 4, 20):
                out.append(t)
    return out


def cmudict_words() -> list[str]:
    for path in CMUDICT_PATHS:
        if os.path.exists(path):
            words = set()
            with open(path, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    w = re.sub(r"\(\d+\)$", "", line.split(" ", 1)[0])
                    w = textnorm.normalize(w)
                    if w and " " not in w:
                        words.add(w)
            return sorted(words)
    return []


def number_text(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        raw = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 10)))
        return textnorm.digits_to_words(raw)
    if kind == 1:
        return textnorm.number_to_words(rng.randint(0, 100))
    if kind == 2:
        return textnorm.number_to_words(rng.randint(100, 10 ** rng.randint(3, 7)))
    if kind == 3:
        return textnorm.ordinal_to_words(rng.randint(1, 100))
    return textnorm.normalize(f"in {rng.randint(1900, 2030)}")


def is_heldout_text(t: str) -> bool:
    h = int(hashlib.sha1(t.encode()).hexdigest()[:8], 16)
    return h / 0xFFFFFFFF < HELDOUT_TEXT_FRACTION


class TextPool:
    """Sentences (fortunes, WordNet; license prose if neither exists), CMUdict words and
    generated numbers; each split into train / held-out by a hash of the text."""

    def __init__(self):
        self.sources = {}
        sents = fortune_sentences()
        if sents:
            self.sources["fortunes"] = sents
        sents = wordnet_sentences()
        if sents:
            self.sources["wordnet"] = sents
        if not self.sources:
            self.sources["licenses"] = license_sentences()
        self.words = cmudict_words()
        self.split = {}
        for name, sents in self.sources.items():
            uniq = sorted(set(sents))
            self.split[name] = ([s for s in uniq if not is_heldout_text(s)],
                                [s for s in uniq if is_heldout_text(s)])
        self.word_split = ([w for w in self.words if not is_heldout_text(w)],
                           [w for w in self.words if is_heldout_text(w)])

    def sample(self, rng: random.Random, heldout: bool) -> tuple[str, str]:
        k = 1 if heldout else 0
        r = rng.random()
        if r < 0.2:  # numbers and digit strings; rejection-sample the wanted half
            for _ in range(1000):
                t = number_text(rng)
                if is_heldout_text(t) == heldout:
                    return t, "numbers"
        if r < 0.35 and self.word_split[k]:
            n = rng.randint(1, 4)
            return " ".join(rng.choice(self.word_split[k]) for _ in range(n)), "cmudict"
        names = [n for n in sorted(self.split) if self.split[n][k]]
        name = rng.choice(names)
        return rng.choice(self.split[name][k]), name


# --------------------------------------------------------------------------- jobs
@dataclass(frozen=True)
class Job:
    index: int
    voice: Voice
    text: str
    source: str
    split: str
    rate: float   # speaking-rate factor (1 = engine default)
    pitch: int    # espeak-ng pitch 0-99 (other engines: unused)

    @property
    def relpath(self) -> str:
        return f"wav/{self.index // 1000:03d}/utt{self.index:07d}.wav"


def plan_jobs(voices: list[Voice], pool: TextPool, seed: int, start: int, count: int):
    """Jobs start..start+count-1; job i depends only on (seed, i, voices, pool)."""
    families_train = sorted({v.speaker_id for v in voices if not v.heldout})
    families_test = sorted({v.speaker_id for v in voices if v.heldout})
    by_family = {}
    for v in voices:
        by_family.setdefault(v.speaker_id, []).append(v)
    jobs = []
    for i in range(start, start + count):
        rng = random.Random(f"{seed}:{i}")
        r = rng.random()
        if r < P_TEST_SPEAKER and families_test:
            split, family = "test_speaker", rng.choice(families_test)
        else:
            split = "test_text" if r < P_TEST_SPEAKER + P_TEST_TEXT else "train"
            family = rng.choice(families_train)
        voice = rng.choice(by_family[family])
        t, source = pool.sample(rng, heldout=(split != "train"))
        jobs.append(Job(i, voice, t, source, split, round(rng.uniform(0.8, 1.25), 3),
                        rng.randint(25, 75)))
    return jobs


def synth_one(args) -> float:
    """Synthesise one job into out_dir; returns the duration in seconds. A job whose file
    exists is not redone (the file is only ever written by a rename, so it is complete, and
    job i depends only on (seed, i)): a stopped or longer run resumes where it was."""
    import soundfile
    job, out_dir = args
    path = os.path.join(out_dir, job.relpath)
    if os.path.exists(path):
        return soundfile.info(path).frames / SAMPLE_RATE
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".wav", dir=os.path.dirname(path))
    os.close(fd)
    out = tmp[:-4] + ".out.wav"
    try:
        v = job.voice
        if v.engine == "espeak-ng":
            cmd = ["espeak-ng", "-v", v.name, "-s", str(int(round(175 * job.rate))),
                   "-p", str(job.pitch), "-w", tmp, job.text]
        elif v.engine == "flite":
            cmd = ["flite", "-voice", v.name, "--setf",
                   f"duration_stretch={1 / job.rate:.3f}", "-t", job.text, "-o", tmp]
        else:
            # HTS voices ignore Duration_Stretch; hts_engine takes a speed rate ("-r").
            scm = (f"(set! hts_engine_params (append hts_engine_params "
                   f"(list (list \"-r\" {job.rate:.3f}))))" if v.name.endswith("_hts") else
                   f"(Parameter.set 'Duration_Stretch {1 / job.rate:.3f})")
            cmd = ["text2wave", "-eval", f"(voice_{v.name})", "-eval", scm, "-o", tmp]
        subprocess.run(cmd, check=True, capture_output=True,
                       input=job.text if v.engine == "festival" else None, text=True)
        # -R -D: repeatable, no dither, so the output depends only on the seed.
        subprocess.run(["sox", "-R", "-D", tmp, "-r", str(SAMPLE_RATE), "-c", "1",
                        "-b", "16", out], check=True, capture_output=True)
        os.replace(out, path)
    finally:
        for f in (tmp, out):
            if os.path.exists(f):
                os.remove(f)
    return soundfile.info(path).frames / SAMPLE_RATE


def synthesize(out_dir: str, hours: float | None = None, seed: int = 0,
               utterances: int | None = None, workers: int = 2,
               log=sys.stderr, families=None) -> dict:
    """Synthesise until `hours` of audio (or exactly `utterances` utterances), with the
    voices of select_voices(families)."""
    if (hours is None) == (utterances is None):
        raise ValueError("give exactly one of hours / utterances")
    if not shutil.which("sox"):
        raise RuntimeError("sox is required (Debian package sox)")
    voices = select_voices(all_voices(), families)
    if not voices:
        raise RuntimeError("no speech synthesiser installed (espeak-ng, flite, festival)")
    pool = TextPool()
    os.makedirs(out_dir, exist_ok=True)
    target = hours * 3600 if hours is not None else None
    t0 = time.time()
    rows, total, start, batch = [], 0.0, 0, max(8, 16 * workers)
    with multiprocessing.Pool(workers) as mp:
        while True:
            n = batch if utterances is None else min(batch, utterances - start)
            if n <= 0:
                break
            jobs = plan_jobs(voices, pool, seed, start, n)
            durs = mp.map(synth_one, [(j, out_dir) for j in jobs])
            done = False
            for j, d in zip(jobs, durs):
                if done:  # beyond the target: remove, so output depends only on the seed
                    os.remove(os.path.join(out_dir, j.relpath))
                    continue
                rows.append((j, d))
                total += d
                if target is not None and total >= target:
                    done = True
            start += n
            el = time.time() - t0
            if target is not None:
                eta = el / max(total, 1e-9) * max(target - total, 0)
                print(f"synth: {len(rows)} utts, {total / 3600:.3f}/{hours} h, "
                      f"{el:.0f}s elapsed, ETA {eta:.0f}s", file=log, flush=True)
            if done:
                break
    wall = time.time() - t0
    with open(os.path.join(out_dir, "manifest.tsv"), "w", encoding="utf-8") as fh:
        fh.write("\t".join(MANIFEST_COLUMNS) + "\n")
        for j, d in rows:
            voice = j.voice.name if j.voice.engine != "espeak-ng" else \
                f"{j.voice.name} s{int(round(175 * j.rate))} p{j.pitch}"
            fh.write("\t".join([j.relpath, j.text, j.voice.engine, voice,
                                j.voice.speaker_id, j.split, f"{d:.3f}", j.source]) + "\n")
    per_family, per_split = {}, {}
    for j, d in rows:
        per_family[j.voice.speaker_id] = per_family.get(j.voice.speaker_id, 0) + d / 3600
        per_split[j.split] = per_split.get(j.split, 0) + d / 3600
    info = {
        "seed": seed, "utterances": len(rows), "audio_hours": total / 3600,
        "wall_seconds": wall, "audio_hours_per_wall_minute": total / 3600 / (wall / 60),
        "workers": workers, "hours_per_speaker": per_family, "hours_per_split": per_split,
        "engines": sorted({v.engine for v in voices}), "num_voices": len(voices),
        "families": sorted({v.speaker_id for v in voices}),
        "heldout_speakers": sorted(HELDOUT_SPEAKERS),
        "text_sources": sorted(pool.sources) + (["cmudict"] if pool.words else [])
        + ["numbers"],
        "missing": missing_resources(),
    }
    with open(os.path.join(out_dir, "synth_info.json"), "w") as fh:
        json.dump(info, fh, indent=1, sort_keys=True)
    return info


def missing_resources() -> list[str]:
    """Debian packages this module could use but that are not installed."""
    checks = [("flite", shutil.which("flite")), ("festival", shutil.which("text2wave")),
              ("festvox-kallpc16k", festival_voice_installed("kal_diphone")),
              ("festvox-us-slt-hts", festival_voice_installed("cmu_us_slt_arctic_hts")),
              ("festvox-kdlpc16k", festival_voice_installed("ked_diphone")),
              ("fortunes", os.path.isdir(FORTUNE_DIR)),
              ("wordnet-base", os.path.isdir(WORDNET_DIR)),
              ("pocketsphinx-en-us", any(os.path.exists(p) for p in CMUDICT_PATHS)),
              ("espeak-ng", shutil.which("espeak-ng"))]
    return [name for name, ok in checks if not ok]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output folder")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--hours", type=float, help="hours of audio to synthesise")
    g.add_argument("--utterances", type=int, help="number of utterances instead")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--families", help="comma-separated underlying speakers to use only "
                    "(e.g. kal,awb,ked); default: all installed except "
                    f"{','.join(sorted(OPT_IN_SPEAKERS))}")
    a = ap.parse_args(argv)
    families = a.families.split(",") if a.families else None
    info = synthesize(a.out, a.hours, a.seed, a.utterances, a.workers, families=families)
    print(json.dumps(info, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
