"""The training examples: one module each, all listed in `EXAMPLES` (see registry.py).

    from explainer.examples import run_example, RunOptions
    result = run_example("linreg-manual", RunOptions(engine="torch", seed=0))
    result.params   # {"w": 2.9..., "b": 0.8...}
"""
from __future__ import annotations

from threadpoolctl import threadpool_limits

from .registry import EXAMPLES, Example, Reporter, RunOptions, RunResult, get
from .runtime import check_options
# each import registers its example(s), in the order `explainer examples` lists them
from . import (  # noqa: F401
    linreg_manual, linreg_module, two_layer_manual, two_layer_sequential, two_layer_module, numpy_vs_torch,
    optimizers, mnist_mlp, digits_mlp, cnn, lstm, gan, sms_dataset, autograd_demos,
)


def run_example(name: str, options: RunOptions | None = None) -> RunResult:
    """Run one example by name; bad names and options raise ExplainerError before any work."""
    example = get(name)
    options = options or RunOptions()
    check_options(example, options)
    # One BLAS thread for our numpy engine, as setup_torch gives torch one: on these small nets a
    # second thread only adds hand-offs (two-layer-manual: 8.5 s with two threads, 0.5 s with one).
    with threadpool_limits(limits=1, user_api="blas"):
        return example.run(options)


__all__ = ["EXAMPLES", "Example", "Reporter", "RunOptions", "RunResult", "get", "run_example"]
