"""linreg-module: the same y = 3x + 0.8, now as an nn.Module `Lr` wrapping Linear(1, 1).

The tutorial: x = rand(50, 1); MSELoss; SGD lr = 1e-3; 30000 iterations (its GPU variant runs 300);
model.eval() before predicting. It calls criterion(y, out) — target and prediction swapped; MSE is
symmetric so the numbers do not change, but the right order is criterion(out, y), used here.
"""
from __future__ import annotations

import numpy as np

from .registry import Example, RunOptions, RunResult, register
from .runtime import (Clock, engine_modules, finish, fit_module, ours_like, plot_fit, plot_loss,
                      resolve_device, setup_torch)

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
    x = torch.rand([50, 1])
    y = x * 3 + 0.8
    model = make_model(torch.nn)
    engine = engine_modules(options, device)
    nn, optim, as_tensor = engine.nn, engine.optim, engine.tensor
    if options.engine == "explainer":  # our Lr, from the same initial weights
        model = ours_like(model, make_model(nn))
    clock = Clock()
    x, y, model = as_tensor(x).to(device), as_tensor(y).to(device), model.to(device)
    losses = fit_module(options, NAME, model, nn.MSELoss(), optim.SGD(model.parameters(), lr=LR), x, y,
                 options.steps or STEPS, SAVE_EVERY)
    model.eval()
    w, b = float(model.linear.weight.item()), float(model.linear.bias.item())
    result = RunResult(NAME, options.engine, device, final_loss=losses[-1], losses=losses,
                       params={"w": w, "b": b}, reported="a plot: the fitted line through the data")
    plot_fit(result, options, NAME, np.asarray(x.cpu()), np.asarray(y.cpu()), w, b)
    plot_loss(result, options, NAME, losses, f"{NAME}: MSELoss", log=True)
    return finish(result, clock, options)


register(Example(
    name=NAME,
    summary="the same line as an nn.Module (Linear(1,1)), MSELoss and SGD lr=1e-3 (30000 steps)",
    source="Pytorch完成基础的模型 (seed 003): nn.Module, optim.SGD, nn.MSELoss, model.eval()",
    hyper={"n": 50, "lr": LR, "steps": STEPS, "optimizer": "SGD", "loss": "MSELoss"},
    reported="a plot only: the fitted line through the data",
    expects="w → 3 and b → 0.8 (slowly: lr is 1e-3)",
    run=run,
    engines=("torch", "explainer"),
))
