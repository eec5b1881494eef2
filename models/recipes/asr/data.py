"""`prepare`: data lists, the log-mel feature cache (+ augmented copies), CMVN; and
read access to the cache (FeatureSet, load_cmvn)."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import time
from fractions import Fraction

import numpy as np

from ..common import augment, frontend, readers
from ..common import text as textnorm
from .config import SET_VALID, SETS_TRAIN, TEST_SETS, log

# Real noise clips kept out of training (unseen noise for evaluation).
EXCLUDED_NOISES = ("exercise_bike", "speechbrain_noise1")


def load_audio(path: str, sample_rate: int = frontend.SAMPLE_RATE) -> np.ndarray:
    """Mono float32 at `sample_rate` (channels averaged, polyphase resampling)."""
    import soundfile as sf
    from scipy import signal
    x, sr = sf.read(path, dtype="float32", always_2d=True)
    x = x.mean(axis=1)
    if sr != sample_rate:
        fr = Fraction(sample_rate, sr)
        x = signal.resample_poly(x, fr.numerator, fr.denominator).astype(np.float32)
    return x


def _item(u, corpus: str, uid: str) -> dict:
    return {"id": uid, "path": u.path, "text": u.text, "speaker": u.speaker,
            "corpus": corpus}


def build_lists(synth_dir: str | None, use_fsdd: bool = True, use_asterisk: bool = True,
                use_pocketsphinx: bool = True, num_valid: int = 300, seed: int = 0) -> dict:
    """{set name: [item dict]} for train, valid and the test sets (see module doc).

    synth_dir may list several synth.py folders separated by commas. The first one gives
    every split (training, validation and the synthetic test sets); each further folder
    (e.g. more hours with another seed) adds its training split only, so the validation
    and test sets stay exactly those of the first folder. Held-out voices and sentences are
    held out by name and text hash in every folder (synth.py), so no further folder can
    put a held-out sentence or voice into training."""
    sets = {name: [] for name in (SETS_TRAIN, SET_VALID) + TEST_SETS}
    dirs = [d for d in (synth_dir or "").split(",") if d]
    for k, folder in enumerate(dirs):
        manifest = os.path.join(folder, "manifest.tsv")
        if not os.path.exists(manifest):
            raise SystemExit(f"{manifest} not found: run models.recipes.common.synth first "
                             f"(or pass --synth '' to train without synthetic speech)")
        test_text = []
        for n, u in enumerate(readers.read_tsv(manifest)):
            split = u.extra.get("split")
            it = _item(u, "synth", f"synth-{n}" if k == 0 else f"synth{k}-{n}")
            it["voice"] = u.extra.get("engine", "") + ":" + u.extra.get("voice", "")
            if split == "train":
                sets[SETS_TRAIN].append(it)
            elif k > 0:
                continue
            elif split == "test_speaker":
                sets["test_synth_speaker"].append(it)
            elif split == "test_text":
                test_text.append(it)
        if k > 0:
            continue
        # Validation: a seeded sample of held-out sentences in training voices; the rest of
        # test_text is a test set. Never test_speaker (that is the final held-out test).
        order = list(range(len(test_text)))
        random.Random(f"valid:{seed}").shuffle(order)
        pick = set(order[:num_valid])
        sets[SET_VALID] = [x for i, x in enumerate(test_text) if i in pick]
        sets["test_synth_text"] = [x for i, x in enumerate(test_text) if i not in pick]
    if use_fsdd and os.path.isdir(readers.shared_data_root()):
        for u in readers.read_fsdd():
            uid = f"fsdd-{u.speaker[5:]}-{u.extra['digit']}-{u.extra['take']}"
            target = "test_fsdd_heldout" if readers.is_heldout_speaker(u.speaker) \
                else SETS_TRAIN
            sets[target].append(_item(u, "fsdd", uid))
    if use_asterisk:
        for u in readers.read_asterisk():
            sets[SETS_TRAIN].append(_item(u, "asterisk", "asterisk-" +
                                          u.extra["name"].replace("/", "-")))
    if use_pocketsphinx:
        for u in readers.read_pocketsphinx_testdata():
            sets["test_pocketsphinx"].append(_item(u, "pocketsphinx",
                                                   f"{u.speaker}-{u.extra['id']}"))
    for items in sets.values():
        for it in items:
            bad = set(it["text"]) - set(textnorm.ALPHABET)
            if bad:
                raise ValueError(f"{it['id']}: characters outside the alphabet: {bad}")
    return sets



_WORKER = {}


def build_augmenter(aug_config, aug_seed, noise_paths, voice_paths) -> augment.Augmenter:
    """The copies' Augmenter with its noise clips and babble voices read from disk."""
    noises = augment.load_noises(noise_paths) if noise_paths else []
    voices = [load_audio(p) for p in voice_paths]
    return augment.Augmenter(aug_config, aug_seed, noises, voices)


def _worker_init(aug_config, aug_seed, noise_paths, voice_paths):
    _WORKER["aug"] = build_augmenter(aug_config, aug_seed, noise_paths, voice_paths)


def _featurize(job):
    """(index, path, copies) -> [(float16 (T, 80) log-mel, seconds)] for the clean audio
    and `copies` augmented versions (augmentation seeded by (seed, copy, index))."""
    index, path, copies = job
    wave = load_audio(path)
    out = [(frontend.log_mel(wave).astype(np.float16), len(wave) / frontend.SAMPLE_RATE)]
    for c in range(1, copies + 1):
        y, _ = _WORKER["aug"].augment(wave, index, epoch=c)
        out.append((frontend.log_mel(y).astype(np.float16), len(y) / frontend.SAMPLE_RATE))
    return out


def _override_step(step: dict, key: str, value_range, p, name: str, low_floor) -> None:
    """Sets step[key] = [low, high] and step["p"] = p where given (None keeps them);
    ValueError for low > high, low <= low_floor (when not None) or p outside 0..1."""
    if value_range is not None:
        low, high = (float(v) for v in value_range)
        if low > high or (low_floor is not None and low <= low_floor):
            floor = "" if low_floor is None else f" and low > {low_floor}"
            raise ValueError(f"{name} range {low},{high}: need low <= high{floor}")
        step[key] = [low, high]
    if p is not None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{name} probability {p}: allowed 0..1")
        step["p"] = float(p)


def augment_config(edges: float = 0.0, gain_db: tuple | None = None,
                   gain_p: float | None = None, vtlp_alpha: tuple | None = None,
                   vtlp_p: float | None = None) -> dict:
    """The waveform augmentation of the training copies (augment.DEFAULT_CONFIG, all
    noise kinds: real noise, white/pink/brown/blue, babble of training voices); with
    edges > 0, that share of copies is trimmed and gets 0-0.5 s of silence before and
    0-0.3 s after (augment.reframe_edges; the noise step then covers it). `gain_db`
    (low, high) and `gain_p` replace the default gain step (a share `gain_p` of copies
    scaled by a uniform draw in dB, applied last, after noise; None keeps the default).
    `vtlp_alpha` (low, high) and `vtlp_p` replace the default VTLP step the same way: a
    share `vtlp_p` of copies has every frequency scaled by a uniform draw of alpha
    (augment.vtlp; 0.8..1.25 spans roughly male-to-female formant ratios)."""
    cfg = json.loads(json.dumps(augment.DEFAULT_CONFIG))
    cfg["reverb"]["backend"] = "sox"
    if edges > 0:
        cfg["edges"] = {"p": float(edges), "lead_s": [0.0, 0.5], "trail_s": [0.0, 0.3]}
    _override_step(cfg["gain"], "db", gain_db, gain_p, "gain", low_floor=None)
    _override_step(cfg["vtlp"], "alpha", vtlp_alpha, vtlp_p, "VTLP", low_floor=0.0)
    return cfg


def featurize_set(name: str, items: list, cache: str, copies: int, workers: int,
                  aug_seed: int, noise_paths, voice_paths, force: bool = False,
                  aug_config: dict | None = None) -> dict:
    """Writes cache/<name>.f16 (all rows' (T, 80) float16 features back to back) and
    cache/<name>.json (items, rows [item, copy, frame offset, frames], hours)."""
    aug_config = augment_config() if aug_config is None else aug_config
    meta_path = os.path.join(cache, f"{name}.json")
    data_path = os.path.join(cache, f"{name}.f16")
    if not force and os.path.exists(meta_path) and os.path.exists(data_path):
        with open(meta_path) as fh:
            meta = json.load(fh)
        same_aug = not copies or meta.get("augmentation", augment_config()) == aug_config
        if meta.get("copies") == copies and same_aug and \
                [x["id"] for x in meta["items"]] == [x["id"] for x in items]:
            log(f"prepare: {name}: cached ({len(items)} utterances), skipping")
            return meta
    t0 = time.time()
    jobs = [(i, it["path"], copies) for i, it in enumerate(items)]
    rows, offset = [], 0
    hours_clean = hours_total = 0.0
    s1 = np.zeros(frontend.N_MELS)
    s2 = np.zeros(frontend.N_MELS)
    tmp = data_path + ".tmp"
    last = t0
    init = (aug_config, aug_seed, noise_paths if copies else [],
            voice_paths if copies else [])
    with open(tmp, "wb") as out:
        if workers > 1:
            pool = multiprocessing.Pool(workers, _worker_init, init)
            results = pool.imap(_featurize, jobs, chunksize=4)
        else:
            pool = None
            _worker_init(*init)
            results = map(_featurize, jobs)
        try:
            for i, res in enumerate(results):
                for c, (feats, secs) in enumerate(res):
                    out.write(np.ascontiguousarray(feats, dtype="<f2").tobytes())
                    rows.append([i, c, offset, int(feats.shape[0])])
                    offset += feats.shape[0]
                    hours_total += secs / 3600
                    if c == 0:
                        hours_clean += secs / 3600
                    f64 = feats.astype(np.float64)
                    s1 += f64.sum(axis=0)
                    s2 += np.square(f64).sum(axis=0)
                now = time.time()
                if now - last > 30:
                    last = now
                    el = now - t0
                    log(f"prepare: {name}: {i + 1}/{len(jobs)} utts, "
                        f"{hours_total:.2f} h of features, {el:.0f} s, "
                        f"ETA {el / (i + 1) * (len(jobs) - i - 1):.0f} s")
        finally:
            if pool is not None:
                pool.close()
                pool.join()
    os.replace(tmp, data_path)
    meta = {"set": name, "items": items, "rows": rows, "copies": copies,
            "augmentation": aug_config if copies else None,
            "num_frames": offset, "feature_dim": frontend.N_MELS, "dtype": "float16",
            "hours_clean": hours_clean, "hours_total": hours_total,
            "wall_seconds": time.time() - t0, "workers": workers,
            "sum": s1.tolist(), "sum_sq": s2.tolist()}
    with open(meta_path + ".tmp", "w") as fh:
        json.dump(meta, fh)
    os.replace(meta_path + ".tmp", meta_path)
    log(f"prepare: {name}: {len(items)} utts, {hours_clean:.3f} h clean, "
        f"{hours_total:.3f} h with copies, {meta['wall_seconds']:.0f} s")
    return meta


def augmentation_sources(train_items: list, seed: int, babble_voices: int) -> tuple:
    """(noise paths, babble voice paths) of the copies' augmentation: the shared real noise
    clips except EXCLUDED_NOISES, and `babble_voices` synthetic training utterances drawn
    with the seed."""
    noise_paths = []
    if os.path.isdir(readers.shared_data_root()):
        noise_paths = [u.path for u in readers.read_noise()
                       if u.extra["name"] not in EXCLUDED_NOISES]
    synth_train = [it for it in train_items if it["corpus"] == "synth"]
    rng = random.Random(f"babble:{seed}")
    voice_paths = [it["path"] for it in rng.sample(synth_train, min(babble_voices,
                                                                   len(synth_train)))]
    return noise_paths, voice_paths


def cmd_prepare(a) -> dict:
    t0 = time.time()
    os.makedirs(a.cache, exist_ok=True)
    sets = build_lists(a.synth or None, not a.no_fsdd, not a.no_asterisk,
                       not a.no_pocketsphinx, a.num_valid, a.seed)
    if not sets[SETS_TRAIN]:
        raise SystemExit("prepare: no training data")
    for name, items in sets.items():
        log(f"prepare: {name}: {len(items)} utterances")
    with open(os.path.join(a.cache, "lists.json"), "w") as fh:
        json.dump(sets, fh)
    noise_paths, voice_paths = augmentation_sources(sets[SETS_TRAIN], a.seed, a.babble_voices)
    aug_config = augment_config(a.edges, a.gain_db, a.gain_p, a.vtlp_alpha, a.vtlp_p)
    info = {"sets": {}, "copies": a.copies, "seed": a.seed, "workers": a.workers,
            "noises": [os.path.basename(p) for p in noise_paths],
            "excluded_noises": list(EXCLUDED_NOISES), "babble_voices": len(voice_paths),
            "augmentation": aug_config}
    for name, items in sets.items():
        if not items:
            continue
        copies = a.copies if name == SETS_TRAIN else 0
        meta = featurize_set(name, items, a.cache, copies, a.workers, a.seed, noise_paths,
                             voice_paths, a.force, aug_config)
        by_corpus = {}
        for it, r in zip(meta["items"], [r for r in meta["rows"] if r[1] == 0]):
            by_corpus.setdefault(it["corpus"], 0.0)
            by_corpus[it["corpus"]] += r[3] * frontend.FRAME_SHIFT / frontend.SAMPLE_RATE \
                / 3600
        info["sets"][name] = {"utterances": len(items), "hours_clean": meta["hours_clean"],
                              "hours_with_copies": meta["hours_total"],
                              "wall_seconds": meta["wall_seconds"],
                              "hours_by_corpus_approx": by_corpus,
                              "words": sum(len(x["text"].split()) for x in items)}
    # Global CMVN over all training rows (clean + augmented copies).
    with open(os.path.join(a.cache, f"{SETS_TRAIN}.json")) as fh:
        tm = json.load(fh)
    n = tm["num_frames"]
    mean = np.array(tm["sum"]) / n
    std = np.sqrt(np.maximum(np.array(tm["sum_sq"]) / n - mean ** 2, 1e-12))
    with open(os.path.join(a.cache, "cmvn.json"), "w") as fh:
        json.dump({"mean": mean.tolist(), "std": std.tolist(), "frames": n}, fh)
    info["wall_seconds"] = time.time() - t0
    with open(os.path.join(a.cache, "prepare_info.json"), "w") as fh:
        json.dump(info, fh, indent=1, sort_keys=True)
    tot = sum(s["hours_with_copies"] for s in info["sets"].values())
    log(f"prepare: done in {info['wall_seconds']:.0f} s; {tot:.2f} h of features; "
        f"train {info['sets'][SETS_TRAIN]['hours_clean']:.2f} h clean")
    return info


class FeatureSet:
    """A prepared set: items, rows [item, copy, offset, frames] and memory-mapped
    float16 features."""

    def __init__(self, cache: str, name: str):
        with open(os.path.join(cache, f"{name}.json")) as fh:
            meta = json.load(fh)
        self.name = name
        self.items = meta["items"]
        self.rows = meta["rows"]
        self.meta = meta
        self.data = np.memmap(os.path.join(cache, f"{name}.f16"), dtype="<f2", mode="r",
                              shape=(max(meta["num_frames"], 1), meta["feature_dim"]))
        self.clean_row = {r[0]: k for k, r in enumerate(self.rows) if r[1] == 0}
        self.rows_of = {}
        for k, r in enumerate(self.rows):
            self.rows_of.setdefault(r[0], []).append(k)

    def features(self, row: int) -> np.ndarray:
        _, _, off, t = self.rows[row]
        return np.asarray(self.data[off:off + t], dtype=np.float32)


def exists(cache: str, name: str) -> bool:
    return os.path.exists(os.path.join(cache, f"{name}.json"))


def load_cmvn(cache: str):
    with open(os.path.join(cache, "cmvn.json")) as fh:
        c = json.load(fh)
    return np.array(c["mean"], np.float32), np.array(c["std"], np.float32)
