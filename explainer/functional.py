"""torch.nn.functional for the tensor engine: layers and losses as functions of tensors.

Every function is one registry op (see ops/tensor_ops.py), so each shows up in a graph as one
node with torch's grad_fn name and its vector-Jacobian rule.
"""
from __future__ import annotations

import numpy as np

from .ops import OPS
from .tensor import Tensor, TensorError, _apply, _leaf, _rng

_REDUCTIONS = ("mean", "sum", "none")


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else _leaf(np.asarray(x))


def _check_reduction(reduction: str) -> dict:
    if reduction not in _REDUCTIONS:
        raise TensorError(f"{reduction} is not a valid value for reduction; use 'mean', 'sum' or 'none'")
    return {"reduction": reduction}


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x · Wᵀ + b in one node (torch's AddmmBackward0)."""
    inputs = (x, weight) if bias is None else (x, weight, bias)
    name = None if bias is not None and x.value.ndim == 2 else "MmBackward0"
    return _apply(OPS["linear"], inputs, None, name)


def relu(x: Tensor) -> Tensor: return x.relu()
def sigmoid(x: Tensor) -> Tensor: return x.sigmoid()
def tanh(x: Tensor) -> Tensor: return x.tanh()
def softmax(x: Tensor, dim: int = -1) -> Tensor: return x.softmax(dim)
def log_softmax(x: Tensor, dim: int = -1) -> Tensor: return x.log_softmax(dim)


def _check_targets(logits: Tensor, target: Tensor, what: str) -> None:
    if target.value.dtype.kind not in "iu":
        raise TensorError(f"{what} expects class indices as an integer tensor (long), "
                          f"got {target.value.dtype}")
    classes = logits.value.shape[-1]
    if logits.value.ndim == 2 and target.value.shape != logits.value.shape[:1]:
        raise TensorError(f"{what}: expected {logits.value.shape[0]} targets for a batch of "
                          f"{logits.value.shape[0]}, got shape {list(target.value.shape)}")
    if target.value.size and (target.value.min() < 0 or target.value.max() >= classes):
        bad = target.value[(target.value < 0) | (target.value >= classes)].flat[0]
        raise TensorError(f"Target {bad} is out of bounds.")


def nll_loss(log_probs: Tensor, target, reduction: str = "mean") -> Tensor:
    target = _tensor(target)
    _check_targets(log_probs, target, "nll_loss")
    return _apply(OPS["nll_loss"], (log_probs, target), _check_reduction(reduction))


def cross_entropy(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """log_softmax + nll_loss fused: its gradient is softmax − one-hot."""
    target = _tensor(target)
    _check_targets(logits, target, "cross_entropy")
    return _apply(OPS["cross_entropy"], (logits, target), _check_reduction(reduction))


def mse_loss(pred: Tensor, target, reduction: str = "mean") -> Tensor:
    return _apply(OPS["mse_loss"], (pred, _tensor(target)), _check_reduction(reduction))


def binary_cross_entropy_with_logits(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    return _apply(OPS["bce_with_logits"], (logits, _tensor(target)), _check_reduction(reduction))


def dropout(x: Tensor, p: float = 0.5, training: bool = True, generator=None) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p); identity in eval."""
    if not 0 <= p <= 1:
        raise TensorError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return x
    keep = _rng(generator).random(x.value.shape) >= p
    mask = keep.astype(x.value.dtype) / np.asarray(1 - p, dtype=x.value.dtype) if p < 1 else \
        np.zeros(x.value.shape, dtype=x.value.dtype)
    return _apply(OPS["dropout"], (x,), {"mask": mask, "p": p})


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0) -> Tensor:
    if x.value.ndim != 4 or weight.value.ndim != 4 or x.value.shape[1] != weight.value.shape[1]:
        raise TensorError(f"conv2d expects input (N, C, H, W) and weight (O, C, KH, KW) with the "
                          f"same C; got {list(x.value.shape)} and {list(weight.value.shape)}")
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return _apply(OPS["conv2d"], inputs, {"stride": stride, "padding": padding})


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    return _apply(OPS["max_pool2d"], (x,),
                  {"kernel_size": kernel_size, "stride": stride, "padding": padding})
