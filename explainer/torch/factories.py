"""torch's constructors that the engine does not define itself (empty, eye, *_like, normal, …).

Each is a thin function over numpy and the engine's seeded generator (`explainer.tensor._rng`),
so `manual_seed` makes them reproducible like every other draw.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from ..tensor import Tensor, TensorError, _as_array, _leaf, _made, _rng, _shape_arg, float32


def _np(dtype, default=float32):
    return _dtypes.as_numpy(dtype) if dtype is not None else np.dtype(default)


def _like_dtype(t: Tensor, dtype):
    return _np(dtype, t.value.dtype)


def empty(*shape, dtype=None, requires_grad=False) -> Tensor:
    return _made(np.zeros(_shape_arg(shape), dtype=_np(dtype)), requires_grad)


def empty_like(t: Tensor, dtype=None, requires_grad=False) -> Tensor:
    return _made(np.zeros_like(t.value, dtype=_like_dtype(t, dtype)), requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, requires_grad=False) -> Tensor:
    return _made(np.full_like(t.value, fill_value, dtype=_like_dtype(t, dtype)), requires_grad)


def rand_like(t: Tensor, dtype=None, requires_grad=False) -> Tensor:
    return _made(_rng(None).random(t.value.shape).astype(_like_dtype(t, dtype)), requires_grad)


def randn_like(t: Tensor, dtype=None, requires_grad=False) -> Tensor:
    return _made(_rng(None).standard_normal(t.value.shape).astype(_like_dtype(t, dtype)), requires_grad)


def randint_like(t: Tensor, low, high=None, dtype=None) -> Tensor:
    if high is None:
        low, high = 0, low
    return _leaf(_rng(None).integers(low, high, size=t.value.shape).astype(_like_dtype(t, dtype)))


def eye(n: int, m: int | None = None, dtype=None, requires_grad=False) -> Tensor:
    return _made(np.eye(n, m, dtype=_np(dtype)), requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, dtype=None, requires_grad=False) -> Tensor:
    return _made(np.logspace(start, end, steps, base=base, dtype=_np(dtype)), requires_grad)


def range(start, end=None, step=1, dtype=None, requires_grad=False) -> Tensor:  # noqa: A001
    """torch.range (deprecated in torch): like arange but including `end`, float32 by default."""
    if end is None:
        start, end = 0, start
    count = int(np.floor((end - start) / step)) + 1
    return _made((start + step * np.arange(count)).astype(_np(dtype)), requires_grad)


def normal(mean, std=1.0, size=None, generator=None) -> Tensor:
    """Draws from N(mean, std²): mean/std may be numbers (then give `size`) or tensors."""
    m, s = _as_array(mean), _as_array(std)
    shape = tuple(size) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    dtype = m.dtype if m.dtype.kind == "f" else (s.dtype if s.dtype.kind == "f" else float32)
    return _leaf((m + s * _rng(generator).standard_normal(shape)).astype(dtype))


def bernoulli(probs: Tensor, generator=None) -> Tensor:
    p = probs.value
    return _leaf((_rng(generator).random(p.shape) < p).astype(p.dtype))


def multinomial(probs: Tensor, num_samples: int, replacement: bool = False, generator=None) -> Tensor:
    """Indices drawn with the given (unnormalised) weights, one row per distribution."""
    p = np.atleast_2d(probs.value.astype(np.float64))
    if not replacement and num_samples > p.shape[-1]:
        raise TensorError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rng = _rng(generator)
    rows = [rng.choice(p.shape[-1], num_samples, replace=replacement, p=row / row.sum()) for row in p]
    out = np.asarray(rows, dtype=np.int64)
    return _leaf(out if probs.value.ndim == 2 else out[0])


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def numel(x: Tensor) -> int:
    return x.numel()


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    return a.allclose(b, rtol, atol, equal_nan)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    return a.isclose(b, rtol, atol, equal_nan)


def equal(a, b) -> bool:
    return a.equal(b)


def mm(a: Tensor, b: Tensor) -> Tensor:
    return a.mm(b)


def t(x: Tensor) -> Tensor:
    return x.t()


def eq(a, b) -> Tensor:
    return a.eq(b)


def get_default_dtype():
    return _dtypes.float32
