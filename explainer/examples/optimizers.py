"""optimizers: the tutorial's "effect demo" — seven methods race on one loss surface.

The tutorial names BGD, SGD, mini-batch SGD, Momentum, AdaGrad, RMSProp and Adam and shows their
paths as pictures. Here the surface is the one the learner already knows: the mean squared error
of y = w·x + b over the 50 points of linreg-manual (x = rand(50), y = 3x + 0.8), minimum at
(w, b) = (3, 0.8). Every method starts at the same point and sees the same sequence of samples:
BGD all 50 points per step, SGD one, the rest mini-batches of 10. The surface is long and thin
(x lies in 0..1, so w and b pull against each other), which is exactly where momentum and the
adaptive methods differ from plain descent.

With --engine explainer the same steps run with explainer.optim, and each trajectory is compared
with torch.optim's step by step (float64).
"""
from __future__ import annotations

import numpy as np

from .registry import Example, RunOptions, RunResult, register
from .runtime import Clock, Engine, engine_named, finish, plot_path, resolve_device, setup_torch
from ..i18n import gettext

NAME = "optimizers"
START, MINIMUM, STEPS, BATCH = (-1.0, 0.0), (3.0, 0.8), 200, 10
# method -> (torch.optim class name, its keyword arguments, samples per step)
METHODS = {
    "BGD": ("SGD", {"lr": 0.3}, 50),
    "SGD": ("SGD", {"lr": 0.3}, 1),
    "mini-batch SGD": ("SGD", {"lr": 0.3}, BATCH),
    "Momentum": ("SGD", {"lr": 0.05, "momentum": 0.9}, BATCH),
    "AdaGrad": ("Adagrad", {"lr": 1.0}, BATCH),
    "RMSProp": ("RMSprop", {"lr": 0.05}, BATCH),
    "Adam": ("Adam", {"lr": 0.2}, BATCH),
}


def data(seed: int):
    """x, y (float64 numpy) and, per step, the sample indices each batch size sees."""
    torch = setup_torch(seed)
    x = torch.rand([50], dtype=torch.float64).numpy()
    return x, 3 * x + 0.8


def batches(seed: int, steps: int, size: int) -> list[np.ndarray]:
    """Shuffled passes over the 50 points, `size` at a time; the same for every method of a size."""
    rng = np.random.RandomState(seed)
    order = np.concatenate([rng.permutation(50) for _ in range(steps * size // 50 + 1)])
    return [order[i * size:(i + 1) * size] for i in range(steps)]


def surface(x, y):
    """The full-data MSE as a function of (W, B) grids, for the contour plot."""
    def mse(W, B):
        return ((W[..., None] * x + B[..., None] - y) ** 2).mean(-1)
    return mse


def trajectory(engine: Engine, class_name: str, kwargs: dict, x, y, order) -> np.ndarray:
    """(w, b) after every step from START, with one optimiser class of the engine's optim module."""
    p = engine.tensor(np.array(START)).requires_grad_()
    optimizer = getattr(engine.optim, class_name)([p], **kwargs)
    points = [np.array(START)]
    for index in order:
        xb, yb = engine.tensor(x[index]), engine.tensor(y[index])
        loss = ((p[0] * xb + p[1] - yb) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        points.append(p.detach().cpu().numpy().copy())
    return np.array(points)


def run_all(engine: Engine, x, y, seed: int, steps: int) -> dict[str, np.ndarray]:
    return {name: trajectory(engine, cls, kwargs, x, y, batches(seed, steps, size))
            for name, (cls, kwargs, size) in METHODS.items()}


def run(options: RunOptions) -> RunResult:
    device = resolve_device(options)
    if device != "cpu":
        options.reporter.note(gettext("optimizers is two numbers per step: it runs on the CPU"))
        device = "cpu"
    setup_torch(options.seed)  # seeds torch and keeps it to one thread
    steps = options.steps or STEPS
    x, y = data(options.seed)
    clock = Clock()
    options.reporter.start(len(METHODS), NAME)
    paths = run_all(engine_named("torch"), x, y, options.seed, steps)
    extra = {}
    if options.engine == "explainer":
        ours = run_all(engine_named("explainer"), x, y, options.seed, steps)
        extra["max_step_gap"] = {name: float(np.abs(ours[name] - paths[name]).max()) for name in METHODS}
        paths = ours
    options.reporter.advance(len(METHODS))
    options.reporter.stop()
    mse = surface(x, y)
    losses = {name: mse(points[:, 0], points[:, 1]).tolist() for name, points in paths.items()}
    extra["final"] = {name: {"w": float(points[-1, 0]), "b": float(points[-1, 1]), "loss": losses[name][-1]}
                      for name, points in paths.items()}
    result = RunResult(NAME, options.engine, device, final_loss=losses["Adam"][-1], extra=extra,
                       losses=losses["Adam"], reported="pictures of the seven paths (no numbers)")
    picture = plot_path(options, f"{NAME}.svg")
    if picture is not None:
        from ..render import plots

        result.plots.append(str(plots.optimizer_paths(mse, (-1.5, 4.5, -1.0, 3.5), paths, losses, picture,
                                                      start=START, minimum=MINIMUM)))
    return finish(result, clock, options)


register(Example(
    name=NAME,
    summary="BGD, SGD, mini-batch, Momentum, AdaGrad, RMSProp and Adam from one start on one surface",
    source="Pytorch完成基础的模型 §3 (seed 003): the common optimisers and their effect demo",
    hyper={name: {"optimizer": cls, **kwargs, "batch": size} for name, (cls, kwargs, size) in METHODS.items()}
    | {"start": START, "steps": STEPS},
    reported="an animation of the paths (no numbers)",
    expects="all seven end near (3, 0.8), Momentum first; our optimisers' steps equal torch.optim's",
    run=run,
    engines=("torch", "explainer"),
    checkpoints=False,
))
