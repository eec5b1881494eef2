"""Paths, data-set names and logging shared by the ASR recipe's steps."""

from __future__ import annotations

import os
import sys

from ..common import readers

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = readers.REPO_ROOT
DEFAULT_CACHE = os.path.join(RECIPE_DIR, "cache")
DEFAULT_CKPT = os.path.join(RECIPE_DIR, "checkpoints")
DEFAULT_SYNTH = os.path.join(REPO_ROOT, ".cache", "synth-s0")
DEFAULT_MODEL = os.path.join(REPO_ROOT, "models", "asr", "asr.safetensors")
DEFAULT_GOLDEN = os.path.join(REPO_ROOT, "tests", "models", "golden")

SETS_TRAIN = "train"
SET_VALID = "valid"
TEST_SETS = ("test_synth_speaker", "test_synth_text", "test_fsdd_heldout",
             "test_pocketsphinx")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
