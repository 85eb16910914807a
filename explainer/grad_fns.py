"""torch's grad_fn classes read as the registry's ops: one small reader per grad_fn class.

`from_torch` walks torch's recorded graph and hands each grad_fn to its reader here, which rebuilds
the same computation in our tensor engine from what torch kept: the leaves, the tensors torch saved
for its backward (`_saved_self`, `_saved_mat1`, …) and the attributes of the op (`_saved_dim`, …).
A grad_fn may become several of our ops (`AddmmBackward0` is a matmul and an add; torch's fused
LSTM layer is every gate of every time step), and a grad_fn with several outputs (a split) gives one
node per output. Inputs torch does not differentiate (the input batch, a target) become constants,
taken from the tensors torch saved for them.

    READERS["TanhBackward0"](reader) -> our engine's Tensor(s) for that grad_fn's output(s)
"""
from __future__ import annotations
from explainer.i18n import _

from typing import Callable

import numpy as np

from .errors import ExplainerError

READERS: dict[str, Callable] = {}
# grad_fn class -> {saved attribute: the input it holds}, so that the value torch saw for an op's
# output is known where a later op saved it (an add with a constant keeps neither operand)
SAVED_INPUTS: dict[str, dict[str, int]] = {}


def reads(*names: str, saved: dict[str, int] | None = None):
    def register(fn):
        for name in names:
            READERS[name] = fn
            SAVED_INPUTS[name] = saved or {}
        return fn
    return register


def _unary(op: str):
    return lambda r: r.op(op, r.input(0, "_saved_self"))


for _op_name in ("exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "neg"):
    reads(f"{_op_name.capitalize()}Backward0", saved={"_saved_self": 0})(_unary(_op_name))


# -- arithmetic ------------------------------------------------------------------------------------

def _scaled(r, x, alpha):
    """alpha · x, leaving x alone when alpha is 1 (torch's add/sub `alpha` argument)."""
    return x if alpha in (None, 1) else r.op("mul", x, r.const(np.asarray(alpha), f"{alpha:g}"))


@reads("AddBackward0", "AddBackward1", "SubBackward0", "SubBackward1")
def _add_sub(r):
    """self ± alpha·other; torch keeps neither operand, so a constant operand is worked out from
    the output torch saw (out − other, or out + other), where a later op kept it."""
    alpha = r.saved("_saved_alpha", 1)
    subtract = r.name.startswith("Sub")
    a = r.input(0, None)
    b = r.input(1, None) if len(r.ins) > 1 else None
    if a is None and b is None:
        raise r.unreadable("both operands are constants")
    if a is None or b is None:
        out = r.torch_output()
        sign = -1 if subtract else 1
        if out is None:
            lost = r.lost_constant()
        elif b is None:
            lost = r.const(sign * (out - a.value) / alpha, "constant")
        else:
            lost = r.const(out - sign * alpha * b.value, "constant")
        a, b = (lost, b) if a is None else (a, lost)
    return r.op("sub" if subtract else "add", a, _scaled(r, b, alpha))


@reads("RsubBackward1", "RsubBackward0")
def _rsub(r):
    """other − alpha·self: `1 - x`."""
    alpha = r.saved("_saved_alpha", 1)
    x = r.input(0, None)
    other = r.input(1, None) if len(r.ins) > 1 else None
    if other is None:
        out = r.torch_output()
        other = r.lost_constant() if out is None else r.const(out + alpha * x.value, "constant")
    return r.op("sub", other, _scaled(r, x, alpha))


@reads("MulBackward0", "MulBackward1", saved={"_saved_self": 0, "_saved_other": 1})
def _mul(r):
    return r.op("mul", r.input(0, "_saved_self", "constant"), r.input(1, "_saved_other", "constant"))


@reads("DivBackward0", "DivBackward1", saved={"_saved_self": 0, "_saved_other": 1})
def _div(r):
    return r.op("div", r.input(0, "_saved_self", "constant"), r.input(1, "_saved_other", "constant"))


@reads("PowBackward0", saved={"_saved_self": 0})
def _pow_scalar(r):
    exponent = r.saved("_saved_exponent")
    return r.op("pow", r.input(0, "_saved_self"), r.const(np.asarray(exponent), f"{exponent:g}"))


@reads("PowBackward1", saved={"_saved_self": 0, "_saved_exponent": 1})
def _pow(r):
    return r.op("pow", r.input(0, "_saved_self"), r.input(1, "_saved_exponent"))


@reads("LeakyReluBackward0", saved={"_saved_self": 0})
def _leaky_relu(r):
    """The registry's leaky_relu: its derivative is the slope at 0, as torch's gradient is."""
    return r.op("leaky_relu", r.input(0, "_saved_self"), negative_slope=float(r.saved("_saved_negative_slope")))


# -- linear algebra --------------------------------------------------------------------------------

@reads("AddmmBackward0", saved={"_saved_mat1": 1, "_saved_mat2": 2})
def _addmm(r):
    """beta·bias + alpha·(mat1 @ mat2): what nn.Linear records for a batch."""
    bias = r.input(0, None)
    if bias is None:
        raise r.unreadable("its bias is a constant torch does not keep")
    product = r.op("matmul", r.input(1, "_saved_mat1"), r.input(2, "_saved_mat2"), name="mm")
    product = _scaled(r, product, r.saved("_saved_alpha", 1))
    return r.op("add", _scaled(r, bias, r.saved("_saved_beta", 1)), product)


@reads("MmBackward0", "BmmBackward0", saved={"_saved_self": 0, "_saved_mat2": 1})
def _mm(r):
    return r.op("matmul", r.input(0, "_saved_self"), r.input(1, "_saved_mat2"))


@reads("MvBackward0", saved={"_saved_self": 0, "_saved_vec": 1})
def _mv(r):
    return r.op("matmul", r.input(0, "_saved_self"), r.input(1, "_saved_vec"))


@reads("DotBackward0", saved={"_saved_self": 0, "_saved_tensor": 1})
def _dot(r):
    return r.op("matmul", r.input(0, "_saved_self"), r.input(1, "_saved_tensor"))


# -- shape -----------------------------------------------------------------------------------------

@reads("TBackward0")
def _t(r):
    x = r.input(0, None)
    return x if x.value.ndim < 2 else r.op("transpose", x, dim0=0, dim1=1)


@reads("TransposeBackward0", "TransposeBackward1")
def _transpose(r):
    return r.op("transpose", r.input(0, None), dim0=r.saved("_saved_dim0"), dim1=r.saved("_saved_dim1"))


@reads("PermuteBackward0")
def _permute(r):
    return r.op("permute", r.input(0, None), dims=tuple(r.saved("_saved_dims")))


@reads("ViewBackward0", "UnsafeViewBackward0", "ReshapeAliasBackward0", "AliasBackward0",
       "SqueezeBackward0", "SqueezeBackward1", "SqueezeBackward2", "SqueezeBackward3",
       "UnsqueezeBackward0", "UnsqueezeBackward1")
def _reshape(r):
    return r.op("reshape", r.input(0, None), shape=r.output_shape(0))


@reads("ExpandBackward0")
def _expand(r):
    """Broadcasting to a bigger shape: x + zeros, whose gradient sums back over the new axes."""
    x = r.input(0, None)
    return r.op("add", x, r.const(np.zeros(r.output_shape(0), dtype=x.value.dtype), "zeros"))


@reads("CloneBackward0", "ToCopyBackward0")
def _clone(r):
    x = r.input(0, None)
    dtype = r.output_dtype(0)
    return r.op("clone", x) if dtype == x.value.dtype else r.op("to", x, dtype=dtype)


def _along(dim: int, ndim: int, part) -> tuple:
    return (slice(None),) * (dim % ndim) + (part,)


@reads("SelectBackward0")
def _select(r):
    x = r.input(0, None)
    return r.op("index", x, key=_along(r.saved("_saved_dim"), x.value.ndim, int(r.saved("_saved_index"))))


@reads("SliceBackward0")
def _slice(r):
    x = r.input(0, None)
    dim = r.saved("_saved_dim")
    size = x.value.shape[dim]
    start, end = (min(max(v if v >= 0 else v + size, 0), size) for v in
                  (r.saved("_saved_start") or 0, r.saved("_saved_end")))
    return r.op("index", x, key=_along(dim, x.value.ndim, slice(start, end, r.saved("_saved_step"))))


@reads("UnsafeSplitBackward0", "SplitBackward0", "SplitWithSizesBackward0",
       "UnsafeSplitWithSizesBackward0")
def _split(r):
    """One slice per output along `dim`."""
    x = r.input(0, None)
    dim = r.saved("_saved_dim") % x.value.ndim
    sizes = r.saved("_saved_split_sizes", None)
    if sizes is None:
        step = r.saved("_saved_split_size")
        sizes = [min(step, x.value.shape[dim] - k) for k in range(0, x.value.shape[dim], step)]
    bounds = np.cumsum([0] + list(sizes))
    return [r.op("index", x, key=_along(dim, x.value.ndim, slice(int(a), int(b))), name=f"{r.name}[{k}]")
            for k, (a, b) in enumerate(zip(bounds, bounds[1:]))]


@reads("UnbindBackward0")
def _unbind(r):
    x = r.input(0, None)
    dim = r.saved("_saved_dim")
    return [r.op("index", x, key=_along(dim, x.value.ndim, k), name=f"{r.name}[{k}]")
            for k in range(x.value.shape[dim])]


@reads("StackBackward0", "CatBackward0")
def _stack_cat(r):
    parts = [r.input(i, None) for i in range(len(r.ins))]
    if any(p is None for p in parts):
        raise r.unreadable("one of the tensors it joins is a constant torch does not keep")
    return r.op("stack" if r.name.startswith("Stack") else "cat", *parts, dim=r.saved("_saved_dim"))


# -- reductions, softmax, losses -------------------------------------------------------------------

@reads("SumBackward0", "MeanBackward0")
def _reduce_all(r):
    return r.op("sum" if r.name.startswith("Sum") else "mean", r.input(0, None))


@reads("SumBackward1", "MeanBackward1")
def _reduce_dims(r):
    dim = r.saved("_saved_dim")
    dim = tuple(dim) if isinstance(dim, (tuple, list)) else dim
    return r.op("sum" if r.name.startswith("Sum") else "mean", r.input(0, None),
                dim=dim, keepdim=bool(r.saved("_saved_keepdim")))


@reads("SoftmaxBackward0", "LogSoftmaxBackward0")
def _softmax(r):
    return r.op("log_softmax" if r.name.startswith("Log") else "softmax", r.input(0, None),
                dim=r.saved("_saved_dim"))


REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(r) -> str:
    return REDUCTIONS[r.saved("_saved_reduction")]


@reads("NllLossBackward0", saved={"_saved_self": 0})
def _nll(r):
    if r.saved("_saved_weight", None) is not None:
        raise r.unreadable("it has class weights")
    target = r.const(r.saved("_saved_target"), "target")
    ignored = r.saved("_saved_ignore_index", -100)
    if (target.value == ignored).any():
        raise r.unreadable(f"its target holds the ignored class {ignored}")
    return r.op("nll_loss", r.input(0, "_saved_self"), target, reduction=_reduction(r))


@reads("MseLossBackward0", saved={"_saved_self": 0, "_saved_target": 1})
def _mse(r):
    return r.op("mse_loss", r.input(0, "_saved_self"), r.input(1, "_saved_target", "target"),
                reduction=_reduction(r))


@reads("BinaryCrossEntropyWithLogitsBackward0", saved={"_saved_self": 0, "_saved_target": 1})
def _bce_logits(r):
    if r.saved("_saved_weight", None) is not None or r.saved("_saved_pos_weight", None) is not None:
        raise r.unreadable("it has weights")
    return r.op("bce_with_logits", r.input(0, "_saved_self"), r.input(1, "_saved_target", "target"),
                reduction=_reduction(r))


@reads("BinaryCrossEntropyBackward0", saved={"_saved_self": 0, "_saved_target": 1})
def _bce(r):
    """−(y·log p + (1 − y)·log(1 − p)), reduced: the GAN's loss on a sigmoid output."""
    if r.saved("_saved_weight", None) is not None:
        raise r.unreadable("it has weights")
    p = r.input(0, "_saved_self")
    y = r.input(1, "_saved_target", "target")
    one = r.const(np.asarray(1, dtype=p.value.dtype), "1")
    terms = r.op("add", r.op("mul", y, r.op("log", p)),
                 r.op("mul", r.op("sub", one, y), r.op("log", r.op("sub", one, p))))
    losses = r.op("neg", terms)
    reduction = _reduction(r)
    return losses if reduction == "none" else r.op(reduction, losses)


# -- convolution, pooling --------------------------------------------------------------------------

@reads("ConvolutionBackward0", saved={"_saved_input": 0, "_saved_weight": 1})
def _conv(r):
    """conv2d, or conv_transpose2d (the GAN's generator), with stride, padding, dilation, groups."""
    x, w = r.input(0, "_saved_input"), r.input(1, "_saved_weight")
    if x.value.ndim != 4:
        raise r.unreadable("only 2-d convolutions are read")
    inputs = [x, w]
    if len(r.ins) > 2 and r.ins[2] is not None:
        inputs.append(r.input(2, None))
    elif any(r.saved("_saved_bias_sym_sizes_opt", None) or ()):   # (0,): no bias at all
        raise r.unreadable("its bias is a constant torch does not keep")
    attrs = {"stride": tuple(r.saved("_saved_stride")), "padding": tuple(r.saved("_saved_padding"))}
    dilation, groups = tuple(r.saved("_saved_dilation")), r.saved("_saved_groups")
    if r.saved("_saved_transposed"):
        return r.op("conv_transpose2d", *inputs, output_padding=tuple(r.saved("_saved_output_padding")),
                    groups=groups, dilation=dilation, **attrs)
    if dilation != (1, 1) or groups != 1:
        attrs.update(dilation=dilation, groups=groups)
    return r.op("conv2d", *inputs, **attrs)


@reads("NativeBatchNormBackward0", saved={"_saved_input": 0, "_saved_weight": 1})
def _batch_norm(r):
    """(x − mean) / √(var + eps) · weight + bias over every axis but the channels: the batch's own
    mean and (biased) variance in training, the running ones as constants in eval mode."""
    x = r.input(0, "_saved_input")
    shape = (1, x.value.shape[1]) + (1,) * (x.value.ndim - 2)
    axes = (0,) + tuple(range(2, x.value.ndim))
    eps = r.const(np.asarray(r.saved("_saved_eps")), "eps")
    if r.saved("_saved_training"):
        centred = r.op("sub", x, r.op("mean", x, dim=axes, keepdim=True, name="batch mean"), name="x − mean")
        var = r.op("mean", r.op("mul", centred, centred), dim=axes, keepdim=True, name="batch var")
    else:
        mean = r.const(r.saved("_saved_running_mean").reshape(shape), "running_mean")
        centred = r.op("sub", x, mean, name="x − mean")
        var = r.const(r.saved("_saved_running_var").reshape(shape), "running_var")
    normal = r.op("div", centred, r.op("sqrt", r.op("add", var, eps), name="√(var + eps)"), name="x̂")
    weight = r.input(1, "_saved_weight", "weight")
    if weight is None:
        return normal
    scaled = r.op("mul", normal, r.op("reshape", weight, shape=shape))
    bias = r.input(2, None) if len(r.ins) > 2 else None
    return scaled if bias is None else r.op("add", scaled, r.op("reshape", bias, shape=shape))


@reads("MaxPool2DWithIndicesBackward0", saved={"_saved_self": 0})
def _max_pool(r):
    if r.saved("_saved_ceil_mode") or any(d != 1 for d in r.saved("_saved_dilation")):
        raise r.unreadable("only max pooling without ceil_mode or dilation is read")
    return r.op("max_pool2d", r.input(0, "_saved_self"), kernel_size=tuple(r.saved("_saved_kernel_size")),
                stride=tuple(r.saved("_saved_stride")), padding=tuple(r.saved("_saved_padding")))


# -- torch's fused LSTM layer (CPU) ----------------------------------------------------------------

@reads("MkldnnRnnLayerBackward0", saved={"_saved_input": 0, "_saved_hx_": 5, "_saved_cx_": 6})
def _lstm_layer(r):
    """One LSTM layer over every time step, gate by gate: what torch computes inside its fused
    kernel, written with linear, slices, σ, tanh, × and + (outputs: the sequence, h_T, c_T)."""
    if r.saved("_saved_mode") != 2 or r.saved("_saved_bidirectional") or not r.saved("_saved_has_biases") \
            or r.saved("_saved_batch_sizes"):
        raise r.unreadable("only LSTM layers with biases and unpacked sequences are read")
    x = r.input(0, "_saved_input", "input")             # [T, B, I]: torch keeps it time-major
    w_ih, w_hh, b_ih, b_hh = (r.input(i, f"_saved_weight{i - 1}") for i in range(1, 5))
    h = r.input(5, "_saved_hx_", "h0")
    c = r.input(6, "_saved_cx_", "c0")
    size = r.saved("_saved_hidden_size")
    steps = range(x.value.shape[0])
    outputs = {}
    for t in (reversed(steps) if r.saved("_saved_reverse") else steps):
        gates = r.op("add", r.op("linear", r.op("index", x, key=t, name=f"x[{t}]"), w_ih, b_ih),
                     r.op("linear", h, w_hh, b_hh), name=f"gates[{t}]")
        i, f, g, o = (r.op("index", gates, key=(slice(None), slice(k * size, (k + 1) * size)),
                           name=f"{gate}[{t}]") for k, gate in enumerate("ifgo"))
        c = r.op("add", r.op("mul", r.op("sigmoid", f), c), r.op("mul", r.op("sigmoid", i), r.op("tanh", g)),
                 name=f"c[{t}]")
        h = r.op("mul", r.op("sigmoid", o), r.op("tanh", c), name=f"h[{t}]")
        outputs[t] = h
    sequence = r.op("stack", *(outputs[t] for t in steps), dim=0, name=f"{r.name}.output")
    return [sequence, h, c]


def unreadable(name: str, why: str) -> ExplainerError:
    return ExplainerError(_("from_torch cannot read torch's {name}: {why}").format(name=name, why=why))


def unknown(name: str) -> ExplainerError:
    known = ", ".join(sorted(n for n in READERS))
    return ExplainerError(_("from_torch cannot read torch's {name} yet; it reads: {known}").format(name=name, known=known))
