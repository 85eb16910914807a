"""linreg-manual: fit y = 3x + 0.8 by hand — zero the grads, backward, w -= lr·grad.

The tutorial: x = rand(50), y = 3x + 0.8; w, b = rand(1) requiring grad; loss = mean((ŷ - y)²);
3000 iterations at lr 0.01, printing every 500. It reports w = 2.9280, b = 0.8372.
Both engines start from the same x, w and b (drawn with torch's generator from --seed).
"""
from __future__ import annotations

from .. import checkpoint
from .registry import Example, RunOptions, RunResult, register
from .runtime import Clock, StepLoop, ckpt_path, finish, plot_fit, plot_loss, resolve_device, setup_torch
from ..i18n import gettext

NAME = "linreg-manual"
LR, STEPS, PRINT_EVERY = 0.01, 3000, 500


def initial_values(seed: int):
    """x, y, w0, b0 as float32 torch tensors, the tutorial's order of draws."""
    torch = setup_torch(seed)
    x = torch.rand([50])
    y = 3 * x + 0.8
    return x, y, torch.rand(1), torch.rand(1)


def run(options: RunOptions) -> RunResult:
    device = resolve_device(options)
    x, y, w0, b0 = initial_values(options.seed)
    total = options.steps or STEPS
    clock = Clock()
    if options.engine == "torch":
        w, b, losses = _train_torch(options, device, x, y, w0, b0, total)
    else:
        w, b, losses = _train_explainer(options, x.numpy(), y.numpy(), w0.numpy(), b0.numpy(), total)
    result = RunResult(NAME, options.engine, device, final_loss=losses[-1], losses=losses,
                       params={"w": w, "b": b}, reported="w = 2.9280, b = 0.8372 after 3000 steps",
                       extra={"loss_every_500": {i: losses[i] for i in range(0, total, PRINT_EVERY)}})
    _plot(options, x.numpy(), y.numpy(), w, b, losses, result)
    return finish(result, clock, options)


def _train_torch(options, device, x, y, w0, b0, total):
    import torch

    x, y = x.to(device), y.to(device)
    w = w0.clone().to(device).requires_grad_()
    b = b0.clone().to(device).requires_grad_()
    losses, start, path = [], 0, ckpt_path(options, NAME)
    if options.resume:
        state = checkpoint.load_torch(path, NAME)
        with torch.no_grad():
            w.copy_(state["w"]), b.copy_(state["b"])
        start, losses = state["step"], list(state["losses"])

    def step(i):
        loss = (x * w + b - y).pow(2).mean()
        for p in (w, b):
            if p.grad is not None:
                p.grad.zero_()
        loss.backward()
        with torch.no_grad():
            w.sub_(LR * w.grad)
            b.sub_(LR * b.grad)
        return loss.item()

    def save(done):
        checkpoint.save_torch(path, {"example": NAME, "step": done, "w": w.detach().cpu(),
                                     "b": b.detach().cpu(), "losses": losses})

    StepLoop(options, NAME, total, PRINT_EVERY).run(step, start, losses, save)
    return w.item(), b.item(), losses


def _train_explainer(options, x, y, w0, b0, total):
    from ..tensor import Tensor, no_grad

    x, y = Tensor(x), Tensor(y)
    w, b = Tensor(w0.copy(), requires_grad=True), Tensor(b0.copy(), requires_grad=True)
    losses, start, path = [], 0, ckpt_path(options, NAME)
    if options.resume:
        arrays, meta = checkpoint.load_npz(path, NAME)
        w.data[...], b.data[...] = arrays["w"], arrays["b"]
        start, losses = meta["step"], list(meta["losses"])

    def step(i):  # line for line the torch loop above, in our engine
        loss = (x * w + b - y).pow(2).mean()
        for p in (w, b):
            if p.grad is not None:
                p.grad.zero_()
        loss.backward()
        with no_grad():
            w.sub_(LR * w.grad)
            b.sub_(LR * b.grad)
        return float(loss.item())

    def save(done):
        checkpoint.save_npz(path, {"w": w.data, "b": b.data}, {"example": NAME, "step": done, "losses": losses})

    StepLoop(options, NAME, total, PRINT_EVERY).run(step, start, losses, save)
    return float(w.data[0]), float(b.data[0]), losses


def _plot(options, x, y, w, b, losses, result):
    plot_fit(result, options, NAME, x, y, w, b)
    plot_loss(result, options, NAME, losses, gettext("{name}: mean squared error").format(name=NAME), log=True)


register(Example(
    name=NAME,
    summary="y = 3x + 0.8 fitted by hand: zero grads, backward, w -= 0.01·grad (3000 steps)",
    source="PyTorch手动实现线性回归 (seed 000): tensors with requires_grad and a hand-written update",
    hyper={"n": 50, "lr": LR, "steps": STEPS, "print_every": PRINT_EVERY, "init": "w, b = rand(1)"},
    reported="w = 2.9280, b = 0.8372",
    expects="w within 0.1 of 3 and b within 0.1 of 0.8; both engines' losses agree to 1e-5 at every step",
    run=run,
    engines=("torch", "explainer"),
))
