"""LSTM and LSTMCell, unrolled from linear + slices + sigmoid + tanh + mul + add.

Nothing here has its own gradient rule: the picture of an LSTM shows every gate of every time
step, each node in a group such as "t 3 / forget gate" (with "layer 1 / " in front when there
are several layers) and the values named as in the equations: i3, f3, g3, o3, c3, h3 for step 3
of 1 … T, starting from h0 and c0. Parameters are torch's: weight_ih_l0 (4·hidden, input), weight_hh_l0
(4·hidden, hidden), bias_ih_l0, bias_hh_l0, … with the gate rows in torch's order i, f, g, o,
all ~ U(−1/√hidden, 1/√hidden).

`LSTM(..., unroll=False)` computes the same numbers with one `lstm` op per layer (ops/lstm.py):
one graph node instead of ~16 per step, for training speed; its picture shows one box per layer.
"""
from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from .. import init
from ..errors import ExplainerError
from ..i18n import gettext
from ..nn import Module, Parameter
from ..ops import OPS
from ..tensor import Tensor, _apply, _leaf, stack


def _uniform_parameters(module: Module, hidden_size: int) -> None:
    bound = 1 / math.sqrt(hidden_size) if hidden_size else 0
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


def _new(shape, dtype) -> Parameter:
    return Parameter(np.empty(shape, dtype=dtype))


class LSTMCell(Module):
    """One step: (h', c') = cell(x, (h, c)); without a state, h and c start at zero."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype=np.float32):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = _new((4 * hidden_size, input_size), dtype)
        self.weight_hh = _new((4 * hidden_size, hidden_size), dtype)
        if bias:
            self.bias_ih = _new(4 * hidden_size, dtype)
            self.bias_hh = _new(4 * hidden_size, dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        _uniform_parameters(self, hidden_size)

    def forward(self, x: Tensor, hx: tuple[Tensor, Tensor] | None = None):
        if x.value.ndim not in (1, 2) or x.value.shape[-1] != self.input_size:
            raise ExplainerError(gettext("LSTMCell({input}, {hidden}) expects input (batch, {input}) or ({input},), "
                                         "got shape {shape}").format(input=self.input_size, hidden=self.hidden_size,
                                                                     shape=list(x.value.shape)))
        if hx is None:
            zero = _leaf(np.zeros(x.value.shape[:-1] + (self.hidden_size,), dtype=x.value.dtype))
            hx = (zero, zero)
        return F.lstm_cell(x, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class LSTM(Module):
    """output, (h_n, c_n) = lstm(x, (h_0, c_0)) with x (T, N, input) — (N, T, input) when
    batch_first — or unbatched (T, input); h_0, c_0 (num_layers, N, hidden), zeros if omitted.

    unroll=True (the default) builds every gate of every step from ops, for pictures;
    unroll=False runs each layer as one `lstm` op, for speed. Both give torch's numbers.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, dtype=np.float32, unroll: bool = True):
        super().__init__()
        if bidirectional or proj_size:
            raise ExplainerError(gettext("this LSTM runs one direction without projection; use "
                                         "bidirectional=False and proj_size=0 (or the torch engine)"))
        if not 0 <= dropout <= 1:
            raise ExplainerError(gettext("dropout should be a number in range [0, 1], got {dropout}").format(
                dropout=dropout))
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, dropout
        self.unroll = unroll
        for layer in range(num_layers):
            width = input_size if layer == 0 else hidden_size
            setattr(self, f"weight_ih_l{layer}", _new((4 * hidden_size, width), dtype))
            setattr(self, f"weight_hh_l{layer}", _new((4 * hidden_size, hidden_size), dtype))
            if bias:
                setattr(self, f"bias_ih_l{layer}", _new(4 * hidden_size, dtype))
                setattr(self, f"bias_hh_l{layer}", _new(4 * hidden_size, dtype))
        _uniform_parameters(self, hidden_size)

    def _layer_parameters(self, layer: int):
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return [getattr(self, f"{n}_l{layer}", None) for n in names]

    def forward(self, x: Tensor, hx: tuple[Tensor, Tensor] | None = None):
        unbatched = x.value.ndim == 2
        if x.value.ndim not in (2, 3) or x.value.shape[-1] != self.input_size:
            expected = (gettext("LSTM({input}, {hidden}) expects input (batch, seq, {input}), got shape {shape}")
                        if self.batch_first else
                        gettext("LSTM({input}, {hidden}) expects input (seq, batch, {input}), got shape {shape}"))
            raise ExplainerError(expected.format(input=self.input_size, hidden=self.hidden_size,
                                                 shape=list(x.value.shape)))
        if not self.unroll:
            return self._fused(x, hx, unbatched)
        time_axis = 0 if unbatched or not self.batch_first else 1
        steps = x.value.shape[time_axis]
        batch = () if unbatched else (x.value.shape[1 - time_axis],)
        # a step's input: x[t] or x[:, t]; an input that needs no gradient is sliced as data
        inputs = [x[t] if time_axis == 0 else x[:, t] for t in range(steps)]
        states = self._initial_state(hx, batch, x.value.dtype)
        last_h, last_c = [], []
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                inputs = [F.dropout(h, self.dropout) for h in inputs]
            w_ih, w_hh, b_ih, b_hh = self._layer_parameters(layer)
            h, c = states[layer]
            outputs = []
            for t in range(steps):          # named as in the equations: h1 … hT, from h0
                where = f"t {t + 1}" if self.num_layers == 1 else f"layer {layer} / t {t + 1}"
                suffix = str(t + 1) if self.num_layers == 1 else f"{t + 1} (layer {layer})"
                h, c = F.lstm_cell(inputs[t], (h, c), w_ih, w_hh, b_ih, b_hh, where, suffix)
                outputs.append(h)
            inputs = outputs
            last_h.append(h)
            last_c.append(c)
        output = stack(inputs, dim=time_axis)
        output.group = "output"
        h_n, c_n = stack(last_h), stack(last_c)
        return output, (h_n, c_n)

    def _fused(self, x: Tensor, hx, unbatched: bool):
        """One `lstm` op per layer on a (T, N, features) sequence."""
        seq = x.unsqueeze(1) if unbatched else x.transpose(0, 1) if self.batch_first else x
        batch = () if unbatched else (seq.value.shape[1],)
        states = self._initial_state(hx, batch, x.value.dtype)
        last_h, last_c = [], []
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                seq = F.dropout(seq, self.dropout)
            h0, c0 = states[layer]
            if unbatched:
                h0, c0 = h0.unsqueeze(0), c0.unsqueeze(0)
            params = [p for p in self._layer_parameters(layer) if p is not None]
            packed = _apply(OPS["lstm"], (seq, h0, c0, *params))      # (2, T, N, H): h's, c's
            packed.group = f"layer {layer}" if self.num_layers > 1 else None
            seq = packed[0]
            last_h.append(packed[0, -1])
            last_c.append(packed[1, -1])
        h_n, c_n = stack(last_h), stack(last_c)
        if unbatched:
            return seq.squeeze(1), (h_n.squeeze(1), c_n.squeeze(1))
        return (seq.transpose(0, 1) if self.batch_first else seq), (h_n, c_n)

    def _initial_state(self, hx, batch: tuple, dtype) -> list:
        """One (h, c) pair per layer: slices of the given h_0, c_0, or zeros."""
        shape = (self.num_layers, *batch, self.hidden_size)
        if hx is None:
            states = []
            for layer in range(self.num_layers):
                h0, c0 = (_leaf(np.zeros(shape[1:], dtype=dtype)) for _ in range(2))
                where = "" if self.num_layers == 1 else f" (layer {layer})"
                h0.name, c0.name = "h0" + where, "c0" + where
                states.append((h0, c0))
            return states
        h0, c0 = hx
        for name, t in (("h_0", h0), ("c_0", c0)):
            if tuple(t.value.shape) != shape:
                expected = (gettext("LSTM expects {name} of shape {shape} (num_layers, batch, hidden), got {got}")
                            if batch else
                            gettext("LSTM expects {name} of shape {shape} (num_layers, hidden), got {got}"))
                raise ExplainerError(expected.format(name=name, shape=list(shape), got=list(t.value.shape)))
        return [(h0[layer], c0[layer]) for layer in range(self.num_layers)]

    def extra_repr(self) -> str:
        extra = [f"num_layers={self.num_layers}"] if self.num_layers != 1 else []
        extra += ["bias=False"] if not self.bias else []
        extra += ["batch_first=True"] if self.batch_first else []
        extra += [f"dropout={self.dropout}"] if self.dropout else []
        return ", ".join([f"{self.input_size}", f"{self.hidden_size}"] + extra)
