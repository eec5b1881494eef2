"""The layer list of an auris model file, as PyTorch modules (the contract nn/ implements).

A model's `auris` metadata holds "layers": a list of layer objects applied in order to
activations shaped (N, T, C) (batch, frames, channels; channels-last, as in nn/). Every
layer has "type" and a unique "name"; its tensors are stored as "<name>.<torch name>".
Layers that change the frame rate say so ("stride"); the network's subsampling is the
product of the strides.

  type        fields (defaults)                                  tensors
  conv1d      in_channels, out_channels, kernel_size, stride(1),  weight (out, in/groups, k),
              dilation(1), groups(1), bias(true), causal(true)    bias (out)
              causal: left zero padding (k-1)*dilation, so T frames -> ceil(T/stride);
              non-causal ("causal": false) takes "padding"(0) frames on both sides
  batchnorm   num_features, eps(1e-5); follows a conv1d/linear,   weight, bias,
              folded into it at load                               running_mean, running_var
  linear      in_features, out_features, bias(true)               weight (out, in), bias
  lstm        input_size, hidden_size, num_layers(1);             weight_ih_l{k}, weight_hh_l{k},
              unidirectional, torch gate order i, f, g, o          bias_ih_l{k}, bias_hh_l{k}
  layernorm   num_features, eps(1e-5)                             weight, bias
  max_pool    kernel_size (= stride): non-overlapping pooling over time, T -> floor(T/k)
  avg_pool    kernel_size (= stride): as max_pool with the mean
  relu, tanh, sigmoid, gelu (erf form), softmax, log_softmax (over channels)
  leaky_relu  negative_slope(0.01)
  gru         input_size, hidden_size, num_layers(1), bias(true); weight_ih_l{k}, weight_hh_l{k},
              unidirectional, torch gate order r, z, n             bias_ih_l{k}, bias_hh_l{k}
                                                                   (without bias: none)
  conv2d      in_channels, out_channels, freq, kernel_time,       weight (out, in, kt, kf),
              kernel_freq, stride_time(1), stride_freq(1),        bias (out)
              dilation_time(1), dilation_freq(1), padding_freq(0), bias(true)
              over (time, frequency): activations (N, T, in_channels*freq) are viewed as
              x.reshape(N, T, C, F).permute(0, 2, 1, 3) -> (N, C, T, F); the output
              (N, C', T', F') is flattened back as y.permute(0, 2, 1, 3).reshape(N, T', C'*F')
              (feature index c * F + f). Time is causal (left zero padding
              (kernel_time-1)*dilation_time, T -> ceil(T/stride_time), stride_time at most
              that receptive field); frequency has padding_freq zero bins on both sides
  attention_pool in_features, attention_dim(0)                    proj.weight (A, C),
              score_t = v . tanh(W x_t + b) (A > 0) or w . x_t     proj.bias (A) when A > 0,
              (A = 0); output frame t = softmax-weighted mean of  score.weight (1, A or C)
              frames 0..t (causal: the last frame is the whole-sequence pooled vector)

Every layer is causal, so a network over a stream gives the same outputs chunk by chunk
as over the whole sequence (the C++ streaming contract). SpecNet is the whole-sequence
reference only: its `states` carry LSTM state across calls but a chunked call re-pads the
convolutions, so chunked SpecNet calls do not equal one call (nn/ keeps the conv context). Dropout is training-only and is
not written to the list.
"""

from __future__ import annotations

import json

import numpy as np

try:
    import torch
    from torch import nn
    import torch.nn.functional as F
except ImportError:  # the contract and validation work without torch
    torch = None
    nn = None
    F = None

# The checks of the C++ loader (nn/layer_registry.cc, nn/layer_fields.cc, nn/network.cc),
# so that a spec the server would reject fails here, at export time, with the same wording.
_MAX_CHANNELS = 1 << 16  # kMaxLayerChannels
_MAX_FRAMES = 4096  # kMaxLayerFrames: kernel sizes, strides, dilations, padding
_MAX_SUBSAMPLING = 1 << 20  # the network's total subsampling

# field -> ("int", default, min, max) | ("bool", default) | ("number", default, above, max);
# default None: the field is required. "number" takes an int or float x with above < x <= max.
_CHANNELS = ("int", None, 1, _MAX_CHANNELS)
_KERNEL = ("int", None, 1, _MAX_FRAMES)
_FRAMES_1 = ("int", 1, 1, _MAX_FRAMES)
_EPS = ("number", 1e-5, 0.0, 1.0)
_RECURRENT = {"input_size": _CHANNELS, "hidden_size": _CHANNELS, "num_layers": ("int", 1, 1, 64)}
_SCHEMA = {
    "conv1d": {"in_channels": _CHANNELS, "out_channels": _CHANNELS, "kernel_size": _KERNEL,
               "stride": _FRAMES_1, "dilation": _FRAMES_1, "groups": ("int", 1, 1, _MAX_CHANNELS),
               "bias": ("bool", True), "causal": ("bool", True),
               "padding": ("int", 0, 0, _MAX_FRAMES)},
    "batchnorm": {"num_features": _CHANNELS, "eps": _EPS},
    "linear": {"in_features": _CHANNELS, "out_features": _CHANNELS, "bias": ("bool", True)},
    "lstm": dict(_RECURRENT),
    "layernorm": {"num_features": _CHANNELS, "eps": _EPS},
    "max_pool": {"kernel_size": _KERNEL},
    "avg_pool": {"kernel_size": _KERNEL},
    "leaky_relu": {"negative_slope": ("number", 0.01, -float("inf"), float("inf"))},
    "gru": {**_RECURRENT, "bias": ("bool", True)},
    "conv2d": {"in_channels": _CHANNELS, "out_channels": _CHANNELS, "freq": _CHANNELS,
               "kernel_time": _KERNEL, "kernel_freq": _KERNEL, "stride_time": _FRAMES_1,
               "stride_freq": _FRAMES_1, "dilation_time": _FRAMES_1,
               "dilation_freq": _FRAMES_1, "padding_freq": ("int", 0, 0, _MAX_FRAMES),
               "bias": ("bool", True)},
    "attention_pool": {"in_features": _CHANNELS,
                       "attention_dim": ("int", 0, 0, _MAX_CHANNELS)},
}
_ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "softmax", "log_softmax", "leaky_relu")
_FIELDS = {kind: set(fields) for kind, fields in _SCHEMA.items()}
_REQUIRED = {kind: tuple(k for k, rule in fields.items() if rule[1] is None)
             for kind, fields in _SCHEMA.items()}


def _describe(value) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _check_field(where: str, key: str, rule: tuple, layer: dict):
    """The value of `key` (its default when absent), or ValueError as LayerFields words it."""
    kind, default = rule[0], rule[1]
    if kind == "int":
        allowed = f"must be an integer in [{rule[2]}, {rule[3]}]"
    elif kind == "bool":
        allowed = "must be true or false"
    else:
        allowed = f"must be a number in ({rule[2]:g}, {rule[3]:g}]"
    if key not in layer:
        if default is None:
            raise ValueError(f'{where}: field "{key}" is required and {allowed}')
        return default
    value = layer[key]
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and \
            rule[2] <= value <= rule[3]
    elif kind == "bool":
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and \
            rule[2] < value <= rule[3]
    if not ok:
        raise ValueError(f'{where}: field "{key}" {allowed}, got {_describe(value)}')
    return value


def _field_error(where: str, key: str, what: str) -> ValueError:
    return ValueError(f'{where}: field "{key}" {what}')


def _geometry(where: str, kind: str, c: dict):
    """(in_channels, in_field, out_channels, stride) of one entry whose fields passed
    _check_field (c holds every field, defaults filled in); in/out 0 when shape-preserving.
    Raises ValueError for the cross-field rules of the C++ parsers."""
    if kind == "conv1d":
        groups = c["groups"]
        if c["in_channels"] % groups or c["out_channels"] % groups:
            raise _field_error(where, "groups", f"must divide in_channels ({c['in_channels']}) "
                               f"and out_channels ({c['out_channels']}), got {groups}")
        if c["causal"] and c["padding"] != 0:
            raise _field_error(where, "padding", 'must be 0 when "causal" is true (the default: '
                               f"causal padding is implied), got {c['padding']}")
        field = (c["kernel_size"] - 1) * c["dilation"] + 1
        if c["causal"] and c["stride"] > field:
            raise _field_error(where, "stride", "must be at most the receptive field (kernel_size "
                               f'- 1) * dilation + 1 = {field} when "causal" is true, '
                               f"got {c['stride']}")
        return c["in_channels"], "in_channels", c["out_channels"], c["stride"]
    if kind == "conv2d":
        if c["in_channels"] * c["freq"] > _MAX_CHANNELS:
            raise _field_error(where, "freq", f"times in_channels must be at most {_MAX_CHANNELS}"
                               f", got {c['freq']} x {c['in_channels']}")
        freq_out = _conv2d_freq_out(c)
        if freq_out <= 0:
            raise _field_error(where, "kernel_freq", f"with dilation_freq {c['dilation_freq']} "
                               f"spans more than freq ({c['freq']}) + 2 * padding_freq "
                               f"({c['padding_freq']}) bins; got {c['kernel_freq']}")
        if c["out_channels"] * freq_out > _MAX_CHANNELS:
            raise _field_error(where, "out_channels", f"times the {freq_out} output bins must be "
                               f"at most {_MAX_CHANNELS}, got {c['out_channels']}")
        field = (c["kernel_time"] - 1) * c["dilation_time"] + 1
        if c["stride_time"] > field:
            raise _field_error(where, "stride_time", "must be at most the time receptive field "
                               f"(kernel_time - 1) * dilation_time + 1 = {field}, got "
                               f"{c['stride_time']}")
        return (c["in_channels"] * c["freq"], "in_channels * freq", c["out_channels"] * freq_out,
                c["stride_time"])
    if kind in ("batchnorm", "layernorm"):
        return c["num_features"], "num_features", c["num_features"], 1
    if kind == "linear":
        return c["in_features"], "in_features", c["out_features"], 1
    if kind in ("lstm", "gru"):
        return c["input_size"], "input_size", c["hidden_size"], 1
    if kind == "attention_pool":
        return c["in_features"], "in_features", c["in_features"], 1
    if kind in ("max_pool", "avg_pool"):
        return 0, "", 0, c["kernel_size"]
    return 0, "", 0, 1


def validate(spec: list) -> None:
    """Raises ValueError for everything the C++ loader rejects before reading tensors:
    unknown types or fields, bad names, field types and ranges, the per-layer shape rules
    (conv1d groups and causal stride/padding, conv2d frequency fit and stride_time), channel
    counts that do not chain, a batchnorm not after conv1d/linear, subsampling > 2^20."""
    if not isinstance(spec, list) or not spec:
        raise ValueError("layers must be a non-empty list")
    names = set()
    plans = []
    for i, layer in enumerate(spec):
        if not isinstance(layer, dict):
            raise ValueError(f"layers[{i}]: must be an object")
        kind = layer.get("type")
        if kind not in _FIELDS and kind not in _ACTIVATIONS:
            raise ValueError(f"layers[{i}]: unknown type {kind!r}")
        name = layer.get("name")
        if not isinstance(name, str) or not name or "." in name or name in names:
            raise ValueError(f"layers[{i}]: name must be unique, non-empty, without '.'")
        names.add(name)
        extra = set(layer) - {"type", "name"} - _FIELDS.get(kind, set())
        if extra:
            raise ValueError(f"layers[{i}] ({kind}): unknown fields {sorted(extra)}")
        where = f'layers[{i}] ("{name}", {kind})'
        fields = {key: _check_field(where, key, rule, layer)
                  for key, rule in _SCHEMA.get(kind, {}).items()}
        plans.append((where, kind, _geometry(where, kind, fields)))
    channels = next((g[0] for _, _, g in plans if g[0] > 0), 0)
    if channels == 0:
        raise ValueError("no layer sets a channel count (conv1d, linear, lstm, layernorm or "
                         "batchnorm)")
    jump = 1
    for i, (where, kind, (need, field, out, stride)) in enumerate(plans):
        if need > 0 and need != channels:
            raise _field_error(where, field, f"is {need} but {plans[i - 1][0]} outputs "
                               f"{channels} channels; they must match")
        if kind == "batchnorm" and (i == 0 or plans[i - 1][1] not in ("conv1d", "linear")):
            raise ValueError(f"{where}: batchnorm must directly follow a conv1d or linear (it "
                             "is folded into it at load)")
        jump *= stride
        if jump > _MAX_SUBSAMPLING:
            raise ValueError(f"{where}: total subsampling exceeds {_MAX_SUBSAMPLING}")
        if out > 0:
            channels = out


def _conv2d_freq_out(c: dict) -> int:
    span = (c["freq"] + 2 * c.get("padding_freq", 0)
            - c.get("dilation_freq", 1) * (c["kernel_freq"] - 1) - 1)
    return span // c.get("stride_freq", 1) + 1 if span >= 0 else 0


def subsampling(spec: list) -> int:
    """Input frames per output frame."""
    factor = 1
    for layer in spec:
        if layer["type"] == "conv1d":
            factor *= layer.get("stride", 1)
        elif layer["type"] == "conv2d":
            factor *= layer.get("stride_time", 1)
        elif layer["type"] in ("max_pool", "avg_pool"):
            factor *= layer["kernel_size"]
    return factor


def receptive_field(spec: list) -> int:
    """Input frames (counting back from the newest) that one output frame depends on,
    ignoring the unbounded LSTM memory."""
    field, jump = 1, 1
    for layer in spec:
        if layer["type"] == "conv1d":
            field += (layer["kernel_size"] - 1) * layer.get("dilation", 1) * jump
            jump *= layer.get("stride", 1)
        elif layer["type"] == "conv2d":
            field += (layer["kernel_time"] - 1) * layer.get("dilation_time", 1) * jump
            jump *= layer.get("stride_time", 1)
        elif layer["type"] in ("max_pool", "avg_pool"):
            field += (layer["kernel_size"] - 1) * jump
            jump *= layer["kernel_size"]
    return field


if torch is not None:

    class CausalConv1d(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.causal = c.get("causal", True)
            self.left = (c["kernel_size"] - 1) * c.get("dilation", 1) if self.causal else 0
            self.conv = nn.Conv1d(c["in_channels"], c["out_channels"], c["kernel_size"],
                                  stride=c.get("stride", 1), dilation=c.get("dilation", 1),
                                  groups=c.get("groups", 1), bias=c.get("bias", True),
                                  padding=0 if self.causal else c.get("padding", 0))

        def forward(self, x):  # (N, T, C)
            x = x.transpose(1, 2)
            if self.left:
                x = F.pad(x, (self.left, 0))
            return self.conv(x).transpose(1, 2)

    class TimeBatchNorm(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.bn = nn.BatchNorm1d(c["num_features"], eps=c.get("eps", 1e-5))

        def forward(self, x):
            return self.bn(x.transpose(1, 2)).transpose(1, 2)

    class TimePool(nn.Module):
        def __init__(self, c, kind):
            super().__init__()
            self.k = c["kernel_size"]
            self.kind = kind

        def forward(self, x):
            x = x.transpose(1, 2)
            pool = F.max_pool1d if self.kind == "max_pool" else F.avg_pool1d
            return pool(x, self.k, self.k).transpose(1, 2)

    class Lstm(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.lstm = nn.LSTM(c["input_size"], c["hidden_size"], c.get("num_layers", 1),
                                batch_first=True)

        def forward(self, x, state=None):
            y, state = self.lstm(x, state)
            self.last_state = state
            return y

    class Gru(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.gru = nn.GRU(c["input_size"], c["hidden_size"], c.get("num_layers", 1),
                              bias=c.get("bias", True), batch_first=True)

        def forward(self, x, state=None):
            y, state = self.gru(x, state)
            self.last_state = state
            return y

    class TimeFreqConv2d(nn.Module):
        """conv2d: (N, T, C*F) -> (N, T', C'*F'), causal in time (see the table above)."""

        def __init__(self, c):
            super().__init__()
            self.channels, self.freq = c["in_channels"], c["freq"]
            self.left = (c["kernel_time"] - 1) * c.get("dilation_time", 1)
            self.conv = nn.Conv2d(c["in_channels"], c["out_channels"],
                                  (c["kernel_time"], c["kernel_freq"]),
                                  stride=(c.get("stride_time", 1), c.get("stride_freq", 1)),
                                  dilation=(c.get("dilation_time", 1), c.get("dilation_freq", 1)),
                                  padding=(0, c.get("padding_freq", 0)), bias=c.get("bias", True))

        def forward(self, x):  # (N, T, C*F)
            n, t, _ = x.shape
            x = x.reshape(n, t, self.channels, self.freq).permute(0, 2, 1, 3)
            if self.left:
                x = F.pad(x, (0, 0, self.left, 0))
            y = self.conv(x)  # (N, C', T', F')
            return y.permute(0, 2, 1, 3).reshape(n, y.shape[2], -1)

    class AttentionPool(nn.Module):
        """attention_pool: (N, T, C) -> (N, T, C), frame t pooling frames 0..t."""

        def __init__(self, c):
            super().__init__()
            dim = c.get("attention_dim", 0)
            self.proj = nn.Linear(c["in_features"], dim) if dim else None
            self.score = nn.Linear(dim or c["in_features"], 1, bias=False)

        def forward(self, x):
            h = torch.tanh(self.proj(x)) if self.proj is not None else x
            s = self.score(h).squeeze(-1)  # (N, T)
            t = x.shape[1]
            seen = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
            w = torch.softmax(s[:, None, :].masked_fill(~seen, float("-inf")), dim=-1)
            return w @ x

    class Activation(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.kind = c["type"]
            self.slope = c.get("negative_slope", 0.01)

        def forward(self, x):
            k = self.kind
            if k == "relu":
                return F.relu(x)
            if k == "tanh":
                return torch.tanh(x)
            if k == "sigmoid":
                return torch.sigmoid(x)
            if k == "gelu":
                return F.gelu(x)
            if k == "softmax":
                return F.softmax(x, dim=-1)
            if k == "log_softmax":
                return F.log_softmax(x, dim=-1)
            return F.leaky_relu(x, self.slope)

    def _module(c):
        kind = c["type"]
        if kind == "conv1d":
            return CausalConv1d(c)
        if kind == "batchnorm":
            return TimeBatchNorm(c)
        if kind == "linear":
            return nn.Linear(c["in_features"], c["out_features"], bias=c.get("bias", True))
        if kind == "lstm":
            return Lstm(c)
        if kind == "gru":
            return Gru(c)
        if kind == "conv2d":
            return TimeFreqConv2d(c)
        if kind == "attention_pool":
            return AttentionPool(c)
        if kind == "layernorm":
            return nn.LayerNorm(c["num_features"], eps=c.get("eps", 1e-5))
        if kind in ("max_pool", "avg_pool"):
            return TimePool(c, kind)
        return Activation(c)

    class SpecNet(nn.Module):
        """The layer list as one module: forward((N, T, C)) -> (N, T', C').

        `dropout` > 0 inserts training-only dropout after each LSTM and activation."""

        def __init__(self, spec: list, dropout: float = 0.0):
            super().__init__()
            validate(spec)
            self.spec = [dict(c) for c in spec]
            self.layers = nn.ModuleDict({c["name"]: _module(c) for c in spec})
            self.dropout = dropout

        def forward(self, x, states=None):
            """`states` (dict name -> LSTM (h, c) or GRU h) carries recurrent state across
            chunks; the new states are in self.states afterwards."""
            self.states = {}
            for c in self.spec:
                layer = self.layers[c["name"]]
                if c["type"] in ("lstm", "gru"):
                    x = layer(x, None if states is None else states.get(c["name"]))
                    self.states[c["name"]] = layer.last_state
                else:
                    x = layer(x)
                if self.dropout and self.training and c["type"] in ("lstm", "gru", "relu",
                                                                    "gelu", "leaky_relu"):
                    x = F.dropout(x, self.dropout, True)
            return x

        def export_tensors(self, dtype=np.float32) -> dict:
            """Tensors named as the model file stores them ("<layer>.<torch name>")."""
            out = {}
            for c in self.spec:
                name = c["name"]
                module = self.layers[name]
                inner = {"conv1d": lambda m: m.conv, "batchnorm": lambda m: m.bn,
                         "lstm": lambda m: m.lstm, "gru": lambda m: m.gru,
                         "conv2d": lambda m: m.conv}.get(c["type"], lambda m: m)(module)
                for key, value in inner.state_dict().items():
                    if key == "num_batches_tracked":
                        continue
                    out[f"{name}.{key}"] = value.detach().cpu().numpy().astype(dtype)
            return out

        def load_exported(self, tensors: dict) -> None:
            """Loads tensors named as export_tensors writes them (e.g. read back from a
            model file, float16 upcast), so references use the weights as stored."""
            inner = {"conv1d": "conv", "batchnorm": "bn", "lstm": "lstm", "gru": "gru",
                     "conv2d": "conv"}
            state = {}
            for c in self.spec:
                prefix = c["name"] + "."
                for name, value in tensors.items():
                    if name.startswith(prefix):
                        key = name[len(prefix):]
                        sub = inner.get(c["type"])
                        state[f"layers.{c['name']}." + (f"{sub}.{key}" if sub else key)] = \
                            torch.from_numpy(np.asarray(value, np.float32))
            missing, unexpected = self.load_state_dict(state, strict=False)
            missing = [m for m in missing if not m.endswith("num_batches_tracked")]
            if missing or unexpected:
                raise ValueError(f"load_exported: missing {missing}, unexpected {unexpected}")

    def count_parameters(module) -> int:
        return sum(p.numel() for p in module.parameters())

    def macs_per_frame(spec: list) -> float:
        """Multiply-accumulates per input frame (for the GFLOP/s figure: 2 x MACs x rate)."""
        total, rate = 0.0, 1.0
        for c in spec:
            kind = c["type"]
            if kind == "conv1d":
                rate /= c.get("stride", 1)
                total += rate * c["out_channels"] * (c["in_channels"] // c.get(
                    "groups", 1)) * c["kernel_size"]
            elif kind in ("max_pool", "avg_pool"):
                rate /= c["kernel_size"]
            elif kind == "linear":
                total += rate * c["in_features"] * c["out_features"]
            elif kind == "lstm":
                h, i = c["hidden_size"], c["input_size"]
                for k in range(c.get("num_layers", 1)):
                    total += rate * 4 * h * ((i if k == 0 else h) + h)
            elif kind == "gru":
                h, i = c["hidden_size"], c["input_size"]
                for k in range(c.get("num_layers", 1)):
                    total += rate * 3 * h * ((i if k == 0 else h) + h)
            elif kind == "conv2d":
                rate /= c.get("stride_time", 1)
                total += rate * c["out_channels"] * _conv2d_freq_out(c) * c["in_channels"] * \
                    c["kernel_time"] * c["kernel_freq"]
            elif kind == "attention_pool":
                dim = c.get("attention_dim", 0)
                total += rate * ((c["in_features"] + 1) * dim if dim else c["in_features"])
        return total


def spec_json(spec: list) -> str:
    validate(spec)
    return json.dumps(spec)
