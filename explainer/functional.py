"""torch.nn.functional for the tensor engine: layers and losses as functions of tensors.

Every function is one registry op (see ops/tensor_ops.py), so each shows up in a graph as one
node with torch's grad_fn name and its vector-Jacobian rule. The elementwise functions (relu,
sigmoid, tanh, leaky_relu, …) are made from the registry at the end of this file.
"""
from __future__ import annotations

import numpy as np

from .i18n import _
from .ops import OPS, functions
from .tensor import Tensor, TensorError, TensorTypeError, _apply, _leaf, _rng, cat

_REDUCTIONS = ("mean", "sum", "none")


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else _leaf(np.asarray(x))


def _type_name(x) -> str:
    """A value's type as torch names it in its errors (torch.device, float, list, …)."""
    from .devices import device
    return "torch.device" if isinstance(x, device) else type(x).__name__


def _check_reduction(reduction: str) -> dict:
    if reduction not in _REDUCTIONS:
        raise TensorError(f"{reduction} is not a valid value for reduction; use 'mean', 'sum' or 'none'")
    return {"reduction": reduction}


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x · Wᵀ + b in one node (torch's AddmmBackward0)."""
    if not isinstance(x, Tensor):
        raise TensorTypeError(f"linear(): argument 'input' (position 1) must be Tensor, not "
                              f"{_type_name(x)}")
    inputs = (x, weight) if bias is None else (x, weight, bias)
    name = None if bias is not None and x.value.ndim == 2 else "MmBackward0"
    return _apply(OPS["linear"], inputs, None, name)


def softmax(x: Tensor, dim: int = -1) -> Tensor: return x.softmax(dim)
def log_softmax(x: Tensor, dim: int = -1) -> Tensor: return x.log_softmax(dim)


def _check_targets(logits: Tensor, target: Tensor, what: str) -> None:
    if target.value.dtype.kind not in "iu":
        raise TensorError(_("{what} expects class indices as an integer tensor (long), got {dtype}").format(
            what=what, dtype=target.value.dtype))
    classes = logits.value.shape[-1]
    if logits.value.ndim == 2 and target.value.shape != logits.value.shape[:1]:
        raise TensorError(_("{what}: expected {n} targets for a batch of {n}, got shape {shape}").format(
            what=what, n=logits.value.shape[0], shape=list(target.value.shape)))
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


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    if (x.value.ndim != 4 or weight.value.ndim != 4
            or x.value.shape[1] != weight.value.shape[1] * groups):
        raise TensorError(f"conv2d expects input (N, C, H, W) and weight (O, C/groups, KH, KW) with "
                          f"C = {weight.value.shape[1] if weight.value.ndim == 4 else '?'} × groups "
                          f"({groups}); got {list(x.value.shape)} and {list(weight.value.shape)}")
    inputs = (x, weight) if bias is None else (x, weight, bias)
    attrs = {"stride": stride, "padding": padding}
    if dilation != 1 or groups != 1:
        attrs.update(dilation=dilation, groups=groups)
    return _apply(OPS["conv2d"], inputs, attrs)


def conv_transpose2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The gradient of a conv2d run forward: each input pixel spreads its kernel over the output."""
    if x.value.ndim != 4 or weight.value.ndim != 4 or x.value.shape[1] != weight.value.shape[0]:
        raise TensorError(f"conv_transpose2d expects input (N, C, H, W) and weight "
                          f"(C, O/groups, KH, KW) with the same C; got {list(x.value.shape)} and "
                          f"{list(weight.value.shape)}")
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return _apply(OPS["conv_transpose2d"], inputs,
                  {"stride": stride, "padding": padding, "output_padding": output_padding,
                   "groups": groups, "dilation": dilation})


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    return _apply(OPS["max_pool2d"], (x,),
                  {"kernel_size": kernel_size, "stride": stride, "padding": padding})


def pad(x: Tensor, pad, mode: str = "constant", value: float = 0.0) -> Tensor:
    """torch's F.pad: `pad` = (left, right, top, bottom, …) from the last dim backwards.

    Built from existing ops, so its gradient needs no rule of its own: constant padding joins
    filled blocks with cat; replicate/reflect pick rows with an index array (edge rows repeated,
    or mirrored about the edge)."""
    pad = list(pad)
    if len(pad) % 2 or len(pad) // 2 > x.value.ndim:
        raise TensorError("Padding length must be divisible by 2 and at most twice the number of dims")
    for i in range(len(pad) // 2):
        dim = x.value.ndim - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        if not before and not after:
            continue
        n = x.value.shape[dim]
        if mode == "constant":
            def block(width):
                shape = list(x.value.shape)
                shape[dim] = width
                return _leaf(np.full(shape, value, dtype=x.value.dtype))
            x = cat(([block(before)] if before else []) + [x] + ([block(after)] if after else []), dim)
            continue
        rows = np.arange(-before, n + after)
        if mode == "replicate":
            rows = np.clip(rows, 0, n - 1)
        elif mode == "reflect":
            if before >= n or after >= n:
                raise TensorError(f"Padding size should be less than the corresponding input "
                                  f"dimension, but got: padding ({before}, {after}) at dimension "
                                  f"{dim} of input {list(x.value.shape)}")
            rows = np.abs(rows)
            rows = np.where(rows > n - 1, 2 * (n - 1) - rows, rows)
        else:
            raise TensorError(f"padding mode {mode!r} is not one of 'constant', 'replicate', 'reflect'")
        x = x[(slice(None),) * dim + (rows,)]
    return x


def embedding(indices, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """The rows of `weight` that the integer `indices` pick; output shape indices.shape + (dim,)."""
    indices = _tensor(indices)
    if indices.value.dtype.kind not in "iu":
        raise TensorError(f"embedding expects integer indices (long), got {indices.value.dtype}")
    rows = weight.value.shape[0]
    if indices.value.size and (indices.value.min() < 0 or indices.value.max() >= rows):
        bad = indices.value[(indices.value >= rows) | (indices.value < 0)].flat[0]
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
