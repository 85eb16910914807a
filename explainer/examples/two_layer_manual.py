"""two-layer-manual: y_pred = x·w1·w2 trained by hand with autograd and a no_grad update.

The tutorial: N=64, D_in=1000, H=100, D_out=10; x, y, w1, w2 = randn; no activation; loss = sum of
squares; lr = 1e-6; the update runs under torch.no_grad() and zeroes the grads; 500 iterations.
"""
from __future__ import annotations

from .. import checkpoint
from .registry import Example, RunOptions, RunResult, register
from .runtime import Clock, StepLoop, ckpt_path, finish, plot_loss, resolve_device, setup_torch

NAME = "two-layer-manual"
N, D_IN, H, D_OUT = 64, 1000, 100, 10
LR, STEPS, SAVE_EVERY = 1e-6, 500, 100


def run(options: RunOptions) -> RunResult:
    device = resolve_device(options)
    torch = setup_torch(options.seed)
    x, y = torch.randn(N, D_IN), torch.randn(N, D_OUT)
    w1, w2 = torch.randn(D_IN, H), torch.randn(H, D_OUT)
    clock = Clock()
    x, y = x.to(device), y.to(device)
    w1, w2 = w1.to(device).requires_grad_(), w2.to(device).requires_grad_()
    losses, start, path = [], 0, ckpt_path(options, NAME)
    if options.resume:
        state = checkpoint.load_torch(path, NAME)
        with torch.no_grad():
            w1.copy_(state["w1"]), w2.copy_(state["w2"])
        start, losses = state["step"], list(state["losses"])

    def step(i):
        loss = (x.mm(w1).mm(w2) - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            w1.sub_(LR * w1.grad)
            w2.sub_(LR * w2.grad)
            w1.grad.zero_()
            w2.grad.zero_()
        return loss.item()

    def save(done):
        checkpoint.save_torch(path, {"example": NAME, "step": done, "w1": w1.detach().cpu(),
                                     "w2": w2.detach().cpu(), "losses": losses})

    StepLoop(options, NAME, options.steps or STEPS, SAVE_EVERY).run(step, start, losses, save)
    result = RunResult(NAME, options.engine, device, losses=losses, reported="the loss falls steadily",
                       extra={"initial_loss": losses[0]})
    plot_loss(result, options, NAME, losses, f"{NAME}: sum of squares", log=True)
    return finish(result, clock, options)


register(Example(
    name=NAME,
    summary="x·w1·w2 (1000→100→10, no activation) by hand: sum of squares, lr=1e-6, 500 steps",
    source="PyTorch tensors and autograd: a two-layer net updated under no_grad",
    hyper={"N": N, "D_in": D_IN, "H": H, "D_out": D_OUT, "lr": LR, "steps": STEPS, "loss": "sum of squares"},
    reported="the loss falls steadily (no figure given)",
    expects="the final loss far below the first",
    run=run,
))
