"""two-layer-manual: y_pred = x·w1·w2 trained by hand with autograd and a no_grad update.

The tutorial: N=64, D_in=1000, H=100, D_out=10; x, y, w1, w2 = randn; no activation; loss = sum of
squares; lr = 1e-6; the update runs under torch.no_grad() and zeroes the grads; 500 iterations.
The loop body below is the tutorial's, line for line, on either engine: torch draws x, y, w1 and
w2, and --engine explainer runs the same lines on copies of them in this project's tensors.
"""
from __future__ import annotations

import numpy as np

from .. import checkpoint
from .registry import Example, RunOptions, RunResult, register
from .runtime import Clock, StepLoop, ckpt_path, engine_modules, finish, plot_loss, resolve_device, setup_torch
from ..i18n import gettext

NAME = "two-layer-manual"
N, D_IN, H, D_OUT = 64, 1000, 100, 10
LR, STEPS, SAVE_EVERY = 1e-6, 500, 100


def run(options: RunOptions) -> RunResult:
    device = resolve_device(options)
    torch = setup_torch(options.seed)
    engine = engine_modules(options, device)
    x, y = torch.randn(N, D_IN), torch.randn(N, D_OUT)
    w1, w2 = torch.randn(D_IN, H), torch.randn(H, D_OUT)
    clock = Clock()
    x, y, w1, w2 = (engine.tensor(t) for t in (x, y, w1, w2))
    w1, w2 = w1.requires_grad_(), w2.requires_grad_()
    losses, start = [], 0
    if options.resume:
        saved = _load(options, engine.name)
        with engine.no_grad():
            w1.copy_(engine.tensor(saved["w1"])), w2.copy_(engine.tensor(saved["w2"]))
        start, losses = saved["step"], list(saved["losses"])

    def step(i):
        nonlocal w1, w2  # `w1 -= ...` below is in place, as in the tutorial; nonlocal only lets the closure say it
        y_pred = x.mm(w1).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with engine.no_grad():
            w1 -= LR * w1.grad
            w2 -= LR * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
        return loss.item()

    def save(done):
        _save(options, engine.name, {"step": done, "losses": losses}, w1, w2)

    StepLoop(options, NAME, options.steps or STEPS, SAVE_EVERY).run(step, start, losses, save)
    result = RunResult(NAME, options.engine, device, losses=losses, reported="the loss falls steadily",
                       extra={"initial_loss": losses[0]})
    plot_loss(result, options, NAME, losses, gettext("{name}: sum of squares").format(name=NAME), log=True)
    return finish(result, clock, options)


def _save(options: RunOptions, engine: str, meta: dict, w1, w2) -> None:
    path = ckpt_path(options, NAME)
    if engine == "torch":
        checkpoint.save_torch(path, {"example": NAME, **meta, "w1": w1.detach().cpu(), "w2": w2.detach().cpu()})
    else:
        checkpoint.save_npz(path, {"w1": w1.detach().numpy(), "w2": w2.detach().numpy()}, {"example": NAME, **meta})


def _load(options: RunOptions, engine: str) -> dict:
    path = ckpt_path(options, NAME)
    if engine == "torch":
        return checkpoint.load_torch(path, NAME)
    arrays, meta = checkpoint.load_npz(path, NAME)
    return {**meta, "w1": np.asarray(arrays["w1"]), "w2": np.asarray(arrays["w2"])}


register(Example(
    name=NAME,
    summary="x·w1·w2 (1000→100→10, no activation) by hand: sum of squares, lr=1e-6, 500 steps",
    source="PyTorch tensors and autograd: a two-layer net updated under no_grad",
    hyper={"N": N, "D_in": D_IN, "H": H, "D_out": D_OUT, "lr": LR, "steps": STEPS, "loss": "sum of squares"},
    reported="the loss falls steadily (no figure given)",
    expects="the final loss far below the first",
    run=run,
    engines=("torch", "explainer"),
))
