"""The auris speech-recognition recipe (issue #7): CNN + LSTM + CTC over characters.

    P=/usr/bin/python3; R="-m models.recipes.asr.recipe"
    $P $R prepare --workers 2      # lists + log-mel cache (+ K augmented copies), CMVN
    $P $R lm                       # word 3-gram ARPA (modified Kneser-Ney), training text only
    $P $R train --threads 2        # resumable: rerun with --resume; --max-minutes to stop
    $P $R export                   # best checkpoint -> models/asr/asr.safetensors (+ golden)
    $P $R tune                     # lm_weight / word bonus on validation; then export again
    $P $R eval --engine torch      # WER/CER per test set (PyTorch stop-gap; cpp = the engine)

Run from the repository root. Features, lists and the LM live in models/recipes/asr/cache/
and checkpoints in models/recipes/asr/checkpoints/ (both git-ignored). See docs/recipes.md
("ASR recipe") and models/asr/MODEL_CARD.md.

This module is the command line only; the steps live next to it: config.py (paths, set
names), model.py (layer list, vocabulary, budget), data.py (prepare, feature cache),
lm.py, train.py, decode.py (network run, greedy / beam / LM decoding), evaluate.py (eval,
tune, stream check), export.py (model file, golden parity files).
"""

from __future__ import annotations

import argparse
import os

from ..common import augment
from .config import DEFAULT_CACHE, DEFAULT_CKPT, DEFAULT_GOLDEN, DEFAULT_MODEL, \
    DEFAULT_SYNTH, REPO_ROOT
from .data import cmd_prepare
from .evaluate import cmd_calibrate, cmd_eval, cmd_tune
from .export import cmd_export
from .lm import cmd_lm
from .train import cmd_train


def _range(text: str, example: str, positive: bool = False) -> tuple[float, float]:
    """'LOW,HIGH' -> (low, high); argparse error otherwise."""
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected LOW,HIGH, e.g. {example}")
    if low > high:
        raise argparse.ArgumentTypeError(f"{text!r}: LOW must not exceed HIGH")
    if positive and low <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: both must be > 0")
    return low, high


def _db_range(text: str) -> tuple[float, float]:
    """'LOW,HIGH' in dB -> (low, high); argparse error otherwise."""
    return _range(text, "-30,10")


def _alpha_range(text: str) -> tuple[float, float]:
    """'LOW,HIGH' frequency-scale factors (> 0) -> (low, high); argparse error otherwise."""
    return _range(text, "0.8,1.25", positive=True)


def _probability(text: str) -> float:
    """A share in 0..1; argparse error otherwise."""
    try:
        p = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number in 0..1")
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed 0..1")
    return p


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p):
        p.add_argument("--cache", default=DEFAULT_CACHE, help="feature/list/LM cache folder")
        p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("prepare", help="data lists + cached log-mel features + CMVN")
    common(p)
    p.add_argument("--synth", default=DEFAULT_SYNTH,
                   help="synth.py output folder(s) with manifest.tsv, comma-separated: the "
                   "first gives every split, further ones add training speech only ('' for "
                   "none)")
    p.add_argument("--copies", type=int, default=2, help="augmented copies per training utt")
    p.add_argument("--edges", type=float, default=0.0,
                   help="share of augmented copies trimmed and given 0-0.5 s of silence "
                        "before and 0-0.3 s after (speech at the very start of a file)")
    p.add_argument("--gain-db", type=_db_range, default=None,
                   help="LOW,HIGH: range of the copies' level change in dB (default "
                        f"{augment.DEFAULT_CONFIG['gain']['db']}); e.g. --gain-db=-30,10 for "
                        "microphones quieter or louder than the synthetic voices")
    p.add_argument("--gain-p", type=_probability, default=None,
                   help="share of copies whose level changes (default "
                        f"{augment.DEFAULT_CONFIG['gain']['p']})")
    p.add_argument("--vtlp-alpha", type=_alpha_range, default=None,
                   help="LOW,HIGH: range of the copies' VTLP frequency scale (default "
                        f"{augment.DEFAULT_CONFIG['vtlp']['alpha']}); e.g. 0.8,1.25 for voices "
                        "further from the training voices (pseudo-speakers)")
    p.add_argument("--vtlp-p", type=_probability, default=None,
                   help="share of copies that get VTLP (default "
                        f"{augment.DEFAULT_CONFIG['vtlp']['p']})")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--num-valid", type=int, default=300)
    p.add_argument("--babble-voices", type=int, default=200)
    p.add_argument("--no-fsdd", action="store_true")
    p.add_argument("--no-asterisk", action="store_true")
    p.add_argument("--no-pocketsphinx", action="store_true")
    p.add_argument("--force", action="store_true", help="recompute cached sets")

    p = sub.add_parser("lm", help="word n-gram ARPA LM from the training text")
    common(p)
    p.add_argument("--order", type=int, default=3)
    p.add_argument("--max-mb", type=float, default=5.0)
    p.add_argument("--numbers", type=int, default=20000,
                   help="generated (non-held-out) number strings to add")
    p.add_argument("--with-cmudict-words", action="store_true",
                   help="add the non-held-out CMUdict words as one-word sentences")
    p.add_argument("--synth", default=DEFAULT_SYNTH,
                   help="synth folder, used only when cache/lists.json is missing")

    p = sub.add_parser("train", help="train (resumable)")
    common(p)
    p.add_argument("--ckpt-dir", default=DEFAULT_CKPT)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--init-from", default="",
                   help="warm start from an exported model file (e.g. the shipped one)")
    p.add_argument("--max-minutes", type=float, default=None)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--warmup", type=int, default=400)
    p.add_argument("--weight-decay", type=float, default=1e-2)
    p.add_argument("--grad-clip", type=float, default=5.0)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--batch-frames", type=int, default=6000,
                   help="padded input frames per batch (100 per second)")
    p.add_argument("--max-batch", type=int, default=48)
    p.add_argument("--max-frames", type=int, default=3000, help="drop longer utterances")
    p.add_argument("--conv-channels", type=int, default=256)
    p.add_argument("--lstm-hidden", type=int, default=320)
    p.add_argument("--lstm-layers", type=int, default=3)
    p.add_argument("--spec-freq-width", type=int, default=None,
                   help="widest SpecAugment frequency mask in mel bins (default "
                        f"{augment.DEFAULT_CONFIG['specaugment']['freq_width']}; 27 is "
                        "SpecAugment's LibriSpeech policy)")
    p.add_argument("--checkpoint-minutes", type=float, default=10.0)
    p.add_argument("--valid-limit", type=int, default=0, help="validate on the first N only")
    p.add_argument("--ema", type=float, default=0.0,
                   help="exponential moving average of the weights, decay per step (0: off); "
                        "validation, best.pt and the export use the averaged weights")
    p.add_argument("--log-every", type=float, default=30.0, help="seconds between logs")

    p = sub.add_parser("export", help="checkpoint -> model file + golden parity files")
    common(p)
    p.add_argument("--ckpt-dir", default=DEFAULT_CKPT)
    p.add_argument("--checkpoint", choices=("best", "last"), default="best")
    p.add_argument("--out", default=DEFAULT_MODEL)
    p.add_argument("--lm-out", default=os.path.join(os.path.dirname(DEFAULT_MODEL),
                                                    "asr.arpa"),
                   help="copy cache/lm.arpa here ('' to skip)")
    p.add_argument("--golden-dir", default=DEFAULT_GOLDEN, help="'' to skip golden files")
    p.add_argument("--beam", type=int, default=None,
                   help="default: cache/tune.json's best, else 16")
    p.add_argument("--lexicon", choices=("none", "lm"), default=None,
                   help="decoder.lexicon: lm restricts the output to the LM's words (default: "
                        "cache/tune.json's best, else none)")
    p.add_argument("--symbol-min-log-prob", type=float, default=None,
                   help="decoder.symbol_min_log_prob (default: cache/tune.json's best, else "
                        "none)")
    p.add_argument("--beam-threshold", type=float, default=None,
                   help="decoder.beam_threshold (default: cache/tune.json's best, else none)")
    p.add_argument("--oov-penalty", type=float, default=None,
                   help="decoder.oov_penalty: cost of a word outside the lexicon (default: "
                        "cache/tune.json's best, else none: lexicon words only)")
    p.add_argument("--lm-weight", type=float, default=None,
                   help="default: cache/tune.json's best, else 0.5")
    p.add_argument("--word-bonus", type=float, default=None,
                   help="default: cache/tune.json's best, else 1.0")
    p.add_argument("--metrics", default="", help="JSON of numeric held-out metrics to embed")

    p = sub.add_parser("tune", help="lm_weight / word bonus grid on the validation set")
    common(p)
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--lm", default=None, help="ARPA LM (default: <cache>/lm.arpa)")
    p.add_argument("--beam", type=int, default=16)
    p.add_argument("--beams", default="",
                   help="comma-separated beams to search (default: --beam), e.g. 16,64,128")
    p.add_argument("--lexicons", default="none",
                   help="none, lm or none,lm: search without and/or with the output restricted "
                        "to the LM's words (C++ engine only)")
    p.add_argument("--symbol-min-log-prob", type=float, default=None,
                   help="beam-search pruning for every decode of the grid (C++ engine): "
                        "symbols below this frame log-probability are not tried, e.g. -9.21")
    p.add_argument("--beam-threshold", type=float, default=None,
                   help="beam-search pruning (C++ engine): drop hypotheses this many nats "
                        "below the best, e.g. 12")
    p.add_argument("--oov-penalties", default="",
                   help="with --lexicons lm: comma-separated costs (nats) of a word outside the "
                        "lexicon to search, inf = none allowed, e.g. inf,4,8,12")
    p.add_argument("--max-time-ratio", type=float, default=None,
                   help="keep the best beam whose one-thread CPU time on the validation set is "
                        "at most this many times the --time-baseline search's (median of 3 "
                        "paired runs), e.g. 1.2")
    p.add_argument("--time-baseline", default="16,none,0.5,4",
                   help="BEAM,LEXICON,LM_WEIGHT,BONUS of the search --max-time-ratio compares "
                        "with (no pruning; default: v0.5's)")
    p.add_argument("--lm-weights", default="0.2,0.4,0.6,0.8,1.0")
    p.add_argument("--word-bonuses", default="0,0.5,1,2")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--engine", choices=["cpp", "torch"], default="cpp",
                   help="decode with the C++ engine (default; what the server runs) or the "
                   "PyTorch network + Python beam search")
    p.add_argument("--cpp-bin", default=os.path.join(REPO_ROOT, "build", "bin",
                                                     "auris_transcribe"))

    p = sub.add_parser("calibrate", help="word-confidence calibration on the validation set "
                       "through the C++ engine (export embeds it)")
    common(p)
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--lm", default=None, help="ARPA LM (default: <cache>/lm.arpa)")
    p.add_argument("--cpp-bin", default=os.path.join(REPO_ROOT, "build", "bin",
                                                     "auris_transcribe"))
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--augmented", type=int, default=0,
                   help="also fit on this many augmented copies of each validation utterance "
                        "(the cache's training augmentation, other draws); 0 = clean only")
    p.add_argument("--threads", type=int, default=2)

    p = sub.add_parser("eval", help="WER/CER per test set")
    common(p)
    p.add_argument("--engine", choices=("torch", "cpp"), default="torch")
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--lm", default=None, help="ARPA LM (default: <cache>/lm.arpa)")
    p.add_argument("--no-lm", action="store_true")
    p.add_argument("--cpp-bin", default=os.path.join(REPO_ROOT, "build", "bin",
                                                     "auris_transcribe"),
                   help="C++ transcriber (prints '<wav>\\t<text>' per line)")
    p.add_argument("--sets", default="", help="comma-separated (default: all test sets)")
    p.add_argument("--limit", type=int, default=0, help="first N utterances per set")
    p.add_argument("--beam", type=int, default=0)
    p.add_argument("--lm-weight", type=float, default=None)
    p.add_argument("--word-bonus", type=float, default=None)
    p.add_argument("--greedy-only", action="store_true")
    p.add_argument("--stream-minutes", type=float, default=5.0,
                   help="streaming-drift check length (0 to skip)")
    p.add_argument("--stream-set", default="test_synth_speaker")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--gain-db", type=float, default=0.0,
                   help="scale every test file by this many dB first (--engine cpp; e.g. -20 "
                        "for a quiet microphone)")
    p.add_argument("--out", default="")
    return ap


def resolve_lm(a) -> None:
    """tune / calibrate / eval: --lm defaults to the LM of the cache they read (`lm --cache
    C` writes C/lm.arpa); a missing LM is an error (eval: unless --no-lm), never a silent
    decode without it."""
    if a.cmd not in ("tune", "calibrate", "eval"):
        return
    if a.lm is None:
        a.lm = os.path.join(a.cache, "lm.arpa")
    if not getattr(a, "no_lm", False) and not os.path.exists(a.lm):
        raise SystemExit(f"{a.cmd}: LM {a.lm} not found: run `lm --cache {a.cache}` or pass "
                         f"--lm FILE" + (" or --no-lm" if a.cmd == "eval" else ""))


def main(argv=None):
    a = parser().parse_args(argv)
    resolve_lm(a)
    return {"prepare": cmd_prepare, "lm": cmd_lm, "train": cmd_train, "export": cmd_export,
            "tune": cmd_tune, "eval": cmd_eval, "calibrate": cmd_calibrate}[a.cmd](a)


if __name__ == "__main__":
    main()
