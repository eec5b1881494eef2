"""A resumable training loop shared by the model recipes.

Runs on CPU (2 cores here) and may be killed at any moment, so:
- it checkpoints at least every `checkpoint_minutes` (default 10) and at every epoch end,
  atomically (write to a temporary file, then rename), into `ckpt_dir/last.pt`, and keeps
  `ckpt_dir/best.pt` for the best validation score;
- `resume=True` continues from `last.pt` with the same data order: the batch order of an
  epoch is a pure function of (seed, epoch), and the step within the epoch is saved, so a
  resumed run sees exactly the batches an uninterrupted one would; augmentation must be
  seeded per (utterance, epoch) by the caller (augment.utterance_seed does that);
- a missing checkpoint folder or file means "start from scratch", not an error;
- it logs progress with steps/s and ETA and the accumulated wall time across resumes.

The recipe supplies the model, the optimizer, a learning-rate function of the global step,
`batches(epoch) -> list of batch keys`, `step(batch_key) -> dict of floats` (computes the
loss, calls backward; the trainer zeroes grads, clips and steps) and optionally
`validate() -> dict` with the key named by `monitor` (higher is better unless
`monitor_mode="min"`).

With `ema_decay` d > 0 the trainer also keeps an exponential moving average of the model's
floating-point state (parameters and buffers such as batch-norm statistics), updated after
every optimizer step as ema = d' * ema + (1 - d') * live with d' = min(d, (1 + n) / (10 + n))
(n = updates so far, so early averages are not dominated by the starting weights).
Validation then scores the averaged weights, and `best.pt`'s "model" holds them, so the
recipes' exporters ship them unchanged; training itself continues on the live weights, and
`last.pt` holds both ("model" live, "ema" averaged) for --resume.
"""

from __future__ import annotations

import math
import os
import random
import sys
import time

import numpy as np

try:
    import torch
except ImportError:  # the recipes that train need torch; tests skip without it
    torch = None


def epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    """A permutation of range(n) that depends only on (seed, epoch)."""
    rng = random.Random(f"order:{seed}:{epoch}")
    order = list(range(n))
    rng.shuffle(order)
    return order


def warmup_cosine(peak: float, warmup: int, total: int, floor: float = 0.05):
    """Linear warm-up to `peak` over `warmup` steps, then cosine down to floor * peak."""
    def lr(step: int) -> float:
        if step < warmup:
            return peak * (step + 1) / warmup
        t = min(1.0, (step - warmup) / max(1, total - warmup))
        return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * t)))
    return lr


def set_threads(threads: int) -> int | None:
    """Caps PyTorch's intra-op threads and OpenBLAS's own pool at `threads`.

    Debian's PyTorch and numpy call OpenBLAS (the pthread build by default), which keeps its
    own pool of one thread per core on top of PyTorch's OpenMP threads. With `threads` = 1
    on a 2-core machine whose other core is busy (a build, a second training job), every
    small GEMM of an LSTM step then waits on a pool thread that cannot run: measured here,
    a (24 x 128) @ (128 x 512) matmul took 31 ms instead of 0.58 ms, and emotion training
    ran at 0.2 steps/s. Returns the OpenBLAS thread count now in force (None when the loaded
    BLAS is not OpenBLAS)."""
    torch.set_num_threads(threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    os.environ["OPENBLAS_NUM_THREADS"] = str(threads)  # for child processes
    return set_blas_threads(threads)


def set_blas_threads(threads: int) -> int | None:
    """Sets the thread count of the OpenBLAS already loaded in this process (numpy and
    PyTorch share it); None when no OpenBLAS is loaded."""
    import ctypes
    for name in ("libopenblas.so.0", "libopenblasp.so.0", "libblas.so.3"):
        try:
            # RTLD_NOLOAD: only a library this process already uses, never load one.
            lib = ctypes.CDLL(name, mode=os.RTLD_NOLOAD | ctypes.RTLD_GLOBAL)
            lib.openblas_set_num_threads(ctypes.c_int(threads))
            return int(lib.openblas_get_num_threads())
        except (OSError, AttributeError):
            continue
    return None


def warm_start(net, path: str, flags: str):
    """Warm start from an exported auris model file (float16 weights upcast): copies its
    weights into `net` (a netspec.SpecNet whose layer list must equal the file's; `flags`
    names the options that set it, for the error) and returns (cmvn_mean, cmvn_std, prior):
    the file's CMVN, so the network keeps seeing the features it was trained on, and its
    training summary {"steps", "wall_minutes"} (plus "widened_from_hidden" when the file was
    made wider by a recipe's `widen`, so later exports keep that history). A checkpoint
    found by --resume overrides this."""
    from models.recipes.common import export
    tensors, meta, _ = export.read_model(path)
    if meta["layers"] != net.spec:
        raise SystemExit(f"train: --init-from {path}: its layer list differs from this run's "
                         f"({flags} must match)")
    net.load_exported(tensors)
    td = meta.get("training_data", {})
    print(f"train: initialised from {path}", file=sys.stderr, flush=True)
    prior = {"steps": int(td.get("steps", 0)), "wall_minutes": float(td.get("wall_minutes", 0))}
    if "widened_from_hidden" in td:
        prior["widened_from_hidden"] = int(td["widened_from_hidden"])
    return (torch.from_numpy(np.asarray(tensors["cmvn.mean"], np.float32)),
            torch.from_numpy(np.asarray(tensors["cmvn.std"], np.float32)), prior)


class Trainer:
    def __init__(self, model, optimizer, lr_fn, ckpt_dir: str, seed: int = 0,
                 checkpoint_minutes: float = 10.0, grad_clip: float = 5.0,
                 monitor: str | None = None, monitor_mode: str = "max", log=sys.stderr,
                 ema_decay: float = 0.0):
        if not 0.0 <= ema_decay < 1.0:
            raise ValueError(f"ema_decay {ema_decay}: allowed 0 (off) or 0 < d < 1")
        self.model = model
        self.optimizer = optimizer
        self.lr_fn = lr_fn
        self.ckpt_dir = ckpt_dir
        self.seed = seed
        self.checkpoint_seconds = checkpoint_minutes * 60
        self.grad_clip = grad_clip
        self.monitor = monitor
        self.monitor_mode = monitor_mode
        self.log = log
        self.epoch = 0
        self.step_in_epoch = 0
        self.global_step = 0
        self.wall_seconds = 0.0  # accumulated over all runs, including resumes
        self.best = None
        self.history = []  # one dict per validation
        self.extra = {}    # recipe state saved with the checkpoint (e.g. CMVN)
        self.ema_decay = ema_decay
        self.ema = None        # {state_dict key: averaged tensor} when ema_decay > 0
        self.ema_updates = 0

    # ----------------------------------------------------------------- weight average
    def _ema_init(self) -> None:
        self.ema = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        self.ema_updates = 0

    def _ema_update(self) -> None:
        d = min(self.ema_decay, (1 + self.ema_updates) / (10 + self.ema_updates))
        with torch.no_grad():
            for k, v in self.model.state_dict().items():
                if v.is_floating_point():
                    self.ema[k].mul_(d).add_(v.detach(), alpha=1 - d)
                else:
                    self.ema[k].copy_(v)
        self.ema_updates += 1

    def _swap_in_ema(self) -> dict:
        """Loads the averaged weights into the model; returns the live ones to restore."""
        live = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        self.model.load_state_dict(self.ema)
        return live

    # ----------------------------------------------------------------- checkpoints
    @property
    def last_path(self) -> str:
        return os.path.join(self.ckpt_dir, "last.pt")

    @property
    def best_path(self) -> str:
        return os.path.join(self.ckpt_dir, "best.pt")

    def _state(self) -> dict:
        return {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "epoch": self.epoch, "step_in_epoch": self.step_in_epoch,
                "global_step": self.global_step, "wall_seconds": self.wall_seconds,
                "best": self.best, "history": self.history, "seed": self.seed,
                "extra": self.extra, "torch_rng": torch.get_rng_state(),
                "numpy_rng": np.random.get_state(), "python_rng": random.getstate(),
                **({"ema": self.ema, "ema_updates": self.ema_updates, "ema_decay":
                    self.ema_decay} if self.ema is not None else {})}

    def save(self, path: str | None = None) -> str:
        path = path or self.last_path
        os.makedirs(self.ckpt_dir, exist_ok=True)
        tmp = path + ".tmp"
        torch.save(self._state(), tmp)
        os.replace(tmp, path)
        return path

    def load(self, path: str | None = None) -> bool:
        """Restores from `path` (default last.pt); False when there is nothing to resume."""
        path = path or self.last_path
        if not os.path.exists(path):
            return False
        state = torch.load(path, map_location="cpu")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        for key in ("epoch", "step_in_epoch", "global_step", "wall_seconds", "best",
                    "history", "extra"):
            setattr(self, key, state[key])
        torch.set_rng_state(state["torch_rng"])
        np.random.set_state(state["numpy_rng"])
        random.setstate(state["python_rng"])
        if self.ema_decay > 0:
            if "ema" in state:
                self.ema, self.ema_updates = state["ema"], state["ema_updates"]
            else:  # a checkpoint of a run without averaging: start averaging here
                self._ema_init()
        return True

    # ----------------------------------------------------------------- loop
    def _print(self, msg: str) -> None:
        print(msg, file=self.log, flush=True)

    def fit(self, batches, step, epochs: int, validate=None, resume: bool = False,
            max_minutes: float | None = None, log_every_seconds: float = 30.0) -> dict:
        """Trains until `epochs` are done or `max_minutes` of this run have passed."""
        torch.manual_seed(self.seed)
        if resume and self.load():
            self._print(f"resumed from {self.last_path}: epoch {self.epoch} step "
                        f"{self.step_in_epoch} (global {self.global_step}), "
                        f"{self.wall_seconds / 60:.1f} min trained so far")
        elif resume:
            self._print(f"no checkpoint in {self.ckpt_dir}: starting from scratch")
        if self.ema_decay > 0 and self.ema is None:
            self._ema_init()
        start = time.time()
        last_ckpt = last_log = start
        stopped = False
        run_steps = 0  # steps done in this run (for steps/s and ETA)
        while self.epoch < epochs and not stopped:
            keys = batches(self.epoch)
            total = len(keys)
            sums, count = {}, 0
            self.model.train()
            while self.step_in_epoch < total:
                key = keys[self.step_in_epoch]
                for group in self.optimizer.param_groups:
                    group["lr"] = self.lr_fn(self.global_step)
                self.optimizer.zero_grad(set_to_none=True)
                out = step(key)
                if self.grad_clip:
                    torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.grad_clip)
                self.optimizer.step()
                if self.ema is not None:
                    self._ema_update()
                self.step_in_epoch += 1
                self.global_step += 1
                run_steps += 1
                for k, v in out.items():
                    sums[k] = sums.get(k, 0.0) + float(v)
                count += 1
                now = time.time()
                if now - last_log >= log_every_seconds:
                    run = now - start
                    rate = run_steps / max(1e-9, run)
                    left = (total - self.step_in_epoch) + (epochs - self.epoch - 1) * total
                    means = " ".join(f"{k}={v / count:.4f}" for k, v in sums.items())
                    self._print(f"epoch {self.epoch} step {self.step_in_epoch}/{total} "
                                f"{means} lr={self.lr_fn(self.global_step):.2e} "
                                f"{rate:.2f} steps/s ETA {left / max(rate, 1e-9) / 60:.1f} min "
                                f"(wall {(self.wall_seconds + now - last_ckpt) / 60:.1f} min)")
                    last_log = now
                if now - last_ckpt >= self.checkpoint_seconds:
                    self.wall_seconds += now - last_ckpt
                    last_ckpt = now
                    self.save()
                if max_minutes is not None and now - start >= max_minutes * 60:
                    stopped = True
                    break
            if not stopped:
                self.epoch += 1
                self.step_in_epoch = 0
                record = {"epoch": self.epoch, "global_step": self.global_step,
                          **{f"train_{k}": v / max(1, count) for k, v in sums.items()}}
                live = self._swap_in_ema() if self.ema is not None else None
                if validate is not None:
                    self.model.eval()
                    with torch.no_grad():
                        record.update(validate())
                    self.model.train()
                self.history.append(record)
                self._print("validation: " + " ".join(
                    f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in record.items()))
                now = time.time()
                self.wall_seconds += now - last_ckpt
                last_ckpt = now
                if self.monitor and self.monitor in record:
                    value = record[self.monitor]
                    better = self.best is None or (
                        value > self.best if self.monitor_mode == "max" else value < self.best)
                    if better:
                        self.best = value
                        self.save(self.best_path)  # with the averaged weights, if any
                if live is not None:
                    self.model.load_state_dict(live)
                self.save()
        self.wall_seconds += time.time() - last_ckpt
        self.save()
        return {"epoch": self.epoch, "global_step": self.global_step,
                "wall_minutes": self.wall_seconds / 60, "best": self.best,
                "finished": self.epoch >= epochs}
