"""Function-preserving widening of the denoise network's LSTM (Net2Net-style).

`widen(tensors, layers, hidden, rng)` returns the tensors and layer list of the same
network with `hidden` LSTM units instead of the file's H (hidden >= H). The first H units
of every layer keep their weights; the new units get PyTorch's default LSTM initialisation
for their own gate rows, and every weight that carries a new unit's output into an old
unit or into the mask layer is zero. The old units therefore compute exactly what they
did, and the widened network's mask equals the original's bit for bit (in float32), while
training can grow the new units from there. Tensors keep their stored dtype.
"""

import numpy as np

GATES = 4  # PyTorch LSTM row blocks: input, forget, cell, output


def _grow_rows(w, old, new, rng, scale):
    """(4 old, ...) -> (4 new, ...): each gate block keeps its rows, new rows random."""
    blocks = []
    for g in range(GATES):
        block = w[g * old:(g + 1) * old]
        extra = rng.uniform(-scale, scale, (new - old,) + w.shape[1:])
        blocks += [block, extra.astype(w.dtype)]
    return np.concatenate(blocks, axis=0)


def _grow_cols(w, old, new, rng, scale):
    """(4 new, old) -> (4 new, new): the new input columns are zero in each gate block's
    first `old` rows (old units ignore the new units) and random in its new rows."""
    extra = rng.uniform(-scale, scale, w.shape[:-1] + (new - old,)).astype(w.dtype)
    for g in range(GATES):
        extra[g * new:g * new + old] = 0
    return np.concatenate([w, extra], axis=-1)


def widen(tensors: dict, layers: list, hidden: int, rng) -> tuple[dict, list]:
    """(tensors, layer list) of the network with its one LSTM widened to `hidden` units.
    The LSTM must be followed by a linear layer (the mask head)."""
    names = [c["type"] for c in layers]
    li = names.index("lstm")
    lstm = layers[li]
    old = lstm["hidden_size"]
    if hidden < old:
        raise ValueError(f"widen: --hidden {hidden} is smaller than the model's {old}")
    if names[li + 1] != "linear":
        raise ValueError("widen: the LSTM must feed a linear layer")
    scale = 1.0 / np.sqrt(hidden)  # torch.nn.LSTM's default uniform bound
    out = dict(tensors)
    p = lstm["name"]
    for k in range(lstm["num_layers"]):
        for b in ("bias_ih", "bias_hh"):
            out[f"{p}.{b}_l{k}"] = _grow_rows(tensors[f"{p}.{b}_l{k}"], old, hidden, rng, scale)
        w_hh = _grow_rows(tensors[f"{p}.weight_hh_l{k}"], old, hidden, rng, scale)
        out[f"{p}.weight_hh_l{k}"] = _grow_cols(w_hh, old, hidden, rng, scale)
        w_ih = _grow_rows(tensors[f"{p}.weight_ih_l{k}"], old, hidden, rng, scale)
        if k > 0:  # its input is the previous (widened) layer's output
            w_ih = _grow_cols(w_ih, old, hidden, rng, scale)
        out[f"{p}.weight_ih_l{k}"] = w_ih
    head = layers[li + 1]
    w = tensors[f"{head['name']}.weight"]  # (out, old): the new units reach no output yet
    out[f"{head['name']}.weight"] = np.concatenate(
        [w, np.zeros((w.shape[0], hidden - old), w.dtype)], axis=1)
    new_layers = [dict(c) for c in layers]
    new_layers[li]["hidden_size"] = hidden
    new_layers[li + 1]["in_features"] = hidden
    return out, new_layers
