"""two-layer-sequential: the same data through Sequential(Linear(1000,100), Linear(100,10)).

The tutorial: MSELoss(reduction='sum'), Adam lr = 1e-4, 500 iterations.
"""
from __future__ import annotations

from .registry import Example, RunOptions, RunResult, register
from .runtime import (Clock, engine_modules, finish, fit_module, ours_like, plot_loss, resolve_device,
                      setup_torch)

NAME = "two-layer-sequential"
N, D_IN, H, D_OUT = 64, 1000, 100, 10
LR, STEPS, SAVE_EVERY = 1e-4, 500, 100


def sequential(nn):
    return nn.Sequential(nn.Linear(D_IN, H), nn.Linear(H, D_OUT))


def train_module(options: RunOptions, name: str, make_model) -> RunResult:
    """x, y = randn; the model from `make_model(nn)`; MSELoss(sum) and Adam, checkpointed.

    With --engine explainer the same model is built from explainer.nn with the torch model's
    initial weights and trained by the same loop body."""
    device = resolve_device(options)
    torch = setup_torch(options.seed)
    x, y = torch.randn(N, D_IN), torch.randn(N, D_OUT)
    model = make_model(torch.nn)
    engine = engine_modules(options, device)
    nn, optim, as_tensor = engine.nn, engine.optim, engine.tensor
    if options.engine == "explainer":
        model = ours_like(model, make_model(nn))
    clock = Clock()
    x, y, model = as_tensor(x).to(device), as_tensor(y).to(device), model.to(device)
    losses = fit_module(options, name, model, nn.MSELoss(reduction="sum"), optim.Adam(model.parameters(), lr=LR), x, y,
                 options.steps or STEPS, SAVE_EVERY)
    result = RunResult(name, options.engine, device, losses=losses, reported="the loss falls",
                       extra={"initial_loss": losses[0]})
    plot_loss(result, options, name, losses, f"{name}: MSELoss(sum)", log=True)
    return finish(result, clock, options)


def run(options: RunOptions) -> RunResult:
    return train_module(options, NAME, sequential)


register(Example(
    name=NAME,
    summary="Sequential(Linear(1000,100), Linear(100,10)): MSELoss(sum), Adam lr=1e-4, 500 steps",
    source="PyTorch nn and optim: the two-layer net as a Sequential",
    hyper={"N": N, "D_in": D_IN, "H": H, "D_out": D_OUT, "lr": LR, "steps": STEPS, "optimizer": "Adam"},
    reported="the loss falls (no figure given)",
    expects="the final loss far below the first",
    run=run,
    engines=("torch", "explainer"),
))
