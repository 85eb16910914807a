"""numpy-vs-torch: one 4-3-1 sigmoid network trained three ways — numpy by hand, torch by hand,
torch with autograd — from the same uniform initial weights.

The tutorial: X = [[1,0,1,0],[1,0,1,1],[0,1,0,1]], y = [[1],[1],[0]]; sigmoid everywhere; lr = 0.1;
5000 epochs; the hand-written backward is the delta rule for E = ½·Σ(y − out)², so its update
`w += lr·(deltas)` is exactly `w -= lr·∂E/∂w`, which autograd confirms.

Its torch version has a bug (--show-bug runs it beside the fixed one): it drops the output bias,
`output = sigmoid(output_layer_input1)`, and updates both biases with `d_output.sum()` instead of
each layer's own delta summed over the batch.
"""
from __future__ import annotations

import numpy as np

from ..data import XOR_X, XOR_Y
from .registry import Example, RunOptions, RunResult, register
from .runtime import Clock, finish, plot_loss, resolve_device, setup_torch
from ..i18n import N_, gettext

NAME = "numpy-vs-torch"
LR, EPOCHS, HIDDEN = 0.1, 5000, 3


def initial_weights(seed: int) -> dict[str, np.ndarray]:
    """np.random.uniform as in the tutorial, float64: wh [4,3], bh [1,3], wout [3,1], bout [1,1]."""
    rng = np.random.RandomState(seed)
    return {"wh": rng.uniform(size=(4, HIDDEN)), "bh": rng.uniform(size=(1, HIDDEN)),
            "wout": rng.uniform(size=(HIDDEN, 1)), "bout": rng.uniform(size=(1, 1))}


def sigmoid(m, x):
    return 1 / (1 + m.exp(-x))


def hand_step(m, X, y, p, buggy: bool = False):
    """One forward and hand-written backward; updates `p` in place, returns (output, deltas).

    `m` is numpy or torch (the code is the same in both, which is the tutorial's point);
    `buggy` reproduces the tutorial's torch version."""
    hidden = sigmoid(m, X @ p["wh"] + p["bh"])
    out_input1 = hidden @ p["wout"]
    output = sigmoid(m, out_input1 if buggy else out_input1 + p["bout"])
    d_output = (y - output) * output * (1 - output)
    d_hidden = (d_output @ p["wout"].T) * hidden * (1 - hidden)
    deltas = {"wout": hidden.T @ d_output, "wh": X.T @ d_hidden}
    if buggy:
        deltas["bout"] = deltas["bh"] = d_output.sum()  # one number for every bias
    else:
        deltas["bout"] = d_output.sum(0, keepdims=True) if m is np else d_output.sum(0, keepdim=True)
        deltas["bh"] = d_hidden.sum(0, keepdims=True) if m is np else d_hidden.sum(0, keepdim=True)
    for name, delta in deltas.items():
        p[name] += delta * LR
    return output, deltas


def train_hand(m, X, y, p, epochs: int, buggy: bool = False):
    for _ in range(epochs):
        hand_step(m, X, y, p, buggy)
    return sigmoid(m, sigmoid(m, X @ p["wh"] + p["bh"]) @ p["wout"] + (0 if buggy else p["bout"]))


def forward(t, X, p):
    return t.sigmoid(t.sigmoid(X @ p["wh"] + p["bh"]) @ p["wout"] + p["bout"])


def train_autograd(t, X, y, leaves: dict, epochs: int):
    """The same net with autograd doing the backward: E = ½·Σ(y − out)², w -= lr·∂E/∂w.
    `t` is torch or our explainer.tensor; `leaves` are its tensors requiring grad."""
    losses = []
    for _ in range(epochs):
        loss = 0.5 * ((y - forward(t, X, leaves)) ** 2).sum()
        loss.backward()
        with t.no_grad():
            for value in leaves.values():
                value -= LR * value.grad
                value.grad.zero_()
        losses.append(float(loss.item()))
    with t.no_grad():
        return forward(t, X, leaves), losses


def gradient_gap(X_np, y_np, weights: dict, autograd_grads) -> float:
    """Largest |hand − autograd| / max(1, |autograd|) over every weight, at `weights` (numpy).
    The hand gradient is −delta: the tutorial adds lr·delta where descent subtracts lr·∂E/∂w."""
    _, deltas = hand_step(np, X_np, y_np, {n: v.copy() for n, v in weights.items()})
    grads = autograd_grads(weights)
    return max(float((np.abs(-deltas[n] - grads[n]) / np.maximum(1, np.abs(grads[n]))).max()) for n in grads)


def run(options: RunOptions) -> RunResult:
    device = resolve_device(options)
    torch = setup_torch(options.seed)
    epochs = options.epochs or options.steps or EPOCHS
    start = initial_weights(options.seed)
    clock = Clock()
    X_np, y_np = np.array(XOR_X, dtype=np.float64), np.array(XOR_Y, dtype=np.float64)
    X = torch.tensor(XOR_X, dtype=torch.float64, device=device)
    y = torch.tensor(XOR_Y, dtype=torch.float64, device=device)
    as_torch = {name: torch.tensor(value, device=device) for name, value in start.items()}

    numpy_out = train_hand(np, X_np, y_np, {n: v.copy() for n, v in start.items()}, epochs)
    torch_p = {n: v.clone() for n, v in as_torch.items()}
    torch_out = train_hand(torch, X, y, torch_p, epochs)

    # autograd: torch's, or with --engine explainer ours, from the same start
    if options.engine == "explainer":
        from .. import tensor as t

        def make(value):
            return t.tensor(np.asarray(value), dtype=t.float64)
    else:
        t = torch

        def make(value):
            return torch.tensor(np.asarray(value), dtype=torch.float64, device=device)

    def autograd_grads(weights):
        leaves = {n: make(v).requires_grad_() for n, v in weights.items()}
        (0.5 * ((make(y_np) - forward(t, make(X_np), leaves)) ** 2).sum()).backward()
        return {n: np.asarray(leaf.grad.detach().cpu()) for n, leaf in leaves.items()}

    leaves = {n: make(v).requires_grad_() for n, v in start.items()}
    auto_out, losses = train_autograd(t, make(X_np), make(y_np), leaves, epochs)
    auto_out = np.asarray(auto_out.detach().cpu())
    gap_start = gradient_gap(X_np, y_np, start, autograd_grads)
    gap_end = gradient_gap(X_np, y_np, {n: v.cpu().numpy() for n, v in torch_p.items()}, autograd_grads)

    predictions = {"numpy": np.ravel(numpy_out), "torch": torch_out.cpu().numpy().ravel(),
                   "autograd": auto_out.ravel()}
    extra = {"predictions": {k: [round(float(v), 6) for v in vals] for k, vals in predictions.items()},
             "rounded": [int(round(float(v))) for v in predictions["autograd"]],
             "gradient_gap": max(gap_start, gap_end),
             "numpy_torch_gap": float(np.abs(predictions["numpy"] - predictions["torch"]).max())}
    if options.show_bug:
        buggy_out = train_hand(torch, X, y, {n: v.clone() for n, v in as_torch.items()}, epochs, buggy=True)
        extra["buggy_predictions"] = [round(float(v), 6) for v in buggy_out.cpu().numpy().ravel()]
        extra["bug"] = gettext("the tutorial's torch loop drops the output bias and updates both biases with "
                               "d_output.sum(); fixed: output = sigmoid(output_layer_input1 + bout), "
                               "bout += d_output.sum(0)·lr, bh += d_hiddenlayer.sum(0)·lr")
    result = RunResult(NAME, options.engine, device, losses=losses, extra=extra,
                       reported="predictions close to [1, 1, 0]")
    plot_loss(result, options, NAME, losses, f"{NAME}: ½·Σ(y − out)²", label=N_("epoch"))
    return finish(result, clock, options)


register(Example(
    name=NAME,
    summary="a 4-3-1 sigmoid net by hand in numpy, by hand in torch, and with autograd (5000 epochs)",
    source="PyTorch入门 (seed 002): the same network in numpy and in PyTorch; --show-bug runs its bias bug",
    hyper={"layers": "4-3-1", "activation": "sigmoid", "init": "uniform(0,1)", "lr": LR, "epochs": EPOCHS},
    reported="predictions close to [1, 1, 0]",
    expects="hand-written gradients equal autograd's (1e-6); predictions round to [1, 1, 0]",
    run=run,
    engines=("torch", "explainer"),
    checkpoints=False,
))
