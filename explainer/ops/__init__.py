"""The op registry: every primitive declared once, read by the engines, the pictures and the check.

`OPS[name]` is an `Op`. Importing this package registers the elementwise ops (shared by both
engines) and the structural tensor ops (matmul, sum, softmax, …). `functions()` lists the
elementwise ops called by name, from which the engines make their methods.
"""
from .registry import OPS, Op, Sample, functions, lookup, register, torch_names
from . import elementwise  # noqa: F401  (registers the elementwise ops)
from . import tensor_ops  # noqa: F401  (registers the structural tensor ops)
from . import lstm  # noqa: F401  (registers the one-node LSTM layer)

__all__ = ["OPS", "Op", "Sample", "functions", "lookup", "register", "torch_names"]
