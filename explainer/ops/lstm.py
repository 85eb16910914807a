"""One LSTM layer over a whole sequence as a single op: the fast path of `nn.LSTM(unroll=False)`.

The unrolled LSTM (layers/functional.lstm_cell per step) shows every gate in a picture but makes
~16 graph nodes per time step; this op makes one, and runs the same equations in numpy with
torch's gate order i, f, g, o:

    gates_t = x_t·W_ihᵀ + b_ih + b_hh + h_{t−1}·W_hhᵀ
    c_t = σ(f)·c_{t−1} + σ(i)·tanh(g),   h_t = σ(o)·tanh(c_t)

Inputs: x (T, N, I), h0 and c0 (N, H), W_ih (4H, I), W_hh (4H, H) and optionally b_ih, b_hh.
Output: one array (2, T, N, H) — every h_t, then every c_t — from which the layer slices its
output sequence and final state. The backward pass reuses the forward's gate activations (or
recomputes them from the saved states in one batched product) and walks time backwards once
(backpropagation through time).
"""
from __future__ import annotations

import numpy as np

from ..i18n import N_
from .registry import Op, Sample, register
from .saved import keep, take

ALL = (True,) * 7


def _sigmoid(x, out=None):
    """1 / (1 + e^−x): exact at both ends; e^−x may overflow to inf there, which gives 0."""
    e = np.exp(np.negative(x, out=out), out=out)
    e += 1
    return np.reciprocal(e, out=e)


def _project(x, w):
    """x · wᵀ over the last axis; a narrow input (the tutorial's one feature) as a broadcast
    product, which BLAS does badly with an inner size of 1."""
    if w.shape[1] <= 4:
        return np.einsum("...i,gi->...g", x, w)
    return x @ w.T


def lstm_forward(m, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
    steps, size = x.shape[0], h0.shape[-1]
    projected = _project(x, w_ih)                      # every step's input part in one product
    if b_ih is not None:
        projected += b_ih + b_hh
    dtype = np.result_type(x, w_hh)
    out = np.empty((2, steps) + h0.shape, dtype=dtype)
    acts = np.empty(projected.shape, dtype=dtype)      # every step's i, f, g, o
    w_hh_t = w_hh.T
    h, c = h0, c0
    with np.errstate(over="ignore"):
        for t in range(steps):
            act = acts[t]
            np.matmul(h, w_hh_t, out=act)
            act += projected[t]
            g = np.tanh(act[..., 2 * size:3 * size])
            _sigmoid(act, out=act)                         # σ on all four; only g uses tanh
            act[..., 2 * size:3 * size] = g
            c_next = np.multiply(act[..., size:2 * size], c, out=out[1, t])
            c_next += act[..., :size] * g
            h = np.multiply(act[..., 3 * size:], np.tanh(c_next), out=out[0, t])
            c = c_next
    keep(out, acts)
    return out


def _gates(x, h0, w_ih, w_hh, b_ih, b_hh, hs):
    """Every step's activated gates (T, N, 4H), recomputed from the saved hidden states: one
    product for all steps (step 0 from h0), σ in place, tanh on the g rows."""
    gates = _project(x, w_ih)
    gates[1:] += hs[:-1] @ w_hh.T
    gates[0] += h0 @ w_hh.T
    if b_ih is not None:
        gates += b_ih + b_hh
    size = h0.shape[-1]
    g = np.tanh(gates[..., 2 * size:3 * size])
    with np.errstate(over="ignore"):
        _sigmoid(gates, out=gates)
    gates[..., 2 * size:3 * size] = g
    return gates


def lstm_vjp(grad, xs, out, needs=ALL):
    x, h0, c0, w_ih, w_hh = xs[:5]
    b_ih, b_hh = (xs[5], xs[6]) if len(xs) > 5 else (None, None)
    hs, cs = out[0], out[1]
    size = h0.shape[-1]
    act = take(out)
    if act is None:
        act = _gates(x, h0, w_ih, w_hh, b_ih, b_hh, hs)
    i, f, g, o = (act[..., k * size:(k + 1) * size] for k in range(4))
    # ∂(pre-activation)/∂(h_t or c_t) of each gate for every step, in one buffer written in
    # place (few large temporaries: each new one costs page faults, more than the arithmetic)
    coef = np.empty((5,) + cs.shape, dtype=act.dtype)
    through_h, d_o, d_i, d_f, d_g = coef
    tanh_c = np.tanh(cs)
    np.multiply(tanh_c, tanh_c, out=through_h)
    np.subtract(1, through_h, out=through_h)
    through_h *= o                                     # ∂h_t/∂c_t = o·(1 − tanh²c_t)
    np.subtract(1, o, out=d_o)
    d_o *= o
    d_o *= tanh_c                                      # ∂h_t/∂o_pre = tanh c_t · o(1 − o)
    np.subtract(1, i, out=d_i)
    d_i *= i
    d_i *= g                                           # ∂c_t/∂i_pre = g · i(1 − i)
    np.subtract(1, f, out=d_f)
    d_f *= f
    d_f[1:] *= cs[:-1]                                 # ∂c_t/∂f_pre = c_{t−1} · f(1 − f)
    d_f[0] *= c0
    np.multiply(g, g, out=d_g)
    np.subtract(1, d_g, out=d_g)
    d_g *= i                                           # ∂c_t/∂g_pre = i · (1 − g²)
    d_gates = act                                      # the activations are not needed below
    dh = np.zeros_like(h0)
    dc = np.zeros_like(c0)
    for t in range(x.shape[0] - 1, -1, -1):           # back through time, one step at a time
        f_t = f[t].copy()                              # read before its row is overwritten
        dh += grad[0, t]
        dc += grad[1, t]
        dc += dh * through_h[t]
        dg = d_gates[t]
        np.multiply(dc, d_i[t], out=dg[..., :size])
        np.multiply(dc, d_f[t], out=dg[..., size:2 * size])
        np.multiply(dc, d_g[t], out=dg[..., 2 * size:3 * size])
        np.multiply(dh, d_o[t], out=dg[..., 3 * size:])
        dh = dg @ w_hh
        dc *= f_t
    flat = d_gates.reshape(-1, d_gates.shape[-1])
    gx = d_gates @ w_ih if needs[0] else None
    gw_ih = flat.T @ x.reshape(-1, x.shape[-1]) if needs[3] else None
    gw_hh = None
    if needs[4]:
        gw_hh = d_gates[0].reshape(-1, 4 * size).T @ h0.reshape(-1, size)
        if x.shape[0] > 1:
            gw_hh += d_gates[1:].reshape(-1, 4 * size).T @ hs[:-1].reshape(-1, size)
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
    text=(N_("grad back through every step's gates · W_ih"), N_("grad reaching the first step's h"),
          N_("grad reaching the first step's c"), N_("Σ over steps of gate grads ᵀ · x"),
          N_("Σ over steps of gate grads ᵀ · h(t−1)"), N_("gate grads summed over steps and batch"),
          N_("gate grads summed over steps and batch")),
    torch=lstm_torch, torch_name="nn.LSTM", grad_fn="MkldnnRnnLayerBackward0",
    samples=(Sample(tuple(np.random.default_rng(7).standard_normal(shape) for shape in
                          [(4, 2, 3), (2, 5), (2, 5), (20, 3), (20, 5), (20,), (20,)])),
             Sample(tuple(np.random.default_rng(8).standard_normal(shape) for shape in
                          [(3, 1, 2), (1, 4), (1, 4), (16, 2), (16, 4)])))))
