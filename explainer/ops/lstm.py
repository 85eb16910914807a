"""One LSTM layer over a whole sequence as a single op: the fast path of `nn.LSTM(unroll=False)`.

The unrolled LSTM (layers/functional.lstm_cell per step) shows every gate in a picture but makes
~16 graph nodes per time step; this op makes one, and runs the same equations in numpy with
torch's gate order i, f, g, o:

    gates_t = x_t·W_ihᵀ + b_ih + b_hh + h_{t−1}·W_hhᵀ
    c_t = σ(f)·c_{t−1} + σ(i)·tanh(g),   h_t = σ(o)·tanh(c_t)

Inputs: x (T, N, I), h0 and c0 (N, H), W_ih (4H, I), W_hh (4H, H) and optionally b_ih, b_hh.
Output: one array (2, T, N, H) — every h_t, then every c_t — from which the layer slices its
output sequence and final state. The backward pass recomputes the gates from the saved states
in one batched product and walks time backwards once (backpropagation through time).
"""
from __future__ import annotations

import numpy as np

from .registry import Op, Sample, register

ALL = (True,) * 7


def _sigmoid(x, out=None):
    """1 / (1 + e^−x): exact at both ends; e^−x may overflow to inf there, which gives 0."""
    e = np.exp(np.negative(x, out=out), out=out)
    e += 1
    return np.reciprocal(e, out=e)


def lstm_forward(m, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
    steps, size = x.shape[0], h0.shape[-1]
    projected = x @ w_ih.T                             # every step's input part in one product
    if b_ih is not None:
        projected += b_ih + b_hh
    out = np.empty((2, steps) + h0.shape, dtype=np.result_type(x, w_hh))
    w_hh_t = w_hh.T
    h, c = h0, c0
    with np.errstate(over="ignore"):
        for t in range(steps):
            gates = h @ w_hh_t
            gates += projected[t]
            g = np.tanh(gates[..., 2 * size:3 * size])
            act = _sigmoid(gates, out=gates)               # σ on all four; only g uses tanh
            c_next = np.multiply(act[..., size:2 * size], c, out=out[1, t])
            c_next += act[..., :size] * g
            h = np.multiply(act[..., 3 * size:], np.tanh(c_next), out=out[0, t])
            c = c_next
    return out


def _gates(x, h0, w_ih, w_hh, b_ih, b_hh, hs):
    """Every step's activated gates (T, N, 4H), recomputed from the saved hidden states."""
    h_prev = np.concatenate([h0[None], hs[:-1]])
    gates = x @ w_ih.T + h_prev @ w_hh.T
    if b_ih is not None:
        gates += b_ih + b_hh
    size = h0.shape[-1]
    with np.errstate(over="ignore"):
        act = _sigmoid(gates.copy())
    act[..., 2 * size:3 * size] = np.tanh(gates[..., 2 * size:3 * size])
    return act, h_prev


def lstm_vjp(grad, xs, out, needs=ALL):
    x, h0, c0, w_ih, w_hh = xs[:5]
    b_ih, b_hh = (xs[5], xs[6]) if len(xs) > 5 else (None, None)
    hs, cs = out[0], out[1]
    size = h0.shape[-1]
    act, h_prev = _gates(x, h0, w_ih, w_hh, b_ih, b_hh, hs)
    i, f, g, o = (act[..., k * size:(k + 1) * size] for k in range(4))
    c_prev = np.concatenate([c0[None], cs[:-1]])
    tanh_c = np.tanh(cs)
    # ∂(pre-activation)/∂(h_t or c_t) for each gate, for every step at once
    through_h = o * (1 - tanh_c * tanh_c)              # ∂h_t/∂c_t
    d_o = tanh_c * o * (1 - o)
    d_i = g * i * (1 - i)
    d_f = c_prev * f * (1 - f)
    d_g = i * (1 - g * g)
    d_gates = np.empty_like(act)
    dh = np.zeros_like(h0)
    dc = np.zeros_like(c0)
    for t in range(x.shape[0] - 1, -1, -1):           # back through time, one step at a time
        dh += grad[0, t]
        dc += grad[1, t]
        dc += dh * through_h[t]
        dg = d_gates[t]
        np.multiply(dc, d_i[t], out=dg[..., :size])
        np.multiply(dc, d_f[t], out=dg[..., size:2 * size])
        np.multiply(dc, d_g[t], out=dg[..., 2 * size:3 * size])
        np.multiply(dh, d_o[t], out=dg[..., 3 * size:])
        dh = dg @ w_hh
        dc = dc * f[t]
    flat = d_gates.reshape(-1, d_gates.shape[-1])
    gx = d_gates @ w_ih if needs[0] else None
    gw_ih = flat.T @ x.reshape(-1, x.shape[-1]) if needs[3] else None
    gw_hh = flat.T @ h_prev.reshape(-1, size) if needs[4] else None
    gb = flat.sum(axis=0) if b_ih is not None else None
    return (gx, dh if needs[1] else None, dc if needs[2] else None, gw_ih, gw_hh) + \
        ((gb, gb.copy()) if b_ih is not None else ())


def lstm_torch(t, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
    """The same layer with torch's own LSTM kernel, packed as (2, T, N, H) like the op."""
    hs, cs, h, c = [], [], h0, c0
    for step in x:
        h, c = t.lstm_cell(step, (h, c), w_ih, w_hh, b_ih, b_hh)
        hs.append(h)
        cs.append(c)
    return t.stack([t.stack(hs), t.stack(cs)])


register(Op(
    name="lstm", arity=7, symbol="LSTM", forward=lstm_forward, vjp=lstm_vjp,
    text=("grad back through every step's gates · W_ih", "grad reaching the first step's h",
          "grad reaching the first step's c", "Σ over steps of gate grads ᵀ · x",
          "Σ over steps of gate grads ᵀ · h(t−1)", "gate grads summed over steps and batch",
          "gate grads summed over steps and batch"),
    torch=lstm_torch, torch_name="nn.LSTM", grad_fn="MkldnnRnnLayerBackward0",
    samples=(Sample(tuple(np.random.default_rng(7).standard_normal(shape) for shape in
                          [(4, 2, 3), (2, 5), (2, 5), (20, 3), (20, 5), (20,), (20,)])),
             Sample(tuple(np.random.default_rng(8).standard_normal(shape) for shape in
                          [(3, 1, 2), (1, 4), (1, 4), (16, 2), (16, 4)])))))
