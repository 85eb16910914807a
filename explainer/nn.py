"""torch.nn for the tensor engine: Module, Parameter, layers and losses with torch's names.

Parameters are registered by assignment (`self.fc1 = Linear(784, 28)`) and named as torch names
them (`fc1.weight`, `0.bias`), so state dicts and pictures read the same in both engines.
"""
from __future__ import annotations
from explainer.i18n import gettext

import math
from collections import OrderedDict

import numpy as np

from . import functional as F
from . import init
from . import scopes
from .errors import ExplainerError
from . import dtypes as _dtypes
from .tensor import Tensor, _check_device, _is_dtype


class Parameter(Tensor):
    """A tensor that is a module's learnable weight: it requires grad unless told otherwise."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        super().__init__(np.empty(0, dtype=np.float32) if data is None else data,
                         requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """The base of every layer: holds parameters and sub-modules, calls `forward` on `__call__`."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())   # running statistics and the like
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value) -> None:
        params = self.__dict__.get("_parameters")
        if params is None:
            raise ExplainerError(gettext("cannot assign {name!r} before Module.__init__() call; call super().__init__() first in your __init__").format(name=name))
        buffers = self.__dict__.get("_buffers", {})
        if name in buffers and not isinstance(value, (Parameter, Module)):
            buffers[name] = value                        # assigning a tensor to a buffer keeps it one
        elif isinstance(value, Parameter):
            self._modules.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            self._modules[name] = value
        elif value is None and name in params:
            params[name] = None                          # e.g. Linear(bias=False)
        else:
            params.pop(name, None)
            self._modules.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor the module keeps and saves but does not learn (BatchNorm's running_mean)."""
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: "Module") -> None:
        setattr(self, name, module)

    def forward(self, *args, **kwargs):
        raise ExplainerError(gettext("{name__} has no forward(); define forward(self, x) and return the output").format(name__=type(self).__name__))

    def __call__(self, *args, **kwargs):
        scopes.enter(self, args)   # every node forward makes is tagged with this call (scopes.py)
        out = None
        try:
            out = self.forward(*args, **kwargs)
        finally:
            scopes.leave(self, args, out)
        if out is None:   # one of the tutorials' bugs: a forward without `return`
            raise ExplainerError(gettext("{name__}.forward() returned None; end it with `return` and the output").format(name__=type(self).__name__))
        return out

    # -- walking the module tree (iteratively) ---------------------------------------------------
    def named_modules(self, prefix: str = ""):
        """Every module, this one first, then children depth-first in registration order."""
        seen, stack = set(), [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{k}" if name else k, m) for k, m in module._modules.items()
                        if m is not None]
            stack.extend(reversed(children))

    def modules(self):
        return (m for _, m in self.named_modules())

    def named_children(self):
        return ((k, m) for k, m in self._modules.items() if m is not None)

    def children(self):
        return (m for _, m in self.named_children())

    def named_parameters(self, prefix: str = "", recurse: bool = True):
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for name, module in modules:
            for key, p in module._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{name}.{key}" if name else key), p

    def parameters(self, recurse: bool = True):
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True):
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for name, module in modules:
            for key, b in module._buffers.items():
                if b is not None:
                    yield (f"{name}.{key}" if name else key), b

    def buffers(self, recurse: bool = True):
        return (b for _, b in self.named_buffers(recurse=recurse))

    def apply(self, fn) -> "Module":
        """Call fn on every sub-module and then on this one (children first, as torch does)."""
        stack = [(self, False)]
        while stack:
            module, children_done = stack.pop()
            if children_done:
                fn(module)
                continue
            stack.append((module, True))
            stack.extend((child, False) for child in reversed(list(module.children())))
        return self

    # -- modes, gradients, devices ---------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.value[...] = 0

    def requires_grad_(self, flag: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad = flag
        return self

    def to(self, *args, **kwargs) -> "Module":
        for a in list(args) + list(kwargs.values()):
            if _is_dtype(a):
                self._cast(_dtypes.as_numpy(a))
            else:
                _check_device(a)
        return self

    def cpu(self) -> "Module":
        return self

    def double(self) -> "Module":
        return self._cast(np.float64)

    def float(self) -> "Module":
        return self._cast(np.float32)

    def _cast(self, dtype) -> "Module":
        for p in self.parameters():
            p.value = p.value.astype(dtype)
        for b in self.buffers():
            if b.value.dtype.kind == "f":                 # counters stay integers, as in torch
                b.value = b.value.astype(dtype)
        return self

    # -- saving and loading ----------------------------------------------------------------------
    def state_dict(self) -> "OrderedDict[str, Tensor]":
        """name → tensor sharing the parameter's (or buffer's) memory, detached, in torch's order:
        each module's parameters, then its persistent buffers, then its children's."""
        state = OrderedDict()
        for prefix, module in self.named_modules():
            dot = prefix + "." if prefix else ""
            for name, p in module._parameters.items():
                if p is not None:
                    state[dot + name] = p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent:
                    state[dot + name] = b.detach()
        return state

    def load_state_dict(self, state: dict, strict: bool = True):
        own = dict(self.state_dict())      # parameters and buffers, by name
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing))
            if unexpected:
                parts.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected))
            raise ExplainerError(f"Error(s) in loading state_dict for {type(self).__name__}: "
                                 + ". ".join(parts) + ".")
        for name, p in own.items():
            if name not in state:
                continue
            value = np.asarray(state[name].value if isinstance(state[name], Tensor) else state[name])
            if value.shape != p.value.shape:
                raise ExplainerError(
                    gettext("size mismatch for {name}: copying a param with shape {value_shape} from checkpoint, the shape in current model is {value_shape2}.").format(name=name, value_shape=list(value.shape), value_shape2=list(p.value.shape)))
            p.value[...] = value                          # in place: optimisers keep their arrays
        return missing, unexpected

    # -- printing --------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"  ({k}): " + repr(m).replace("\n", "\n  ") for k, m in self.named_children()]
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"


# -- containers ------------------------------------------------------------------------------------

class Sequential(Module):
    """Modules applied one after another; children are named 0, 1, 2, …"""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], (dict, OrderedDict)):
            for name, module in modules[0].items():
                setattr(self, name, module)
        else:
            for i, module in enumerate(modules):
                setattr(self, str(i), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, index):
        items = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*items[index])
        return items[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module: Module) -> "Sequential":
        setattr(self, str(len(self._modules)), module)
        return self


class ModuleList(Module):
    def __init__(self, modules=()):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> "ModuleList":
        setattr(self, str(len(self._modules)), module)
        return self

    def __getitem__(self, index):
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


# -- layers ----------------------------------------------------------------------------------------

class Linear(Module):
    """y = x·Wᵀ + b, initialised like torch: W and b ~ U(−1/√in, 1/√in)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=np.float32):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        self.bias = Parameter(np.empty(out_features, dtype=dtype)) if bias else None
        if not bias:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))   # = U(−1/√in, 1/√in)
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Conv2d(Module):
    """Cross-correlation with torch's arguments; weight (out, in/groups, KH, KW) and bias ~
    U(−1/√fan_in, 1/√fan_in) with fan_in = in/groups·KH·KW, as torch initialises them."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, dtype=np.float32):
        super().__init__()
        kh, kw = _conv_pairs(kernel_size=kernel_size, stride=stride, padding=padding,
                             dilation=dilation)["kernel_size"]
        _check_groups(in_channels, out_channels, groups)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.dilation, self.groups = (kh, kw), stride, dilation, groups
        self.padding = _same_padding(padding, (kh, kw), stride, dilation)
        self.weight = Parameter(np.empty((out_channels, in_channels // groups, kh, kw), dtype=dtype))
        self.bias = Parameter(np.empty(out_channels, dtype=dtype)) if bias else None
        if not bias:
            self.register_parameter("bias", None)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(in_channels // groups * kh * kw)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)

    def extra_repr(self) -> str:
        return conv_repr(self)


def conv_repr(m) -> str:
    """torch's text for a conv layer: sizes as pairs, arguments at their default left out."""
    def two(v):
        return (v, v) if isinstance(v, int) else tuple(v)
    text = (f"{m.in_channels}, {m.out_channels}, kernel_size={m.kernel_size}, "
            f"stride={two(m.stride)}")
    for name, default in (("padding", 0), ("dilation", 1), ("output_padding", 0)):
        value = getattr(m, name, default)
        if two(value) != two(default):
            text += f", {name}={two(value)}"
    if m.groups != 1:
        text += f", groups={m.groups}"
    return text + ("" if m.bias is not None else ", bias=False")


def _conv_pairs(**sizes) -> dict:
    """Each size as an (h, w) pair; a set (the tutorial's `kernel_size={3, 5}`) is refused."""
    pairs = {}
    for name, v in sizes.items():
        if isinstance(v, (set, frozenset)):
            raise ExplainerError(gettext("{name} must be an int or a tuple, not the set {v} (write (3, 5), with round brackets)").format(name=name, v=v))
        pairs[name] = v if isinstance(v, str) else (v, v) if isinstance(v, int) else tuple(v)
    return pairs


def _check_groups(in_channels: int, out_channels: int, groups: int) -> None:
    if groups < 1 or in_channels % groups or out_channels % groups:
        raise ExplainerError(gettext("groups={groups} must divide both in_channels ({in_channels}) and out_channels ({out_channels})").format(groups=groups, in_channels=in_channels, out_channels=out_channels))


def _same_padding(padding, kernel, stride, dilation):
    """torch's padding='valid' (none) and padding='same' (output as large as the input)."""
    if padding == "valid":
        return 0
    if padding != "same":
        return padding
    if stride not in (1, (1, 1)):
        raise ExplainerError(gettext("padding='same' is not supported for strided convolutions; give the padding as a number"))
    d = (dilation, dilation) if isinstance(dilation, int) else tuple(dilation)
    total = [di * (k - 1) for di, k in zip(d, kernel)]
    if any(t % 2 for t in total):
        raise ExplainerError(gettext("padding='same' with kernel {kernel} would pad one side more than the other; use an odd kernel size or give the padding as numbers").format(kernel=kernel))
    return (total[0] // 2, total[1] // 2)


class MaxPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size}, "
                f"padding={self.padding}, dilation=1, ceil_mode=False")


class _Pad2d(Module):
    """Pads the last two dims by (left, right, top, bottom); an int pads all four sides."""

    mode = "constant"

    def __init__(self, padding, value: float = 0.0):
        super().__init__()
        self.padding = (padding,) * 4 if isinstance(padding, int) else tuple(padding)
        self.value = value

    def forward(self, x):
        return F.pad(x, self.padding, self.mode, self.value)

    def extra_repr(self) -> str:
        return str(self.padding)


class ConstantPad2d(_Pad2d):
    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ReplicationPad2d(_Pad2d):
    mode = "replicate"


class ReflectionPad2d(_Pad2d):
    mode = "reflect"


class Flatten(Module):
    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)


class Dropout(Module):
    """Drops units while training; the identity after eval()."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace=False"


class Identity(Module):
    def forward(self, x):
        return x


class ReLU(Module):
    def forward(self, x): return x.relu()


class Sigmoid(Module):
    def forward(self, x): return x.sigmoid()


class Tanh(Module):
    def forward(self, x): return x.tanh()


class Softmax(Module):
    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x): return x.softmax(self.dim)

    def extra_repr(self) -> str: return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, x): return x.log_softmax(self.dim)


# -- losses ----------------------------------------------------------------------------------------

class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        F._check_reduction(reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """mean (or sum) of (input − target)²; call it as criterion(prediction, target)."""

    def forward(self, input, target):
        return F.mse_loss(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    def forward(self, input, target):
        return F.cross_entropy(input, target, self.reduction)


class NLLLoss(_Loss):
    def forward(self, input, target):
        return F.nll_loss(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.reduction)


__all__ = ["Parameter", "Module", "Sequential", "ModuleList", "Linear", "Conv2d", "MaxPool2d",
           "Flatten", "Dropout", "Identity", "ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
           "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss",
           "ConstantPad2d", "ReplicationPad2d", "ReflectionPad2d"]

# Layers in their own files (explainer/layers/), re-exported here under torch's names.
from .layers.activation import LeakyReLU  # noqa: E402
from .layers.conv import ConvTranspose2d  # noqa: E402
from .layers.embedding import Embedding  # noqa: E402
from .layers.norm import BatchNorm1d, BatchNorm2d  # noqa: E402
from .layers.recurrent import LSTM, LSTMCell  # noqa: E402

__all__ += ["LeakyReLU", "ConvTranspose2d", "Embedding", "BatchNorm1d", "BatchNorm2d", "LSTM",
            "LSTMCell"]
