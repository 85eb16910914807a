"""The tensor engine: numpy arrays with torch's autograd semantics, on the one op registry.

A `Tensor` is a node of the same graph protocol as a `Scalar` (`graph.EngineNode`: `.inputs`,
`.op`, `.value`, `.input_grads`), so `Graph.build(t, seed=np.ones_like(t.value))` draws it and `backward()` runs
the one walk in `graph.backpropagate`. Elementwise ops take their local derivative from
`ops/elementwise.py` (times the upstream gradient, summed back over broadcast dimensions);
structural ops (matmul, sum, softmax, conv2d, …) take their vector-Jacobian product from
`ops/tensor_ops.py`. Only tensors that need a gradient remember their inputs, as in torch.
"""
from __future__ import annotations

import numpy as np

from . import dtypes as _dtypes
from .devices import CPU, device
from .errors import ExplainerError
from .i18n import _
from .tensor_repr import tensor_repr
from .graph import backpropagate
from .ops import OPS, functions
from .ops.backends import NUMPY
from .ops.tensor_ops import _is_basic, unbroadcast

float32, float64, int64, int32, bool_ = np.float32, np.float64, np.int64, np.int32, np.bool_
_builtin_float = float  # `Tensor.float` (a method) is torch's name; keep the type at hand


class TensorError(ExplainerError, RuntimeError):
    """A misuse torch would refuse with a RuntimeError; the message is torch's where it has one."""


class TensorIndexError(ExplainerError, IndexError):
    """An index torch refuses with an IndexError (e.g. `loss.data[0]` on a 0-dim tensor)."""


class TensorTypeError(ExplainerError, TypeError):
    """An argument of the wrong type, in torch's words (`must be Tensor, not torch.device`)."""


class Size(tuple):
    """A shape that prints as torch prints it: torch.Size([3, 2, 2])."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self))


# -- grad mode -----------------------------------------------------------------------------------

_grad_enabled = True


def is_grad_enabled() -> bool:
    return _grad_enabled


class _GradMode:
    """Switches graph recording for a `with` block, or for every call of a decorated function."""

    mode = True

    def __enter__(self):
        global _grad_enabled
        self.previous, _grad_enabled = _grad_enabled, self.mode
        return self

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self.previous
        return False

    def __call__(self, fn):
        import functools
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            global _grad_enabled
            previous, _grad_enabled = _grad_enabled, mode
            try:
                return fn(*args, **kwargs)
            finally:
                _grad_enabled = previous
        return wrapper


class no_grad(_GradMode):
    """`with no_grad():` computes values without recording a graph (e.g. parameter updates)."""

    mode = False


class enable_grad(_GradMode):
    mode = True


class set_grad_enabled(_GradMode):
    """Like torch: takes effect at once (`set_grad_enabled(False)` as a statement works too)
    and, used in a `with`, restores the previous mode at the end."""

    def __init__(self, mode: bool):
        global _grad_enabled
        self.mode = bool(mode)
        self.previous, _grad_enabled = _grad_enabled, self.mode

    def __enter__(self):
        return self


# -- grad_fn: torch's names for the backward nodes -----------------------------------------------

class GradFn:
    """What `t.grad_fn` returns: its class name is torch's (`MulBackward0`, `MmBackward0`, …)."""

    __slots__ = ("_tensor",)

    def __init__(self, tensor):
        self._tensor = tensor

    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self) -> tuple:
        return tuple((_next_function(x), 0) for x in self._tensor.inputs)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"


class AccumulateGrad(GradFn):
    """The end of a backward path: a leaf that wants a gradient."""

    __slots__ = ()

    @property
    def variable(self):
        return self._tensor

    @property
    def next_functions(self) -> tuple:
        return ()


def _next_function(x):
    if x.inputs:
        return x.grad_fn
    return AccumulateGrad(x) if x._rg else None


_GRAD_FN_CLASSES: dict[str, type] = {}


def _grad_fn_class(name: str) -> type:
    cls = _GRAD_FN_CLASSES.get(name)
    if cls is None:
        cls = _GRAD_FN_CLASSES[name] = type(name, (GradFn,), {"__slots__": ()})
    return cls


# -- the tensor ----------------------------------------------------------------------------------

class Tensor:
    __slots__ = ("value", "grad", "op", "inputs", "name", "_rg", "attrs", "group", "_grad_name",
                 "_retain", "_freed", "__weakref__")
    __array_ufunc__ = None   # ndarray ∘ Tensor defers to Tensor's reflected operators
    __hash__ = object.__hash__

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        if dtype is None and not isinstance(data, (np.ndarray, Tensor)):
            dtype = float32           # torch.Tensor([[1, 0]]) is float32, unlike torch.tensor
        self.value = _as_array(data, dtype)
        self.grad = None
        self.op = None
        self.inputs = ()
        self.name = name
        self._rg = False
        self.attrs = None
        self.group = None
        self._grad_name = None
        self._retain = False
        if requires_grad:
            self.requires_grad = True

    # -- the graph protocol: `.value` is the numpy array the engine computes on ------------------
    @property
    def data(self) -> "Tensor":
        """torch's `.data`: the same memory as a tensor outside the graph (in-place edits show)."""
        return _leaf(self.value)

    @data.setter
    def data(self, other) -> None:
        self.value = _as_array(other)

    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self.inputs:
            raise TensorError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if flag and self.value.dtype.kind not in "fc":
            raise TensorError("Only Tensors of floating point and complex dtype can require gradients")
        self._rg = bool(flag)

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        self.requires_grad = flag
        return self

    def input_grads(self, g):
        op, inputs = self.op, self.inputs
        if op.local is not None:
            attrs = self.attrs
            locals_ = (op.local(NUMPY, [x.value for x in inputs], self.value, **attrs) if attrs else
                       op.local(NUMPY, [x.value for x in inputs], self.value))
            grads = []
            for x, d in zip(inputs, locals_):
                if not x._rg:
                    grads.append(None)
                    continue
                if type(d) is _builtin_float and d in (1.0, -1.0):  # skip multiplying by ±1
                    c = g if d == 1.0 else -g
                else:
                    c = g * d
                grads.append(unbroadcast(c, x.value.shape))
            return grads
        needs = tuple(x._rg for x in inputs)
        grads = op.vjp(g, [x.value for x in inputs], self.value, needs=needs, **(self.attrs or {}))
        return [gx if need else None for gx, need in zip(grads, needs)]

    def local_derivative(self, index: int):
        return None  # a tensor's local derivative is a rule (see local_text), not a number

    def local_text(self, index: int, names: list[str], out: str) -> str:
        op = self.op
        if op.arity == -1:                       # cat, stack: one rule for every input
            return op.rules()[0].format(names[index], out=out)
        text = op.derivative_text(index, names, out, self.attrs if op.elementwise else None)
        if not op.elementwise:
            return text
        text = {"1": "grad", "-1": "−grad"}.get(text, f"grad · {text}")
        if self.inputs[index].value.shape != self.value.shape:
            text = _("{rule}, summed over broadcast dims").format(rule=text)
        return text

    @property
    def grad_fn(self):
        if not self.inputs:
            return None
        return _grad_fn_class(self._grad_name or self.op.grad_fn)(self)

    @property
    def is_leaf(self) -> bool:
        return not self.inputs

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep theirs)."""
        if not self._rg:
            raise TensorError("can't retain_grad on Tensor that has requires_grad=False")
        self._retain = True

    # -- differentiation -----------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad`; `gradient` makes it a VJP."""
        if not self._rg:
            raise TensorError("element 0 of tensors does not require grad and does not have a grad_fn")
        walk = _walk(self, _seed(self, gradient), retain_graph)
        stored: set[int] = set()
        for node in walk.order:
            if node._rg and (node._retain or not node.inputs):
                g = walk.by_node.get(node)
                if g is not None:
                    node._accumulate(g, stored)

    def _accumulate(self, g, stored: set) -> None:
        if self.grad is not None:
            self.grad.value += g
            return
        # The walk may hand the same array to several nodes (add passes grad through) or give
        # a read-only broadcast view: copy only then, so the common case costs nothing.
        if (type(g) is not np.ndarray or id(g) in stored or g.base is not None
                or not g.flags.writeable or g.dtype != self.value.dtype):
            g = np.array(g, dtype=self.value.dtype)
        stored.add(id(g))
        self.grad = _leaf(g)

    def detach(self) -> "Tensor":
        """The same data, cut from the graph (shares memory, like torch)."""
        return _leaf(self.value)

    def detach_(self) -> "Tensor":
        self.op, self.inputs, self.attrs, self._rg = None, (), None, False
        return self

    # -- conversion ----------------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        if self._rg:
            raise TensorError("Can't call numpy() on Tensor that requires grad. "
                              "Use tensor.detach().numpy() instead.")
        return self.value

    def __array__(self, dtype=None, copy=None):
        # numpy's protocol: copy=True must never hand out our buffer (np.array(t) copies)
        array = self.value if dtype is None else self.value.astype(dtype, copy=False)
        return array.copy() if copy and array is self.value else array

    def item(self):
        if self.value.size != 1:
            raise TensorError(f"a Tensor with {self.value.size} elements cannot be converted to Scalar")
        return self.value.item()

    def tolist(self):
        return self.value.tolist()

    def __float__(self): return _builtin_float(self.item())
    def __int__(self): return int(self.item())
    def __bool__(self):
        if self.value.size != 1:
            raise TensorError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.value.item())
    def __index__(self):
        if self.value.dtype.kind not in "iu" or self.value.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.value.item())

    def to(self, *args, **kwargs) -> "Tensor":
        """`.to(float64)` casts; `.to("cpu")`, `.to(device)` are accepted (this engine is CPU-only)."""
        dtype = kwargs.get("dtype")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.value.dtype                    # .to(other): other's dtype (and device)
            elif _is_dtype(a):
                dtype = a
            else:
                _check_device(a)
        _check_device(kwargs.get("device", "cpu"))
        dtype = _dtypes.as_numpy(dtype)
        if dtype is None or dtype == self.value.dtype:
            return self
        return _apply(OPS["to"], (self,), {"dtype": dtype})

    def type(self, dtype=None):
        """`t.type()` names the legacy type ('torch.FloatTensor'); `t.type(torch.double)` casts."""
        if dtype is None:
            return "torch." + _LEGACY_NAMES.get(self.value.dtype.name, "Tensor")
        if isinstance(dtype, str):
            names = {v: k for k, v in _LEGACY_NAMES.items()}
            dtype = np.dtype(names[dtype.rpartition(".")[2]])
        return self.to(dtype)
    def float(self): return self.to(float32)
    def double(self): return self.to(float64)
    def long(self): return _leaf(self.value.astype(int64))
    def int(self): return _leaf(self.value.astype(int32))
    def bool(self): return _leaf(self.value.astype(bool_))
    def cpu(self): return self
    def cuda(self, *_args, **_kwargs): _check_device("cuda")

    @property
    def device(self) -> device:
        return CPU

    is_cuda = False

    def contiguous(self) -> "Tensor":
        return self                 # numpy arrays need no contiguous copy for any op here

    # -- shape ---------------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self.value.shape)

    def size(self, dim: int | None = None):
        return Size(self.value.shape) if dim is None else self.value.shape[dim]

    @property
    def ndim(self) -> int:
        return self.value.ndim

    def dim(self) -> int:
        return self.value.ndim

    def numel(self) -> int:
        return self.value.size

    @property
    def dtype(self):
        return _dtypes.of(self.value.dtype)

    def is_floating_point(self) -> bool:
        return self.value.dtype.kind == "f"

    def __len__(self) -> int:
        if not self.value.ndim:
            raise TypeError("len() of a 0-d tensor")
        return self.value.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # -- arithmetic (elementwise ops from the registry) ----------------------------------------
    def __add__(self, other): return _apply(_ADD, (self, _lift(other, self)))
    def __radd__(self, other): return _apply(_ADD, (_lift(other, self), self))
    def __sub__(self, other): return _apply(_SUB, (self, _lift(other, self)))
    def __rsub__(self, other): return _apply(_SUB, (_lift(other, self), self), name="RsubBackward1")
    def __mul__(self, other): return _apply(_MUL, (self, _lift(other, self)))
    def __rmul__(self, other): return _apply(_MUL, (_lift(other, self), self))
    def __truediv__(self, other): return _apply(_DIV, (self, _lift(other, self)))
    def __rtruediv__(self, other): return _apply(_DIV, (_lift(other, self), self))
    def __neg__(self): return _apply(OPS["neg"], (self,))
    neg = __neg__

    def __pow__(self, other):
        name = None if isinstance(other, Tensor) else "PowBackward0"
        return _apply(OPS["pow"], (self, _lift(other, self)), name=name)

    def __rpow__(self, other):
        return _apply(OPS["pow"], (_lift(other, self), self), name="PowBackward2")

    def __matmul__(self, other): return matmul(self, other)
    matmul = __matmul__

    def mm(self, other):
        if self.value.ndim != 2 or _raw(other).ndim != 2:
            raise TensorError("self must be a matrix" if self.value.ndim != 2 else "mat2 must be a matrix")
        return matmul(self, other)
    def __rmatmul__(self, other): return matmul(_lift(other, self), self)

    add, sub, mul, div, pow = __add__, __sub__, __mul__, __truediv__, __pow__

    # exp, log, …, relu, leaky_relu: one method per elementwise function of the registry, made
    # by _function_method below the class
    def __abs__(self): return self.abs()

    def var(self, dim=None, unbiased: bool = True, keepdim: bool = False):
        """The (unbiased, as torch's default) variance, built from differentiable pieces."""
        dims = range(self.ndim) if dim is None else (dim,) if isinstance(dim, int) else dim
        n = int(np.prod([self.value.shape[d] for d in dims]))
        centred = self - self.mean(dim, keepdim=True)
        return (centred * centred).sum(dim, keepdim) / (n - 1 if unbiased else n)

    def std(self, dim=None, unbiased: bool = True, keepdim: bool = False):
        return self.var(dim, unbiased, keepdim).sqrt()

    def repeat(self, *sizes):
        """Tile the tensor `sizes[d]` times along each dim, as copies joined with cat."""
        sizes = _shape_arg(sizes)
        if len(sizes) < self.ndim:
            raise TensorError("Number of dimensions of repeat dims can not be smaller than number "
                              "of dimensions of tensor")
        x = self.reshape(*((1,) * (len(sizes) - self.ndim) + self.value.shape))
        for dim, times in enumerate(sizes):
            if times != 1:
                x = cat([x] * times, dim=dim)
        return x

    # -- comparisons: plain boolean tensors, outside the graph --------------------------------
    def __eq__(self, other): return _leaf(self.value == _raw(other))
    def __ne__(self, other): return _leaf(self.value != _raw(other))
    def __lt__(self, other): return _leaf(self.value < _raw(other))
    def __le__(self, other): return _leaf(self.value <= _raw(other))
    def __gt__(self, other): return _leaf(self.value > _raw(other))
    def __ge__(self, other): return _leaf(self.value >= _raw(other))
    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    # logical (bool) or bitwise (int) operators, outside the graph like the comparisons
    def __and__(self, other): return _leaf(self.value & _raw(other))
    def __or__(self, other): return _leaf(self.value | _raw(other))
    def __xor__(self, other): return _leaf(self.value ^ _raw(other))
    def __invert__(self): return _leaf(~self.value)
    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def equal(self, other) -> bool:
        return self.value.shape == _raw(other).shape and bool(np.all(self.value == _raw(other)))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
        return bool(np.allclose(self.value, _raw(other), rtol, atol, equal_nan))

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> "Tensor":
        return _leaf(np.isclose(self.value, _raw(other), rtol, atol, equal_nan))

    def all(self, dim=None) -> "Tensor": return _leaf(np.all(self.value, axis=dim))
    def any(self, dim=None) -> "Tensor": return _leaf(np.any(self.value, axis=dim))

    # -- in-place updates: allowed on data outside the graph, as in torch ----------------------
    def _check_inplace(self):
        if _grad_enabled and (self._rg and not self.inputs):
            raise TensorError("a leaf Variable that requires grad is being used in an in-place operation.")
        if _grad_enabled and self.inputs:
            raise TensorError(_("in-place operations on tensors inside a graph are not supported; "
                                "write y = y + x instead of y += x."))

    def __iadd__(self, other):
        self._check_inplace()
        self.value += _raw(other)
        return self

    def __isub__(self, other):
        self._check_inplace()
        self.value -= _raw(other)
        return self

    def __imul__(self, other):
        self._check_inplace()
        self.value *= _raw(other)
        return self

    def __itruediv__(self, other):
        self._check_inplace()
        self.value /= _raw(other)
        return self

    def add_(self, other, alpha=1):
        return self.__iadd__(_raw(other) * alpha if alpha != 1 else other)

    def sub_(self, other, alpha=1):
        return self.__isub__(_raw(other) * alpha if alpha != 1 else other)

    def mul_(self, other): return self.__imul__(other)
    def div_(self, other): return self.__itruediv__(other)

    def __setitem__(self, key, value) -> None:
        self._check_inplace()
        self.value[_raw_key(key)] = _raw(value)

    def clone(self) -> "Tensor":
        return _apply(OPS["clone"], (self,))

    def zero_(self) -> "Tensor":
        self._check_inplace()
        self.value[...] = 0
        return self

    def fill_(self, value) -> "Tensor":
        self._check_inplace()
        self.value[...] = value
        return self

    def copy_(self, other) -> "Tensor":
        self._check_inplace()
        self.value[...] = _raw(other)
        return self

    # -- reductions and shapes (structural ops) ------------------------------------------------
    def sum(self, dim=None, keepdim: bool = False):
        return _reduce(OPS["sum"], self, dim, keepdim, "SumBackward1")

    def mean(self, dim=None, keepdim: bool = False):
        if self.value.dtype.kind not in "fc":
            raise TensorError(f"mean(): could not infer output dtype. Input dtype must be either a "
                              f"floating point or complex dtype. Got: {_dtype_name(self.dtype)}")
        return _reduce(OPS["mean"], self, dim, keepdim, "MeanBackward1")

    def max(self, dim: int | None = None, keepdim: bool = False):
        """max() is the largest element; max(dim) is (values, indices), as in torch."""
        if dim is None:
            return _apply(OPS["max"], (self,))
        values = _apply(OPS["max"], (self,), {"dim": dim, "keepdim": keepdim}, "MaxBackward0")
        return MaxResult(values, self.argmax(dim, keepdim))

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        return _leaf(np.asarray(np.argmax(self.value, axis=dim, keepdims=keepdim), dtype=int64))

    def norm(self):
        """The Euclidean norm, built from differentiable pieces."""
        return (self * self).sum().sqrt()

    def reshape(self, *shape):
        shape = _shape_arg(shape)
        try:
            out = _apply(OPS["reshape"], (self,), {"shape": shape})
        except TensorError:
            raise TensorError(f"shape '{list(shape)}' is invalid for input of size "
                              f"{self.value.size}") from None
        return out

    view = reshape

    def view_as(self, other: "Tensor") -> "Tensor":
        return self.reshape(*other.value.shape)

    def reshape_as(self, other: "Tensor") -> "Tensor":
        return self.reshape(*other.value.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        shape = self.value.shape
        end = end_dim % (len(shape) or 1)
        if not shape:
            return self.reshape(1)
        return self.reshape(*shape[:start_dim], -1, *shape[end + 1:])

    def transpose(self, dim0: int, dim1: int):
        return _apply(OPS["transpose"], (self,), {"dim0": dim0, "dim1": dim1})

    def t(self):
        return _apply(OPS["transpose"], (self,), {"dim0": 0, "dim1": -1 if self.ndim else 0},
                      "TBackward0")

    def permute(self, *dims):
        return _apply(OPS["permute"], (self,), {"dims": _shape_arg(dims)})

    @property
    def T(self):
        return _apply(OPS["permute"], (self,), {"dims": tuple(range(self.ndim))[::-1]})

    def squeeze(self, dim: int | None = None):
        name = "SqueezeBackward0" if dim is None else "SqueezeBackward1"
        return _apply(OPS["squeeze"], (self,), {"dim": dim}, name)

    def unsqueeze(self, dim: int):
        return _apply(OPS["unsqueeze"], (self,), {"dim": dim})

    def __getitem__(self, key):
        if not self.value.ndim and isinstance(key, (int, np.integer)):
            raise TensorIndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        key = _raw_key(key)
        name = ("SelectBackward0" if isinstance(key, (int, np.integer)) else
                "SliceBackward0" if isinstance(key, slice) else
                None if not _is_basic(key) else "SliceBackward0")
        return _apply(OPS["index"], (self,), {"key": key}, name)

    def softmax(self, dim: int = -1): return _apply(OPS["softmax"], (self,), {"dim": dim})
    def log_softmax(self, dim: int = -1): return _apply(OPS["log_softmax"], (self,), {"dim": dim})

    def __repr__(self) -> str:
        return tensor_repr(self.value, self.grad_fn.name() if self.inputs else None, self._rg)

    def __format__(self, spec: str) -> str:
        # torch: a 0-dim tensor formats as its number (even with an empty spec), others as text
        if self.value.ndim == 0:
            return format(self.value.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)


# torch frees the tensors a backward node saved; nodes that saved none can be walked again
_SAVES_NOTHING = frozenset({"add", "sub", "neg", "sum", "mean", "reshape", "transpose", "permute",
                            "squeeze", "unsqueeze", "clone", "to", "cat", "stack"})
_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
          "after they have already been freed). Saved intermediate values of the graph are freed "
          "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
          "backward through the graph a second time or if you need to access saved tensors after "
          "calling backward.")


def _seed(out: Tensor, gradient) -> np.ndarray:
    """The gradient backward starts from: 1 for a scalar output, else the one the user gave."""
    if gradient is None:
        if out.value.size != 1:
            raise TensorError("grad can be implicitly created only for scalar outputs")
        return np.ones_like(out.value)
    seed = np.array(gradient.value if isinstance(gradient, Tensor) else gradient,
                    dtype=out.value.dtype)        # a copy: the user keeps theirs
    if seed.shape != out.value.shape:
        raise TensorError(
            f"Mismatch in shape: grad_output[0] has a shape of {_size(seed.shape)} and "
            f"output[0] has a shape of {_size(out.value.shape)}.")
    return seed


def _walk(root: Tensor, seed: np.ndarray, retain_graph):
    """The backward walk, refusing a graph an earlier walk freed (as torch does)."""
    walk = backpropagate(root, seed)
    for node in walk.order:
        if node.inputs and getattr(node, "_freed", False) and node.op.name not in _SAVES_NOTHING:
            raise TensorError(_FREED)
    if not retain_graph:      # torch frees what backward saved: a second walk is refused
        for node in walk.order:
            if node.inputs:
                node._freed = True
    return walk


class MaxResult(tuple):
    """torch's (values, indices) pair returned by max(dim)."""

    def __new__(cls, values, indices):
        return super().__new__(cls, (values, indices))

    @property
    def values(self): return self[0]

    @property
    def indices(self): return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.max(\nvalues={self[0]!r},\nindices={self[1]!r})"


_ADD, _SUB, _MUL, _DIV = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"]


def _function_method(op):
    """The Tensor method for the registry's elementwise function `op`: `t.exp()`, `t.leaky_relu(0.2)`."""
    if op.params:
        def method(self, *args, **kwargs):
            return _apply(op, (self,), op.bind(args, kwargs))
    else:
        def method(self):
            return _apply(op, (self,))
    method.__name__, method.__qualname__, method.__doc__ = op.name, f"Tensor.{op.name}", op.help
    return method


def _torch_function(op):
    """torch's top-level function for the same op: `tensor.exp(t)` is `t.exp()`."""
    function = _function_method(op)
    function.__qualname__ = op.name
    return function


for _op in functions():
    setattr(Tensor, _op.name, _function_method(_op))


# -- making nodes --------------------------------------------------------------------------------

def _leaf(array) -> Tensor:
    """A tensor outside any graph, wrapping `array` without copying (the fast constructor)."""
    t = Tensor.__new__(Tensor)
    t.value = array if type(array) is np.ndarray else np.asarray(array)
    t.grad = t.op = t.name = t.attrs = t.group = t._grad_name = None
    t.inputs = ()
    t._rg = t._retain = False
    return t


def _apply(op, inputs: tuple, attrs: dict | None = None, name: str | None = None) -> Tensor:
    """Run `op` forward on the inputs' arrays; record a graph node if a gradient will flow."""
    try:
        out = op.forward(NUMPY, *[x.value for x in inputs], **attrs) if attrs else \
            op.forward(NUMPY, *[x.value for x in inputs])
    except (ValueError, IndexError) as exc:
        raise TensorError(_failure(op, inputs, exc)) from None
    t = _leaf(out)
    if _grad_enabled:
        for x in inputs:
            if x._rg:
                t.op, t.inputs, t.attrs, t._grad_name, t._rg = op, inputs, attrs, name, True
                break
    return t


def _failure(op, inputs, exc) -> str:
    shapes = _(" and ").join(str(list(x.value.shape)) for x in inputs)
    if op.name in ("matmul", "linear") and len(inputs) >= 2:
        a, b = inputs[0].value.shape, inputs[1].value.shape
        b = b[::-1] if op.name == "linear" else b
        return _("{op}: shapes cannot be multiplied ({a} and {b})").format(
            op=op.name, a="x".join(map(str, a)), b="x".join(map(str, b)))
    return _("{op} cannot be applied to tensors of shape {shapes}: {error}").format(op=op.name, shapes=shapes,
                                                                                  error=exc)


def _reduce(op, x, dim, keepdim, named_dim_grad_fn):
    if dim is None:
        return _apply(op, (x,), {"dim": None, "keepdim": keepdim} if keepdim else None)
    if isinstance(dim, list):
        dim = tuple(dim)
    return _apply(op, (x,), {"dim": dim, "keepdim": keepdim}, named_dim_grad_fn)


def _lift(x, like: Tensor) -> Tensor:
    """A number or array used beside a tensor becomes a constant node of a matching dtype."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return _leaf(x)
    kind = like.value.dtype.kind
    if isinstance(x, bool) or not isinstance(x, (int, _builtin_float, np.number)):
        return _leaf(np.asarray(x))
    if kind in "fc":
        return _leaf(np.asarray(x, dtype=like.value.dtype))
    if isinstance(x, (_builtin_float, np.floating)):
        return _leaf(np.asarray(x, dtype=float32))     # int tensor × 2.5 → float32, as torch
    return _leaf(np.asarray(x, dtype=like.value.dtype))


def _raw(x):
    return x.value if isinstance(x, Tensor) else x


def _raw_key(key):
    if isinstance(key, Tensor):
        return key.value
    if isinstance(key, tuple):
        return tuple(k.value if isinstance(k, Tensor) else k for k in key)
    if isinstance(key, list):
        return np.asarray(key)
    return key


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _size(shape) -> str:
    return f"torch.Size({list(shape)})"


def _dtype_name(dtype) -> str:
    return "torch." + {"float32": "float32", "float64": "float64", "int64": "int64",
                       "bool": "bool"}.get(np.dtype(dtype).name, np.dtype(dtype).name)


_LEGACY_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
                 "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def _is_dtype(a) -> bool:
    return isinstance(a, (type, np.dtype, _dtypes.DType)) or hasattr(a, "legacy_dtype")


def _check_device(device) -> None:
    text = str(device)
    if not text.startswith("cpu"):
        raise TensorError(_("this tensor engine runs on the CPU only; use torch for device {device!r}").format(device=text))


def _as_array(data, dtype=None) -> np.ndarray:
    """torch.tensor's typing: Python floats → float32, ints → int64, numpy arrays keep theirs."""
    if isinstance(data, Tensor):
        data = data.value
    if dtype is not None:
        return np.array(data, dtype=_dtypes.as_numpy(dtype))
    if isinstance(data, np.ndarray):
        return data
    array = np.array(data)
    if array.dtype == np.float64 and not isinstance(data, np.floating):
        array = array.astype(np.float32)
    return array


# -- functions on tensors (torch's top-level names) -----------------------------------------------

def matmul(a, b) -> Tensor:
    a = a if isinstance(a, Tensor) else tensor(a)
    b = _lift(b, a)
    name = {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (2, 2): "MmBackward0",
            (1, 2): "SqueezeBackward4"}.get(
        (a.value.ndim, b.value.ndim), "UnsafeViewBackward0")
    return _apply(OPS["matmul"], (a, b), None, name)


def cat(tensors, dim: int = 0) -> Tensor:
    return _apply(OPS["cat"], tuple(tensors), {"dim": dim})


def stack(tensors, dim: int = 0) -> Tensor:
    return _apply(OPS["stack"], tuple(tensors), {"dim": dim})


# exp, log, sqrt, sin, cos, tan, tanh, sigmoid, relu, abs, …: every elementwise function of the
# registry that torch has at its top level (torch.exp, not torch.nn.functional.leaky_relu)
for _op in functions():
    if "." not in _op.torch_name:
        globals()[_op.name] = _torch_function(_op)
def sum(x, dim=None, keepdim=False): return x.sum(dim, keepdim)  # noqa: A001 (torch's name)
def mean(x, dim=None, keepdim=False): return x.mean(dim, keepdim)
def max(x, dim=None, keepdim=False): return x.max(dim, keepdim)  # noqa: A001
def argmax(x, dim=None, keepdim=False): return x.argmax(dim, keepdim)
def reshape(x, *shape): return x.reshape(*shape)
def transpose(x, dim0, dim1): return x.transpose(dim0, dim1)
def squeeze(x, dim=None): return x.squeeze(dim)
def unsqueeze(x, dim): return x.unsqueeze(dim)
def softmax(x, dim=-1): return x.softmax(dim)
def log_softmax(x, dim=-1): return x.log_softmax(dim)


# -- constructors and randomness ----------------------------------------------------------------

class Generator:
    """A seeded source of random numbers (numpy's PCG64), like torch.Generator."""

    def __init__(self, seed: int | None = None):
        self.rng = np.random.default_rng(seed)

    def manual_seed(self, seed: int) -> "Generator":
        self.rng = np.random.default_rng(seed)
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Make every later random draw (randn, rand, init, dropout) reproducible."""
    return default_generator.manual_seed(seed)


def _rng(generator: Generator | None):
    return (generator or default_generator).rng


def _made(array, requires_grad: bool, name: str | None = None) -> Tensor:
    t = _leaf(array)
    t.name = name
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(data, dtype=None, requires_grad: bool = False, name: str | None = None) -> Tensor:
    """A new tensor holding a copy of `data` (lists of floats become float32, as in torch)."""
    array = _as_array(data, dtype)
    if array is data or (isinstance(data, Tensor) and array is data.value):
        array = array.copy()
    return _made(array, requires_grad, name)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with `array` (changes to one show in the other)."""
    return _leaf(array)


def as_tensor(data, dtype=None) -> Tensor:
    return data if isinstance(data, Tensor) and dtype is None else _leaf(_as_array(data, dtype))


def zeros(*shape, dtype=float32, requires_grad=False, name=None) -> Tensor:
    return _made(np.zeros(_shape_arg(shape), dtype=dtype), requires_grad, name)


def ones(*shape, dtype=float32, requires_grad=False, name=None) -> Tensor:
    return _made(np.ones(_shape_arg(shape), dtype=dtype), requires_grad, name)


def full(shape, value, dtype=float32, requires_grad=False, name=None) -> Tensor:
    return _made(np.full(_shape_arg((shape,)), value, dtype=dtype), requires_grad, name)


def zeros_like(t: Tensor, dtype=None, requires_grad=False, name=None) -> Tensor:
    return _made(np.zeros_like(t.value, dtype=dtype), requires_grad, name)


def ones_like(t: Tensor, dtype=None, requires_grad=False, name=None) -> Tensor:
    return _made(np.ones_like(t.value, dtype=dtype), requires_grad, name)


def randn(*shape, generator=None, dtype=float32, requires_grad=False, name=None) -> Tensor:
    return _made(_rng(generator).standard_normal(_shape_arg(shape)).astype(dtype, copy=False),
                 requires_grad, name)


def rand(*shape, generator=None, dtype=float32, requires_grad=False, name=None) -> Tensor:
    return _made(_rng(generator).random(_shape_arg(shape)).astype(dtype, copy=False), requires_grad, name)


def randint(low, high, size, generator=None) -> Tensor:
    return _leaf(_rng(generator).integers(low, high, size=size, dtype=int64))


def randperm(n: int, generator=None) -> Tensor:
    return _leaf(_rng(generator).permutation(n).astype(int64))


def arange(start, end=None, step=1, dtype=None, requires_grad=False, name=None) -> Tensor:
    """Integers give int64 (which cannot require grad, as in torch); any float gives float32."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        whole = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = int64 if whole else float32
    return _made(np.arange(start, end, step, dtype=dtype), requires_grad, name)


def linspace(start, end, steps: int, dtype=float32, requires_grad=False, name=None) -> Tensor:
    return _made(np.linspace(start, end, steps, dtype=dtype), requires_grad, name)
