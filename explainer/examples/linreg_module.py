"""linreg-module: the same y = 3x + 0.8, now as an nn.Module `Lr` wrapping Linear(1, 1).

The tutorial: x = rand(50, 1); MSELoss; SGD lr = 1e-3; 30000 iterations (its GPU variant runs 300);
model.eval() before predicting. It calls criterion(y, out) — target and prediction swapped; MSE is
symmetric so the numbers do not change, but the right order is criterion(out, y), used here.
"""
from __future__ import annotations

from .. import checkpoint
from .registry import Example, RunOptions, RunResult, register
from .runtime import Clock, StepLoop, ckpt_path, finish, plot_path, resolve_device, setup_torch

NAME = "linreg-module"
LR, STEPS, SAVE_EVERY = 1e-3, 30000, 1000


def make_model(nn):
    class Lr(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(1, 1)

        def forward(self, x):
            return self.linear(x)

    return Lr()


def run(options: RunOptions) -> RunResult:
    device = resolve_device(options)
    torch = setup_torch(options.seed)
    from torch import nn, optim

    x = torch.rand([50, 1])
    y = x * 3 + 0.8
    model = make_model(nn)
    clock = Clock()
    x, y, model = x.to(device), y.to(device), model.to(device)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=LR)
    losses, start, path = [], 0, ckpt_path(options, NAME)
    if options.resume:
        state = checkpoint.load_torch(path, NAME)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start, losses = state["step"], list(state["losses"])

    def step(i):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    def save(done):
        checkpoint.save_torch(path, {"example": NAME, "step": done, "model": model.state_dict(),
                                     "optimizer": optimizer.state_dict(), "losses": losses})

    total = options.steps or STEPS
    StepLoop(options, NAME, total, SAVE_EVERY).run(step, start, losses, save)
    model.eval()
    w, b = model.linear.weight.item(), model.linear.bias.item()
    result = RunResult(NAME, options.engine, device, final_loss=losses[-1], losses=losses,
                       params={"w": w, "b": b}, reported="a plot: the fitted line through the data")
    fit = plot_path(options, f"{NAME}-fit.svg")
    if fit is not None:
        from ..render import plots

        result.plots.append(str(plots.linear_fit(x.cpu().numpy(), y.cpu().numpy(), w, b, fit,
                                                 title=f"{NAME}: y = {w:.4f}x + {b:.4f}")))
        result.plots.append(str(plots.loss_curve(losses, plot_path(options, f"{NAME}-loss.svg"),
                                                 title=f"{NAME}: MSELoss", log=True)))
    return finish(result, clock, options)


register(Example(
    name=NAME,
    summary="the same line as an nn.Module (Linear(1,1)), MSELoss and SGD lr=1e-3 (30000 steps)",
    source="Pytorch完成基础的模型 (seed 003): nn.Module, optim.SGD, nn.MSELoss, model.eval()",
    hyper={"n": 50, "lr": LR, "steps": STEPS, "optimizer": "SGD", "loss": "MSELoss"},
    reported="a plot only: the fitted line through the data",
    expects="w → 3 and b → 0.8 (slowly: lr is 1e-3)",
    run=run,
))
