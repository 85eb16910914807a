"""The op registry: every primitive declared once, read by the engines, the pictures and the check.

`OPS[name]` is an `Op`. Importing this package registers the scalar (elementwise) ops; the
tensor engine registers its structural ops (matmul, sum, softmax, …) from `ops.tensor_ops`.
"""
from .registry import OPS, Op, register, lookup
from . import elementwise  # noqa: F401  (registers the elementwise ops)
from . import tensor_ops  # noqa: F401  (registers the structural tensor ops)
from . import lstm  # noqa: F401  (registers the one-node LSTM layer)

__all__ = ["OPS", "Op", "register", "lookup"]
