"""Emotion model: the netspec layer list, its cost, checkpoint/model-file loading, and
batched inference (padded batches, per-frame outputs, utterance summaries)."""

from __future__ import annotations

import numpy as np

from models.recipes.common import netspec
from models.recipes.emotion.data import FRAME, SR, SUBSAMPLING, frames, speech_mask

DEFAULT_MODEL = {"filters": 64, "conv2": 64, "conv3": 128, "lstm_hidden": 128,
                 "lstm_layers": 2, "fb_eps": 1e-16, "fb_kernel": 2}
TINY_MODEL = {"filters": 8, "conv2": 8, "conv3": 8, "lstm_hidden": 8, "lstm_layers": 1,
              "fb_eps": 1e-16, "fb_kernel": 2}


# eps of the layernorm after the bias-free filterbank. With the default 1e-5 the eps
# dominates the variance of quiet frames (filter outputs of a -40 dBFS frame have variance
# ~1e-6), so the network saw level through it and summary arousal moved by up to 0.96 at
# -20 dB gain; 1e-10 keeps the normalisation gain-invariant down to about -90 dBFS, which
# was not enough for a -52 dBFS recording at -20 dB (a 0.27 change). v0.2 and the default
# config use fb_eps 1e-16; LN_EPS is what a checkpoint's config without "fb_eps" (v0.1's)
# meant.
LN_EPS = 1e-10


def model_spec(cfg: dict) -> list:
    """The layer list. conv_fb is a learned filterbank with 10 ms hop, its window
    fb_kernel x 10 ms (default kernel 2 over 160-sample frames = 20 ms; 4 = 40 ms resolves
    the harmonics of low voices), without bias, so the layernorm after it (tiny eps) makes
    the network invariant to input gain."""
    f, c2, c3, h = cfg["filters"], cfg["conv2"], cfg["conv3"], cfg["lstm_hidden"]
    spec = [
        {"type": "conv1d", "name": "conv_fb", "in_channels": FRAME, "out_channels": f,
         "kernel_size": cfg.get("fb_kernel", 2), "bias": False},
        {"type": "layernorm", "name": "norm_fb", "num_features": f,
         "eps": cfg.get("fb_eps", LN_EPS)},
        {"type": "relu", "name": "relu_fb"},
        {"type": "conv1d", "name": "conv2", "in_channels": f, "out_channels": c2,
         "kernel_size": 3},
        {"type": "relu", "name": "relu2"},
        {"type": "max_pool", "name": "pool2", "kernel_size": 2},
        {"type": "conv1d", "name": "conv3", "in_channels": c2, "out_channels": c3,
         "kernel_size": 3},
        {"type": "layernorm", "name": "norm3", "num_features": c3},
        {"type": "relu", "name": "relu3"},
        {"type": "max_pool", "name": "pool3", "kernel_size": 2},
        {"type": "lstm", "name": "lstm", "input_size": c3, "hidden_size": h,
         "num_layers": cfg["lstm_layers"]},
        {"type": "linear", "name": "head", "in_features": h, "out_features": 2},
        {"type": "tanh", "name": "out"},
    ]
    netspec.validate(spec)
    assert netspec.subsampling(spec) == SUBSAMPLING
    return spec


def build_model(spec: list, dropout: float = 0.0):
    import torch
    torch.manual_seed(0)
    return netspec.SpecNet(spec, dropout=dropout)


def load_exported(tensors: dict, spec: list):
    """A SpecNet with the weights of a model file (inverse of SpecNet.export_tensors), in
    eval mode."""
    model = netspec.SpecNet(spec)
    model.load_exported(tensors)
    model.eval()
    return model


def model_cost(spec: list, model) -> dict:
    macs = netspec.macs_per_frame(spec) * (SR / FRAME)
    return {"parameters": int(netspec.count_parameters(model)),
            "macs_per_audio_second": float(macs),
            "gflop_per_audio_second": float(2 * macs / 1e9),
            "receptive_field_frames": int(netspec.receptive_field(spec))}


AUX_PREFIX = "aux_"  # training-only modules (attach_category_head); never exported


def attach_category_head(model, spec: list, num_categories: int):
    """Adds a training-only classifier `model.aux_category` over the last LSTM layer's
    output (N, T', hidden) and a forward hook that keeps that output in `model.aux_hidden`
    on every forward. The exported network (the layer list) does not change."""
    import torch
    lstm = [c for c in spec if c["type"] == "lstm"][-1]
    model.aux_category = torch.nn.Linear(lstm["hidden_size"], num_categories)

    def keep(_module, _inputs, output):
        model.aux_hidden = output

    model.layers[lstm["name"]].register_forward_hook(keep)
    return model


def load_checkpoint(path: str):
    import torch
    state = torch.load(path, map_location="cpu")
    spec = state["extra"]["spec"]
    model = netspec.SpecNet(spec)
    model.load_state_dict({k: v for k, v in state["model"].items()
                           if not k.startswith(AUX_PREFIX)})
    model.eval()
    return model, spec, state


def pad_batch(waves: list[np.ndarray]):
    """Zero-padded (B, T, 160) frames (T a multiple of 4) and the valid output counts.
    Every layer is causal, so padding at the end does not change the valid outputs."""
    fr = [frames(w) for w in waves]
    t = max(1, max(len(f) for f in fr))
    x = np.zeros((len(fr), t, FRAME), dtype=np.float32)
    for i, f in enumerate(fr):
        x[i, :len(f)] = f
    return x, [len(f) // SUBSAMPLING for f in fr]


def predict_frames(model, waves: list[np.ndarray], batch: int = 16) -> list[np.ndarray]:
    """(T // 4, 2) outputs per waveform, with a torch SpecNet (batched, padded)."""
    import torch
    order = sorted(range(len(waves)), key=lambda i: len(waves[i]))
    out = [None] * len(waves)
    model.eval()
    with torch.no_grad():
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            x, n = pad_batch([waves[i] for i in idx])
            y = model(torch.from_numpy(x)).numpy()
            for j, i in enumerate(idx):
                out[i] = y[j, :n[j]]
    return out


def summarize(frames_out: np.ndarray, wave: np.ndarray) -> np.ndarray:
    """Utterance summary: mean of the output frames over speech frames (speech_mask)."""
    if len(frames_out) == 0:
        return np.zeros(2, dtype=np.float32)
    m = speech_mask(wave, len(frames_out))
    return frames_out[m].mean(axis=0)


class TorchPredictor:
    """Pluggable predictor for `evaluate`: waveform list -> per-utterance (T', 2) frames
    (or (2,) summaries). engine.CppPredictor is the C++-engine one."""

    def __init__(self, model):
        self.model = model

    def __call__(self, waves):
        return predict_frames(self.model, waves)


def summaries(predictor, waves) -> np.ndarray:
    outs = predictor(waves)
    res = []
    for o, w in zip(outs, waves):
        o = np.asarray(o, dtype=np.float32)
        res.append(o if o.ndim == 1 else summarize(o, w))
    return np.array(res, dtype=np.float32).reshape(len(waves), 2)
