"""Structural tensor ops: forward, vector-Jacobian product (vjp), its text and torch's counterpart.

Elementwise ops (add, mul, exp, …) live in `elementwise.py` and serve both engines; the ops here
only make sense on arrays. Each `vjp(g, xs, out, needs=…, **attrs)` returns one gradient per input
(`needs[i]` False lets it skip work nobody will use) and every gradient has its input's shape.
`text` is the rule as the pictures print it: "grad · Wᵀ" means g @ W.T.
"""
from __future__ import annotations

import numpy as np

from .backends import NUMPY
from .conv import (conv2d_forward, conv2d_torch, conv2d_vjp, conv_transpose2d_forward,
                   conv_transpose2d_torch, conv_transpose2d_vjp, pad, pair, windows)
from ..i18n import N_
from .registry import Op, Sample, register

ALL = (True, True, True)
_rng = np.random.default_rng(2024)   # the samples' numbers: fixed, so every test run sees the same


def randn(*shape, low=None):
    """A read-only sample array: standard normal, or |normal| + low (for log, sqrt, a divisor)."""
    a = _rng.standard_normal(shape)
    a = np.abs(a) + low if low is not None else a
    a.flags.writeable = False
    return a


def sample(*inputs, **attrs) -> Sample:
    return Sample(tuple(inputs), attrs)


def unbroadcast(g, shape):
    """Sum `g` over the dimensions that broadcasting added or stretched, back to `shape`."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g


def _op(name, arity, symbol, forward, vjp, text, torch, grad_fn, samples=(), params=(),
        expression=False, operator=None, torch_name=None):
    return register(Op(name=name, arity=arity, symbol=symbol, forward=forward, vjp=vjp,
                       text=text, torch=torch, grad_fn=grad_fn, samples=tuple(samples),
                       params=params, expression=expression, operator=operator,
                       torch_name=torch_name or _TORCH_NAMES.get(name, name)))


# torch's names where they are not torch.<op name> (the torch-shaped namespace reads these)
_TORCH_NAMES = {
    "linear": "nn.functional.linear", "to": "Tensor.to", "index": "Tensor.__getitem__",
    "nll_loss": "nn.functional.nll_loss", "cross_entropy": "nn.functional.cross_entropy",
    "mse_loss": "nn.functional.mse_loss",
    "bce_with_logits": "nn.functional.binary_cross_entropy_with_logits",
    "dropout": "nn.functional.dropout", "conv2d": "nn.functional.conv2d",
    "max_pool2d": "nn.functional.max_pool2d",
    "conv_transpose2d": "nn.functional.conv_transpose2d", "embedding": "nn.functional.embedding",
}


def _dims(dim, ndim):
    """`dim` (None, an int or a tuple, negatives allowed) as a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        dim = (dim,)
    return tuple(sorted(d % ndim if ndim else 0 for d in dim))


def _expand_reduced(g, x_shape, dim, keepdim):
    """Give a reduced gradient back the axes the reduction removed, so it broadcasts to x."""
    if keepdim or dim is None:
        return g
    return np.expand_dims(g, _dims(dim, len(x_shape)))


def _axis(dim):
    return tuple(dim) if isinstance(dim, list) else dim


# -- linear algebra ------------------------------------------------------------------------------

def _matmul_vjp(g, xs, out, needs=ALL):
    a, b = xs
    a2 = a[None, :] if a.ndim == 1 else a          # 1-d operands act as a row / a column
    b2 = b[:, None] if b.ndim == 1 else b
    if a.ndim == 1 and b.ndim == 1:
        g2 = np.reshape(g, (1, 1))
    elif a.ndim == 1 or b.ndim == 1:
        g2 = np.expand_dims(g, -2 if a.ndim == 1 else -1)
    else:
        g2 = g
    ga = gb = None
    if needs[0]:
        ga = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
    if needs[1]:
        gb = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.shape)
    return ga, gb


_op("matmul", 2, "@", lambda m, a, b: a @ b, _matmul_vjp,
    ("grad · {1}ᵀ", "{0}ᵀ · grad"), lambda t, a, b: t.matmul(a, b), "MmBackward0",
    [sample(randn(3, 4), randn(4, 5)), sample(randn(4), randn(4)), sample(randn(3, 4), randn(4)),
     sample(randn(4), randn(4, 5)), sample(randn(2, 3, 4), randn(1, 4, 2))], operator="@")


def _linear_forward(m, x, w, b=None):
    y = x @ w.T
    if b is not None:
        y += b                                        # y is fresh: add the bias in place
    return y


def _linear_vjp(g, xs, out, needs=ALL):
    x, w = xs[0], xs[1]
    g2 = g.reshape(-1, g.shape[-1])
    gx = (g @ w) if needs[0] else None
    gw = (g2.T @ x.reshape(-1, x.shape[-1])) if needs[1] else None
    gb = g2.sum(axis=0) if len(xs) > 2 and needs[2] else None
    return gx, gw, gb


_op("linear", 3, "linear", _linear_forward, _linear_vjp,
    ("grad · {1}", "gradᵀ · {0}", N_("grad summed over the batch")),
    lambda t, x, w, b=None: t.nn.functional.linear(x, w, b), "AddmmBackward0",
    [sample(randn(5, 3), randn(4, 3), randn(4)), sample(randn(2, 5, 3), randn(4, 3), randn(4)),
     sample(randn(5, 3), randn(4, 3))])

_REDUCE_SAMPLES = [sample(randn(2, 3, 4)), sample(randn(2, 3, 4), dim=1, keepdim=True),
                   sample(randn(2, 3, 4), dim=(0, 2)), sample(randn(2, 3, 4), dim=-1)]
_REDUCE_PARAMS = (("dim", None), ("keepdim", False))


# -- reductions ----------------------------------------------------------------------------------

def _sum_vjp(g, xs, out, needs=ALL, dim=None, keepdim=False):
    x = xs[0]
    return (np.broadcast_to(_expand_reduced(g, x.shape, dim, keepdim), x.shape),)


def _mean_vjp(g, xs, out, needs=ALL, dim=None, keepdim=False):
    x = xs[0]
    count = x.size // max(out.size, 1) if x.size else 1
    return (np.broadcast_to(_expand_reduced(g / count, x.shape, dim, keepdim), x.shape),)


def _torch_reduce(name):
    def replay(t, x, dim=None, keepdim=False):
        if dim is None:
            return getattr(t, name)(x)
        return getattr(t, name)(x, dim=_axis(dim), keepdim=keepdim)
    return replay


_op("sum", 1, "Σ", lambda m, x, dim=None, keepdim=False: np.sum(x, axis=_axis(dim), keepdims=keepdim),
    _sum_vjp, (N_("grad broadcast to the shape of {0}"),), _torch_reduce("sum"), "SumBackward0",
    _REDUCE_SAMPLES, _REDUCE_PARAMS, expression=True)
_op("mean", 1, "mean",
    lambda m, x, dim=None, keepdim=False: np.mean(x, axis=_axis(dim), keepdims=keepdim),
    _mean_vjp, (N_("grad / n broadcast to the shape of {0}"),), _torch_reduce("mean"), "MeanBackward0",
    _REDUCE_SAMPLES, _REDUCE_PARAMS, expression=True)


def _max_vjp(g, xs, out, needs=ALL, dim=None, keepdim=False):
    x = xs[0]
    if dim is None:                              # torch spreads the gradient evenly over ties
        hits = x == out
        return (np.where(hits, g / np.count_nonzero(hits), 0).astype(g.dtype, copy=False),)
    where = np.argmax(x, axis=dim, keepdims=True)
    grad = np.zeros(x.shape, dtype=g.dtype)
    np.put_along_axis(grad, where, g if keepdim else np.expand_dims(g, dim), axis=dim)
    return (grad,)


_op("max", 1, "max", lambda m, x, dim=None, keepdim=False: np.max(x, axis=dim, keepdims=keepdim),
    _max_vjp, (N_("grad to the position of the maximum of {0}"),),
    lambda t, x, dim=None, keepdim=False: (t.max(x) if dim is None
                                           else t.max(x, dim=dim, keepdim=keepdim).values),
    "MaxBackward1",
    [sample(randn(3, 4, 2)), sample(randn(3, 4, 2), dim=1), sample(randn(3, 4, 2), dim=0, keepdim=True),
     sample(np.array([1.0, 3.0, 3.0, 2.0]))], _REDUCE_PARAMS)


# -- shape ---------------------------------------------------------------------------------------

_op("reshape", 1, "reshape", lambda m, x, shape: x.reshape(shape),
    lambda g, xs, out, needs=ALL, shape=None: (g.reshape(xs[0].shape),),
    (N_("grad reshaped to the shape of {0}"),), lambda t, x, shape: t.reshape(x, shape), "ViewBackward0",
    [sample(randn(2, 6), shape=(3, 4)), sample(randn(2, 3, 2), shape=(6, -1))])
_op("transpose", 1, "ᵀ", lambda m, x, dim0, dim1: np.swapaxes(x, dim0, dim1),
    lambda g, xs, out, needs=ALL, dim0=0, dim1=1: (np.swapaxes(g, dim0, dim1),),
    ("gradᵀ",), lambda t, x, dim0, dim1: t.transpose(x, dim0, dim1), "TransposeBackward0",
    [sample(randn(3, 4), dim0=0, dim1=1), sample(randn(2, 3, 4), dim0=0, dim1=2)])
_op("permute", 1, "permute", lambda m, x, dims: np.transpose(x, dims),
    lambda g, xs, out, needs=ALL, dims=None: (np.transpose(g, np.argsort(dims)),),
    (N_("grad with the axes put back"),), lambda t, x, dims: t.permute(x, dims), "PermuteBackward0",
    [sample(randn(2, 3, 4), dims=(2, 0, 1))])
_op("squeeze", 1, "squeeze",
    lambda m, x, dim=None: x.reshape(_squeezed_shape(x.shape, dim)),
    lambda g, xs, out, needs=ALL, dim=None: (g.reshape(xs[0].shape),),
    (N_("grad reshaped to the shape of {0}"),),
    lambda t, x, dim=None: t.squeeze(x) if dim is None else t.squeeze(x, dim), "SqueezeBackward0",
    [sample(randn(2, 1, 3)), sample(randn(2, 1, 3), dim=1), sample(randn(2, 1, 3), dim=0)],
    (("dim", None),))
_op("unsqueeze", 1, "unsqueeze", lambda m, x, dim: np.expand_dims(x, dim),
    lambda g, xs, out, needs=ALL, dim=0: (g.reshape(xs[0].shape),),
    (N_("grad reshaped to the shape of {0}"),), lambda t, x, dim: t.unsqueeze(x, dim), "UnsqueezeBackward0",
    [sample(randn(2, 3), dim=1), sample(randn(2, 3), dim=-1)])
_op("clone", 1, "copy", lambda m, x: x.copy(), lambda g, xs, out, needs=ALL: (g,),
    ("grad",), lambda t, x: t.clone(x), "CloneBackward0", [sample(randn(2, 3))])
_op("to", 1, "cast", lambda m, x, dtype: x.astype(dtype),
    lambda g, xs, out, needs=ALL, dtype=None: (g.astype(xs[0].dtype),),
    # the torch replay runs in float64 throughout, so the cast is a copy there
    (N_("grad cast back to the type of {0}"),), lambda t, x, dtype: x.clone(), "ToCopyBackward0",
    [sample(randn(2, 3), dtype=np.dtype(np.float64))])


def _squeezed_shape(shape, dim):
    """torch's squeeze: drop size-1 axes; squeezing an axis that is not size 1 changes nothing."""
    if dim is None:
        return tuple(n for n in shape if n != 1)
    dim %= max(len(shape), 1)
    return shape if not shape or shape[dim] != 1 else shape[:dim] + shape[dim + 1:]


def _is_basic(key) -> bool:
    """Ints, slices, None and ... select a view; anything else (arrays, lists) gathers."""
    parts = key if isinstance(key, tuple) else (key,)
    return all(isinstance(k, (int, np.integer, slice)) or k is None or k is Ellipsis for k in parts)


def _index_vjp(g, xs, out, needs=ALL, key=None):
    grad = np.zeros(xs[0].shape, dtype=g.dtype)
    if _is_basic(key):
        grad[key] = g
    else:
        np.add.at(grad, key, g)                  # repeated indices add up
    return (grad,)


def _torch_key(t, key):
    parts = key if isinstance(key, tuple) else (key,)
    parts = tuple(t.as_tensor(k) if isinstance(k, np.ndarray) else k for k in parts)
    return parts if isinstance(key, tuple) else parts[0]


_op("index", 1, "[ ]", lambda m, x, key: x[key], _index_vjp,
    (N_("grad placed at the selected positions of {0}, zeros elsewhere"),),
    lambda t, x, key: x[_torch_key(t, key)], "IndexBackward0",
    [sample(randn(4, 5), key=(slice(1, 3), 2)), sample(randn(4, 5), key=1),
     sample(randn(4, 5), key=np.array([0, 2, 2]))])


def _embedding_vjp(g, xs, out, needs=ALL, padding_idx=None):
    indices, weight = xs
    grad = np.zeros(weight.shape, dtype=g.dtype)
    np.add.at(grad, indices, g)                  # a row looked up twice gets both gradients
    if padding_idx is not None:
        grad[padding_idx] = 0                    # the padding row never learns, as in torch
    return None, grad


_op("embedding", 2, "lookup", lambda m, indices, weight, padding_idx=None: weight[indices],
    _embedding_vjp, (N_("none (indices)"), N_("grad added to the rows of {1} that {0} picks")),
    lambda t, indices, weight, padding_idx=None: t.nn.functional.embedding(
        indices.long(), weight, padding_idx=padding_idx), "EmbeddingBackward0",
    [sample(np.array([[0, 2, 2], [4, 1, 0]]), randn(5, 3)),
     sample(np.array([3, 1, 3, 0]), randn(4, 2), padding_idx=3)],
    (("padding_idx", None),))


def _cat_vjp(g, xs, out, needs=ALL, dim=0):
    cuts = np.cumsum([x.shape[dim] for x in xs])[:-1]
    return tuple(np.split(g, cuts, axis=dim))


def _stack_vjp(g, xs, out, needs=ALL, dim=0):
    return tuple(np.take(g, i, axis=dim) for i in range(len(xs)))


_op("cat", -1, "cat", lambda m, *xs, dim=0: np.concatenate(xs, axis=dim), _cat_vjp,
    (N_("the slice of grad where {0} sits"),), lambda t, *xs, dim=0: t.cat(xs, dim=dim), "CatBackward0",
    [sample(randn(2, 3), randn(4, 3)), sample(randn(2, 3), randn(2, 1), randn(2, 2), dim=1)],
    (("dim", 0),))
_op("stack", -1, "stack", lambda m, *xs, dim=0: np.stack(xs, axis=dim), _stack_vjp,
    (N_("the slice of grad where {0} sits"),), lambda t, *xs, dim=0: t.stack(xs, dim=dim),
    "StackBackward0", [sample(randn(2, 3), randn(2, 3)), sample(randn(2, 3), randn(2, 3), dim=-1)],
    (("dim", 0),))


# -- softmax family and losses -------------------------------------------------------------------

def _softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    e /= e.sum(axis=dim, keepdims=True)
    return e


def _log_softmax(x, dim):
    shifted = x - x.max(axis=dim, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
    return shifted


def _softmax_vjp(g, xs, out, needs=ALL, dim=-1):
    return (out * (g - (g * out).sum(axis=dim, keepdims=True)),)


def _log_softmax_vjp(g, xs, out, needs=ALL, dim=-1):
    return (g - np.exp(out) * g.sum(axis=dim, keepdims=True),)


_op("softmax", 1, "softmax", lambda m, x, dim=-1: _softmax(x, dim), _softmax_vjp,
    ("{out} ⊙ (grad − Σ grad ⊙ {out})",), lambda t, x, dim=-1: t.softmax(x, dim), "SoftmaxBackward0",
    [sample(randn(3, 5)), sample(randn(3, 5), dim=0), sample(randn(5))], (("dim", -1),), expression=True)
_op("log_softmax", 1, "log softmax", lambda m, x, dim=-1: _log_softmax(x, dim), _log_softmax_vjp,
    ("grad − softmax({0}) · Σ grad",), lambda t, x, dim=-1: t.log_softmax(x, dim),
    "LogSoftmaxBackward0",
    [sample(randn(3, 5)), sample(randn(3, 5), dim=0), sample(randn(5))], (("dim", -1),), expression=True)


def _reduce(losses, reduction):
    if reduction == "mean":
        return _mean(losses)
    if reduction == "sum":
        return losses.sum()
    return losses


def _mean(x):
    """x.mean(), bit for bit, without numpy's Python-level wrapper (a loss every training step):
    float32/float64 sum in their own dtype, divided in it too (float16 keeps numpy's path)."""
    if x.dtype.kind == "f" and x.dtype.itemsize >= 4 and x.size:
        total = x.sum()
        return total.dtype.type(total / x.size)
    return x.mean()


def _scale(g, reduction, count):
    """The upstream gradient of a reduced loss, per element."""
    return g / count if reduction == "mean" else g


def _rows(target):
    target = target.astype(np.intp, copy=False)
    return np.arange(target.shape[0]), target


_TARGETS = np.array([1, 0, 4, 2])   # class indices: no gradient
_LOSS_PARAMS = (("reduction", "mean"),)


def _nll_forward(m, logp, target, reduction="mean"):
    if logp.ndim == 1:
        return -logp[int(target)]
    return _reduce(-logp[_rows(target)], reduction)


def _nll_vjp(g, xs, out, needs=ALL, reduction="mean"):
    logp, target = xs
    grad = np.zeros_like(logp)
    if logp.ndim == 1:
        grad[int(target)] = -g
    else:
        rows = _rows(target)
        grad[rows] = -_scale(g, reduction, len(rows[0]))
    return grad, None


def _cross_entropy_forward(m, logits, target, reduction="mean"):
    return _nll_forward(m, _log_softmax(logits, -1), target, reduction)


def _cross_entropy_vjp(g, xs, out, needs=ALL, reduction="mean"):
    logits, target = xs
    grad = _softmax(logits, -1)                   # fused: softmax − one-hot
    if logits.ndim == 1:
        grad[int(target)] -= 1
        return grad * g, None
    rows = _rows(target)
    grad[rows] -= 1
    grad *= g[:, None] if reduction == "none" else _scale(g, reduction, len(rows[0]))
    return grad, None


_op("nll_loss", 2, "NLL", _nll_forward, _nll_vjp,
    (N_("−grad / N at each row's target class, 0 elsewhere"), N_("none (class indices)")),
    lambda t, logp, target, reduction="mean": t.nn.functional.nll_loss(
        logp, target.long(), reduction=reduction), "NllLossBackward0",
    [sample(_log_softmax(randn(4, 5), -1), _TARGETS, reduction=r) for r in ("mean", "sum", "none")],
    _LOSS_PARAMS)
_op("cross_entropy", 2, "CE", _cross_entropy_forward, _cross_entropy_vjp,
    ("(softmax({0}) − onehot({1})) · grad / N", N_("none (class indices)")),
    lambda t, logits, target, reduction="mean": t.nn.functional.cross_entropy(
        logits, target.long(), reduction=reduction), "NllLossBackward0",
    [sample(randn(4, 5), _TARGETS, reduction=r) for r in ("mean", "sum", "none")], _LOSS_PARAMS)


def _mse_forward(m, pred, target, reduction="mean"):
    diff = pred - target
    diff *= diff
    return _reduce(diff, reduction)


def _mse_vjp(g, xs, out, needs=ALL, reduction="mean"):
    pred, target = xs
    diff = pred - target
    diff *= 2 * _scale(g, reduction, diff.size)
    return (unbroadcast(diff, pred.shape) if needs[0] else None,
            unbroadcast(-diff, target.shape) if needs[1] else None)


_op("mse_loss", 2, "MSE", _mse_forward, _mse_vjp,
    ("2({0} − {1}) · grad / n", "−2({0} − {1}) · grad / n"),
    lambda t, pred, target, reduction="mean": t.nn.functional.mse_loss(
        pred, target, reduction=reduction), "MseLossBackward0",
    [sample(randn(3, 4), randn(3, 4), reduction=r) for r in ("mean", "sum", "none")], _LOSS_PARAMS)


def _bce_logits_forward(m, x, y, reduction="mean"):
    # max(x, 0) − x·y + log(1 + e^−|x|): never overflows
    losses = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
    return _reduce(losses, reduction)


def _bce_logits_vjp(g, xs, out, needs=ALL, reduction="mean"):
    x, y = xs
    n = np.broadcast_shapes(x.shape, y.shape)
    scale = _scale(g, reduction, int(np.prod(n)))
    sig = NUMPY.sigmoid(x)
    return (unbroadcast((sig - y) * scale, x.shape) if needs[0] else None,
            unbroadcast(-x * scale, y.shape) if needs[1] else None)


_op("bce_with_logits", 2, "BCE", _bce_logits_forward, _bce_logits_vjp,
    ("(σ({0}) − {1}) · grad / n", "−{0} · grad / n"),
    lambda t, x, y, reduction="mean": t.nn.functional.binary_cross_entropy_with_logits(
        x, y, reduction=reduction), "BinaryCrossEntropyWithLogitsBackward0",
    [sample(randn(3, 4), _rng.random((3, 4)), reduction=r) for r in ("mean", "sum", "none")],
    _LOSS_PARAMS)


# The mask is drawn once by the caller (functional.dropout) and kept as an attribute, so the
# forward, the backward and a torch replay all use the same dropped units.
_op("dropout", 1, "dropout", lambda m, x, mask, p=0.5: x * mask,
    lambda g, xs, out, needs=ALL, mask=None, p=0.5: (g * mask,),
    ("grad ⊙ mask / (1 − p)",), lambda t, x, mask, p=0.5: x * t.as_tensor(mask, dtype=x.dtype),
    "MulBackward0", [sample(randn(3, 4), mask=2.0 * (_rng.random((3, 4)) >= 0.5), p=0.5)],
    (("p", 0.5),))


# -- convolution and pooling ---------------------------------------------------------------------

def _scatter_windows(gcols, x_shape, kernel, stride, padding):
    """col2im: add each window's gradient back onto the (padded) input, one kernel offset at a time."""
    n, c, h, w = x_shape
    ph, pw = padding
    sh, sw = stride
    oh, ow = gcols.shape[2], gcols.shape[3]
    grad = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=gcols.dtype)
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            grad[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw] += gcols[:, :, :, :, i, j]
    return grad[:, :, ph:ph + h, pw:pw + w]


_op("conv2d", 3, "conv", conv2d_forward, conv2d_vjp,
    (N_("grad convolved with the flipped kernel {1}"), N_("grad correlated with the windows of {0}"),
     N_("grad summed over batch and positions")),
    conv2d_torch, "ConvolutionBackward0",
    [sample(randn(2, 3, 7, 7), randn(4, 3, 3, 3), randn(4)),
     sample(randn(2, 3, 7, 7), randn(4, 3, 3, 3), randn(4), stride=2, padding=1),
     sample(randn(1, 2, 5, 6), randn(3, 2, 2, 3), stride=(1, 2), padding=(1, 0)),
     sample(randn(2, 4, 7, 6), randn(6, 2, 3, 2), randn(6), dilation=(2, 1), groups=2, padding=1)],
    (("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1)))
_op("conv_transpose2d", 3, "conv ᵀ", conv_transpose2d_forward, conv_transpose2d_vjp,
    (N_("grad correlated with the kernel {1} (a strided conv of grad)"),
     N_("{0} correlated with the windows of grad"), N_("grad summed over batch and positions")),
    conv_transpose2d_torch, "ConvolutionBackward0",
    [sample(randn(2, 4, 3, 3), randn(4, 3, 4, 4), stride=2, padding=1),        # the DCGAN's step
     sample(randn(2, 4, 3, 2), randn(4, 2, 3, 3), randn(4), stride=(2, 1), padding=(1, 0),
            output_padding=(1, 0), groups=2, dilation=(1, 2))],
    (("stride", 1), ("padding", 0), ("output_padding", 0), ("groups", 1), ("dilation", 1)))


def _pool_windows(x, kernel_size, stride, padding):
    kernel = pair(kernel_size)
    stride = pair(stride if stride else kernel_size)
    padded = pad(x, pair(padding), -np.inf)
    cols = windows(padded, kernel, stride)
    flat = cols.reshape(cols.shape[:4] + (-1,))                  # copies: one row per window
    return flat, kernel, stride


def _max_pool_forward(m, x, kernel_size, stride=None, padding=0):
    flat, _, _ = _pool_windows(x, kernel_size, stride, padding)
    return flat.max(axis=-1)


def _max_pool_vjp(g, xs, out, needs=ALL, kernel_size=2, stride=None, padding=0):
    x = xs[0]
    flat, kernel, stride = _pool_windows(x, kernel_size, stride, padding)
    first_max = flat.argmax(axis=-1)                             # torch keeps the first maximum
    gcols = np.zeros(flat.shape, dtype=g.dtype)
    np.put_along_axis(gcols, first_max[..., None], g[..., None], axis=-1)
    gcols = gcols.reshape(flat.shape[:4] + kernel)
    return (_scatter_windows(gcols, x.shape, kernel, stride, pair(padding)),)


_op("max_pool2d", 1, "max pool", _max_pool_forward, _max_pool_vjp,
    (N_("grad to each window's maximum in {0}"),),
    lambda t, x, kernel_size, stride=None, padding=0: t.nn.functional.max_pool2d(
        x, kernel_size, stride, padding), "MaxPool2DWithIndicesBackward0",
    [sample(randn(2, 3, 6, 6), kernel_size=2), sample(randn(2, 3, 7, 7), kernel_size=3, stride=2, padding=1)],
    (("stride", None), ("padding", 0)))
