"""`import explainer.torch as torch`: torch's names over the project's own engine.

The tutorials' code runs unchanged when only its import lines change (`import torch` →
`import explainer.torch as torch`, `from torch import nn` → `from explainer.torch import nn`, …).
Nothing here computes: every name is the engine's (explainer.tensor, nn, optim, init,
functional), re-exported; the few torch conveniences the engine lacks (dtype objects, devices,
legacy tensor types, save/load, DataLoader) live in their own small modules beside this one.
"""
from __future__ import annotations

from .. import dtypes as _dtypes
from ..devices import device
from ..dtypes import DType as dtype
from .. import tensor as _engine
from ..ops import OPS as _OPS, functions as _functions
from ..tensor import (Generator, Size, Tensor, arange, argmax, as_tensor, cat, enable_grad,
                      from_numpy, full, is_grad_enabled, linspace, log_softmax, manual_seed,
                      matmul, max, mean, no_grad, ones, ones_like, rand, randint, randn,
                      randperm, reshape, set_grad_enabled, softmax, squeeze, stack, sum,
                      tensor, transpose, unsqueeze, zeros, zeros_like, default_generator)
from .factories import (allclose, bernoulli, empty, empty_like, eq, equal, eye, full_like,
                        get_default_dtype, is_tensor, isclose, logspace, mm, multinomial, normal,
                        numel, rand_like, randint_like, randn_like, range, t)
from .legacy import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,
                     IntTensor, LongTensor, ShortTensor)
from .serialization import load, save
from . import autograd, cuda, nn, optim, utils  # noqa: E402  (torch's submodules)
from .nn import functional  # noqa: F401


_TORCH_MODULES = ("", ".nn", ".nn.functional", ".nn.init", ".optim", ".utils", ".utils.data",
                  ".autograd", ".cuda", ".serialization")


def modules() -> dict:
    """{'torch': this package, 'torch.nn': …, 'torch.utils.data': …}: what to place in
    `sys.modules` so that a script's own `import torch…` lines resolve to this namespace."""
    import importlib
    return {"torch" + tail: importlib.import_module(__name__ + tail) for tail in _TORCH_MODULES}


def _method_as_function(name: str):
    def function(input, *args, **kwargs):
        x = input if isinstance(input, Tensor) else tensor(input)
        return getattr(x, name)(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.{name}(input, …) = input.{name}(…), the registry's op {name!r}."
    return function


# torch's top-level elementwise names come from the op registry, so a new op appears here by
# itself: the registry's functions that torch has at its top level (torch.exp, torch.sigmoid, …;
# not torch.nn.functional.leaky_relu) are the engine's own functions, and its arithmetic ops
# (torch.add, torch.mul, …) call the Tensor method of the same name.
for _op in _functions():
    if "." not in _op.torch_name:
        globals()[_op.name] = getattr(_engine, _op.name)
for _name, _op in _OPS.items():
    if _op.elementwise and not _op.function and hasattr(Tensor, _name) and _name not in globals():
        globals()[_name] = _method_as_function(_name)
del _name, _op


# dtypes last: `float`, `int`, `bool` shadow the builtins for the rest of this module only
float32 = float = _dtypes.float32  # noqa: A001
float64 = double = _dtypes.float64
float16 = half = _dtypes.float16
int64 = long = _dtypes.int64
int32 = int = _dtypes.int32  # noqa: A001
int16 = short = _dtypes.int16
int8 = _dtypes.int8
uint8 = _dtypes.uint8
bool = _dtypes.bool_  # noqa: A001
