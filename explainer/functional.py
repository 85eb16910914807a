"""torch.nn.functional for the tensor engine: layers and losses as functions of tensors.

Every function is one registry op (see ops/tensor_ops.py), so each shows up in a graph as one
node with torch's grad_fn name and its vector-Jacobian rule. The elementwise functions (relu,
sigmoid, tanh, leaky_relu, …) are made from the registry at the end of this file.
"""
from __future__ import annotations

import numpy as np

from .ops import OPS, functions
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
    name = None if bias is not None and x.data.ndim == 2 else "MmBackward0"
    return _apply(OPS["linear"], inputs, None, name)


def softmax(x: Tensor, dim: int = -1) -> Tensor: return x.softmax(dim)
def log_softmax(x: Tensor, dim: int = -1) -> Tensor: return x.log_softmax(dim)


def _check_targets(logits: Tensor, target: Tensor, what: str) -> None:
    if target.data.dtype.kind not in "iu":
        raise TensorError(f"{what} expects class indices as an integer tensor (long), "
                          f"got {target.data.dtype}")
    classes = logits.data.shape[-1]
    if logits.data.ndim == 2 and target.data.shape != logits.data.shape[:1]:
        raise TensorError(f"{what}: expected {logits.data.shape[0]} targets for a batch of "
                          f"{logits.data.shape[0]}, got shape {list(target.data.shape)}")
    if target.data.size and (target.data.min() < 0 or target.data.max() >= classes):
        bad = target.data[(target.data < 0) | (target.data >= classes)].flat[0]
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
    keep = _rng(generator).random(x.data.shape) >= p
    mask = keep.astype(x.data.dtype) / np.asarray(1 - p, dtype=x.data.dtype) if p < 1 else \
        np.zeros(x.data.shape, dtype=x.data.dtype)
    return _apply(OPS["dropout"], (x,), {"mask": mask, "p": p})


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    if (x.data.ndim != 4 or weight.data.ndim != 4
            or x.data.shape[1] != weight.data.shape[1] * groups):
        raise TensorError(f"conv2d expects input (N, C, H, W) and weight (O, C/groups, KH, KW) with "
                          f"C = {weight.data.shape[1] if weight.data.ndim == 4 else '?'} × groups "
                          f"({groups}); got {list(x.data.shape)} and {list(weight.data.shape)}")
    inputs = (x, weight) if bias is None else (x, weight, bias)
    attrs = {"stride": stride, "padding": padding}
    if dilation != 1 or groups != 1:
        attrs.update(dilation=dilation, groups=groups)
    return _apply(OPS["conv2d"], inputs, attrs)


def conv_transpose2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The gradient of a conv2d run forward: each input pixel spreads its kernel over the output."""
    if x.data.ndim != 4 or weight.data.ndim != 4 or x.data.shape[1] != weight.data.shape[0]:
        raise TensorError(f"conv_transpose2d expects input (N, C, H, W) and weight "
                          f"(C, O/groups, KH, KW) with the same C; got {list(x.data.shape)} and "
                          f"{list(weight.data.shape)}")
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return _apply(OPS["conv_transpose2d"], inputs,
                  {"stride": stride, "padding": padding, "output_padding": output_padding,
                   "groups": groups, "dilation": dilation})


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    return _apply(OPS["max_pool2d"], (x,),
                  {"kernel_size": kernel_size, "stride": stride, "padding": padding})


def embedding(indices, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """The rows of `weight` that the integer `indices` pick; output shape indices.shape + (dim,)."""
    indices = _tensor(indices)
    if indices.data.dtype.kind not in "iu":
        raise TensorError(f"embedding expects integer indices (long), got {indices.data.dtype}")
    rows = weight.data.shape[0]
    if indices.data.size and (indices.data.min() < 0 or indices.data.max() >= rows):
        bad = indices.data[(indices.data >= rows) | (indices.data < 0)].flat[0]
        raise TensorError(f"index out of range in self: the embedding has rows 0 to {rows - 1}, "
                          f"got index {bad}")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    return _apply(OPS["embedding"], (indices, weight), {"padding_idx": padding_idx})


def _elementwise(op):
    """`functional.leaky_relu(x, 0.2)` is `x.leaky_relu(0.2)`: the registry's op, its parameters."""
    if op.params:
        def function(x: Tensor, *args, **kwargs) -> Tensor:
            return _apply(op, (x,), op.bind(args, kwargs))
    else:
        def function(x: Tensor) -> Tensor:
            return _apply(op, (x,))
    function.__name__, function.__qualname__, function.__doc__ = op.name, op.name, op.help
    return function


for _op in functions():
    globals()[_op.name] = _elementwise(_op)


from .layers.functional import batch_norm, lstm_cell  # noqa: E402  (layers built from the ops above)
