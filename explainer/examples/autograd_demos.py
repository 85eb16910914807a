"""The tutorials' autograd demos (EXAMPLES.md section B), runnable as examples.

Each demo is written once against a torch-like pair `t, nn` — torch and torch.nn, or our engine's
explainer.tensor and explainer.nn, which offer the same names — and returns its numbers, so
`--engine explainer` shows our engine giving the tutorial's results too. They are five tiny programs, so they share this one module.
"""
from __future__ import annotations

from .registry import Example, RunOptions, RunResult, register
from .runtime import Clock, finish, setup_torch


def _values(x) -> list:
    return x.detach().cpu().numpy().tolist() if hasattr(x, "detach") else x.numpy().tolist()


def mean_of_square(t, nn):
    x = t.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward()
    return {"out": float(out.item()), "x_grad": _values(x.grad)}


def mean_of_square_2(t, nn):
    x = t.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=t.float64, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    out.backward()
    return {"out": float(out.item()), "x_grad": _values(x.grad)}


def vjp(t, nn):
    x = t.tensor([1.0, 2.0, 3.0], dtype=t.float64, requires_grad=True)
    y = x * 2
    doublings = 1
    while float(y.norm().item()) < 1000:  # the loop is data-dependent: autograd records whichever path ran
        y = y * 2
        doublings += 1
    v = t.tensor([0.1, 1.0, 0.0001], dtype=t.float64)
    y.backward(v)
    return {"y": _values(y), "factor": 2 ** doublings, "x_grad": _values(x.grad)}


def grad_fn(t, nn):
    a = t.randn(2, 2)
    flags = {"a.requires_grad": a.requires_grad}
    a = (a * 3) / (a - 1)
    a.requires_grad_(True)
    flags["after requires_grad_(True)"] = a.requires_grad
    b = (a * a).sum()
    flags["b.grad_fn"] = type(b.grad_fn).__name__
    with t.no_grad():
        c = (a * a).sum()
    flags["c.requires_grad under no_grad"] = c.requires_grad
    flags["detach().requires_grad"] = a.detach().requires_grad
    w = t.ones(3, requires_grad=True)
    for _ in range(2):  # grads accumulate until zeroed
        (w * 2).sum().backward()
    flags["w.grad after two backward calls"] = _values(w.grad)
    w.grad.zero_()
    flags["w.grad after zero_()"] = _values(w.grad)
    return flags


def mse_arange(t, nn):
    # torch.arange(5, requires_grad=True) fails: integer tensors cannot require grad; make it float
    pred = t.arange(5, dtype=t.float32, requires_grad=True)
    loss = nn.MSELoss()(pred, t.ones(5))
    loss.backward()
    return {"loss": float(loss.item()), "pred_grad": [round(v, 6) for v in _values(pred.grad)]}


DEMOS = {
    "mean-of-square": (mean_of_square, "x = ones(2,2); out = mean(3(x+2)²)", "out = 27; x.grad = 4.5 everywhere"),
    "mean-of-square-2": (mean_of_square_2, "the same with x = [[1,2],[3,4]] (float64)",
                         "x.grad = [[4.5, 6.0], [7.5, 9.0]]"),
    "vjp": (vjp, "y = 2x doubled while ‖y‖ < 1000, then y.backward(v)", "y = 512·x; x.grad = [51.2, 512.0, 0.0512]"),
    "grad-fn": (grad_fn, "requires_grad, grad_fn, no_grad, detach, accumulating grads",
                "SumBackward0; no grad under no_grad; grads add up until zeroed"),
    "mse-arange": (mse_arange, "MSELoss of [0,1,2,3,4] against ones(5)", "loss = 3.0; grad = [-0.4, 0, 0.4, 0.8, 1.2]"),
}


def runner(name: str):
    demo = DEMOS[name][0]

    def run(options: RunOptions) -> RunResult:
        t = setup_torch(options.seed)
        nn = t.nn
        if options.engine == "explainer":
            from .. import nn
            from .. import tensor as t
        clock = Clock()
        values = demo(t, nn)
        result = RunResult(name, options.engine, "cpu", extra={"values": values}, reported=DEMOS[name][2])
        return finish(result, clock, options)

    return run


for _name, (_, _what, _expected) in DEMOS.items():
    register(Example(
        name=_name,
        summary=f"autograd demo: {_what}",
        source="PyTorch中的自动求导 (seed 000): the autograd demos",
        hyper={},
        reported=_expected,
        expects=_expected,
        run=runner(_name),
        engines=("torch", "explainer"),
        devices=("cpu",),
        checkpoints=False,
    ))
