"""`lm`: word n-gram LM (modified Kneser-Ney ARPA) from the training text only."""

from __future__ import annotations

import json
import os
import random
import time

from ..common import kneser_ney, synth
from .config import DEFAULT_SYNTH, SET_VALID, SETS_TRAIN, TEST_SETS, log
from .data import build_lists


def data_lists(cache: str, synth_dir: str | None = DEFAULT_SYNTH) -> dict:
    """The lists `prepare` wrote (cache/lists.json), else built afresh with prepare's
    defaults (so `lm` can run while `prepare` is still featurising)."""
    path = os.path.join(cache, "lists.json")
    if os.path.exists(path):
        with open(path) as fh:
            return json.load(fh)
    log(f"lm: no {path}: building the lists with prepare's defaults")
    return build_lists(synth_dir or None)


def training_text(lists: dict, with_cmudict_words: bool = False, numbers: int = 20000,
                  seed: int = 0, pool: synth.TextPool | None = None) -> list[str]:
    """Training sentences only: transcripts of the training list (synth train, FSDD
    non-held-out, Asterisk) + the text pool's non-held-out sentences + generated
    non-held-out number strings (+ optionally the non-held-out CMUdict words). Never a
    held-out sentence (synth.is_heldout_text) nor a validation/test transcript."""
    out = [it["text"] for it in lists[SETS_TRAIN]]
    pool = pool or synth.TextPool()
    for name in sorted(pool.split):
        out += pool.split[name][0]
    rng = random.Random(f"lm-numbers:{seed}")
    made = 0
    while made < numbers:
        t = synth.number_text(rng)
        if not synth.is_heldout_text(t):
            out.append(t)
            made += 1
    if with_cmudict_words:
        out += pool.word_split[0]
    # Held-out sentences never go in: the pool's split and synth's train split already
    # exclude them; also drop any exact transcript of the validation and test sets
    # (FSDD's held-out set is excepted: it is held out by speaker, its digits are also
    # training transcripts of the other speakers).
    heldout = {it["text"] for name in (SET_VALID,) + TEST_SETS
               if name != "test_fsdd_heldout" for it in lists.get(name, [])}
    return [t for t in out if t and t not in heldout]


def cmd_lm(a) -> dict:
    t0 = time.time()
    lists = data_lists(a.cache, a.synth)
    sents = training_text(lists, a.with_cmudict_words, a.numbers, a.seed)
    log(f"lm: {len(sents)} training sentences, "
        f"{sum(len(s.split()) for s in sents)} words")
    lm = kneser_ney.KneserNey(a.order).fit(sents)
    model, mins = lm.fit_to_size(int(a.max_mb * 1e6), log=log)
    out = os.path.join(a.cache, "lm.arpa")
    size = model.write(out)
    info = {"path": out, "bytes": size, "order": a.order, "min_counts": mins,
            "ngrams": [len(model.ngrams[n]) for n in range(1, a.order + 1)],
            "sentences": len(sents), "discounts": lm.discount[1:],
            "wall_seconds": time.time() - t0}
    for name in (SET_VALID,) + TEST_SETS:
        if lists.get(name):
            info[name] = model.perplexity([it["text"] for it in lists[name]])
    with open(os.path.join(a.cache, "lm_info.json"), "w") as fh:
        json.dump(info, fh, indent=1)
    log(f"lm: {json.dumps(info)}")
    return info
