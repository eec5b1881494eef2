"""Decode-time bound for `tune`: the one-thread CPU time of the C++ transcriber over the
validation files with a candidate search, against a baseline search, measured in pairs
(candidate, baseline, candidate, ...) so that a machine whose speed drifts still gives a
fair ratio; the median ratio decides."""
from __future__ import annotations

import copy
import resource
import statistics

from .config import log

# v0.5's search: beam 16, no lexicon, lm_weight 0.5, bonus 4, no pruning.
DEFAULT_BASELINE = "16,none,0.5,4"


def parse_baseline(text: str) -> dict:
    """'BEAM,LEXICON,LM_WEIGHT,BONUS' -> a tune grid entry without pruning; ValueError
    naming what is wrong otherwise."""
    parts = text.split(",")
    if len(parts) != 4 or parts[1] not in ("none", "lm"):
        raise ValueError(f"--time-baseline {text!r}: expected BEAM,LEXICON,LM_WEIGHT,BONUS with "
                         f"LEXICON none or lm, e.g. {DEFAULT_BASELINE}")
    try:
        beam, weight, bonus = int(parts[0]), float(parts[2]), float(parts[3])
    except ValueError:
        raise ValueError(f"--time-baseline {text!r}: BEAM must be an integer and LM_WEIGHT, "
                         f"BONUS numbers, e.g. {DEFAULT_BASELINE}")
    if not 1 <= beam <= 128:
        raise ValueError(f"--time-baseline {text!r}: BEAM must be in 1..128")
    return {"beam": beam, "lexicon": parts[1], "lm_weight": weight,
            "word_insertion_bonus": bonus}


def cpu_seconds(run) -> float:
    """CPU seconds (user + system) of the child processes that `run()` waits for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def time_ratio(cost, entry: dict, baseline: dict, pairs: int = 3) -> dict:
    """Median over `pairs` of cost(entry) / cost(baseline), where cost(e) is the seconds of a
    whole decode with grid entry e (tune: CPU of one thread); the baseline runs without
    pruning."""
    plain = dict(baseline, symbol_min_log_prob=-1e30, beam_threshold=1e30)
    ratios, seconds = [], []
    for _ in range(pairs):
        a = cost(entry)
        b = cost(plain)
        ratios.append(a / b if b > 0 else float("inf"))
        seconds.append((a, b))
    return {"ratio": statistics.median(ratios), "ratios": ratios, "cpu_seconds": seconds}


def bounded_best(grid: list, cost, baseline: dict, max_ratio: float, pairs: int = 3) -> tuple:
    """The best grid entry (WER, then CER) whose decode costs at most `max_ratio` x the
    baseline's (time_ratio with `cost`), trying each beam's best entry from the lowest WER
    down; returns (entry or None, timings per beam tried). Entries are copied."""
    per_beam = {}
    for g in sorted(grid, key=lambda g: (g["wer"], g["cer"])):
        per_beam.setdefault(g["beam"], g)
    timings = []
    for g in sorted(per_beam.values(), key=lambda g: (g["wer"], g["cer"])):
        t = time_ratio(cost, g, baseline, pairs)
        timings.append({"beam": g["beam"], "entry": copy.deepcopy(g), **t})
        log(f"tune: beam {g['beam']} (WER {g['wer'] * 100:.2f}%) costs {t['ratio']:.3f}x the "
            f"baseline's CPU time (limit {max_ratio})")
        if t["ratio"] <= max_ratio:
            return copy.deepcopy(g), timings
    return None, timings
