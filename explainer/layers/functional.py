"""Layers written with existing ops only, so a picture of them shows the math step by step.

batch_norm: (x − mean) / √(var + eps) · weight + bias, per channel.
lstm_cell: gates = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh, cut into torch's order i, f, g, o;
c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'). Every node gets a group such as
"t 3 / forget gate" (steps count from 1), so the pictures can be clustered per time step and per gate.
"""
from __future__ import annotations

from ..tensor import Tensor, TensorError, _leaf


def batch_norm(x: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.batch_norm: normalise each channel (dim 1) over every other dim.

    Training (or without running statistics) uses the batch's mean and biased variance and, when
    running tensors are given, moves them towards the batch's: running ← (1 − momentum)·running
    + momentum·batch, with the unbiased variance (n/(n − 1)) as torch keeps it. Otherwise the
    running statistics are used as constants.
    """
    if x.value.ndim < 2:
        raise TensorError(f"batch_norm expects input (N, C, ...), got shape {list(x.value.shape)}")
    channels = x.value.shape[1]
    dims = (0,) + tuple(range(2, x.value.ndim))
    shape = (1, channels) + (1,) * (x.value.ndim - 2)
    if training:
        count = x.value.size // max(channels, 1)
        if count <= 1:
            raise TensorError(f"Expected more than 1 value per channel when training, got input "
                              f"size {list(x.value.shape)}")
        mean = x.mean(dims, keepdim=True)
        centred = x - mean
        var = (centred * centred).mean(dims, keepdim=True)
        if running_mean is not None:
            running_mean.value *= 1 - momentum
            running_mean.value += momentum * mean.value.reshape(channels)
        if running_var is not None:
            running_var.value *= 1 - momentum
            running_var.value += (momentum * count / (count - 1)) * var.value.reshape(channels)
    else:
        if running_mean is None or running_var is None:
            raise TensorError("batch_norm needs running_mean and running_var when not training")
        centred = x - _leaf(running_mean.value.reshape(shape))
        var = _leaf(running_var.value.reshape(shape))
    out = centred / (var + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def lstm_cell(x: Tensor, state: tuple[Tensor, Tensor], w_ih: Tensor, w_hh: Tensor,
              b_ih: Tensor | None = None, b_hh: Tensor | None = None,
              group: str | None = None, suffix: str = "") -> tuple[Tensor, Tensor]:
    """One LSTM step: (h', c') from input x and state (h, c), with torch's gate order i, f, g, o.

    `group` (e.g. "t 3") labels every node "t 3 / input gate" and so on; with a group the gate
    values are also named i3, f3, g3, o3, c3, h3 (`suffix` is what follows the letter).
    """
    from .. import functional as F

    h, c = state
    size = h.value.shape[-1]
    from_input, from_hidden = F.linear(x, w_ih, b_ih), F.linear(h, w_hh, b_hh)
    gates = from_input + from_hidden
    cuts = [gates[..., k * size:(k + 1) * size] for k in range(4)]
    i, f, g, o = cuts[0].sigmoid(), cuts[1].sigmoid(), cuts[2].tanh(), cuts[3].sigmoid()
    remembered, written = f * c, i * g
    c_next = remembered + written
    squashed = c_next.tanh()
    h_next = o * squashed
    if group is not None:
        parts = {"gates": (from_input, from_hidden, gates),
                 "input gate": (cuts[0], i, written), "forget gate": (cuts[1], f, remembered),
                 "cell candidate": (cuts[2], g), "output gate": (cuts[3], o),
                 "cell": (c_next,), "hidden": (squashed, h_next)}
        for part, nodes in parts.items():
            for node in nodes:
                node.group = f"{group} / {part}"
        for letter, t in (("i", i), ("f", f), ("g", g), ("o", o), ("c", c_next), ("h", h_next)):
            t.name = letter + suffix
    return h_next, c_next
