"""The scalar engine: micrograd's idea, with the op registry behind every operator.

A `Scalar` is one number in a graph. Operators build new Scalars; `backward()` walks the graph
once (see graph.backpropagate) and leaves d(output)/d(node) in every node's `.grad`.
No closures are stored, so graphs are not reference cycles and die as soon as they are dropped.
"""
from __future__ import annotations

import math

from .errors import ExplainerMathError
from .format import fmt
from .graph import backpropagate
from .ops import OPS, Op
from .ops.backends import MATH


class Scalar:
    __slots__ = ("value", "grad", "op", "inputs", "name", "requires_grad", "attrs", "group",
                 "__weakref__")

    def __init__(self, value, name: str | None = None, requires_grad: bool = True,
                 op: Op | None = None, inputs: tuple = (), group: str | None = None):
        self.value = float(value)
        self.grad = 0.0
        self.op = op
        self.inputs = inputs
        self.name = name
        self.requires_grad = requires_grad
        self.attrs = None
        self.group = group

    # -- building the graph --------------------------------------------------------------------
    @staticmethod
    def apply(op_name: str, *inputs: "Scalar", name: str | None = None) -> "Scalar":
        op = OPS[op_name]
        values = [x.value for x in inputs]
        try:
            value = op.forward(MATH, *values)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ExplainerMathError(domain_message(op, values, exc)) from None
        out = _node(_checked(op, values, value), op, inputs, any(x.requires_grad for x in inputs))
        out.name = name
        return out

    def _input_grads(self, g):
        inputs = self.inputs
        if not self.requires_grad:
            return (None,) * len(inputs)
        if len(inputs) == 2:  # the common case unrolled (this runs once per node per backward)
            x, y = inputs
            dx, dy = self.op.local(MATH, (x.value, y.value), self.value)
            return (g * dx if x.requires_grad else None, g * dy if y.requires_grad else None)
        if len(inputs) == 1:
            x = inputs[0]
            return (g * self.op.local(MATH, (x.value,), self.value)[0] if x.requires_grad else None,)
        locals_ = self.op.local(MATH, tuple(x.value for x in inputs), self.value)
        return tuple(g * d if x.requires_grad else None for x, d in zip(inputs, locals_))

    def _local(self, index: int) -> float:
        return self.op.local(MATH, [x.value for x in self.inputs], self.value)[index]

    def _local_text(self, index: int, names: list[str], out: str) -> str:
        return self.op.derivative_text(index, names, out)

    # -- operators (straight to the registry's op: no name lookup, no generic *args) -------------
    def __add__(self, other): return _binary(_ADD, self, other if other.__class__ is Scalar else lift(other))
    def __radd__(self, other): return _binary(_ADD, lift(other), self)
    def __sub__(self, other): return _binary(_SUB, self, other if other.__class__ is Scalar else lift(other))
    def __rsub__(self, other): return _binary(_SUB, lift(other), self)
    def __mul__(self, other): return _binary(_MUL, self, other if other.__class__ is Scalar else lift(other))
    def __rmul__(self, other): return _binary(_MUL, lift(other), self)
    def __truediv__(self, other): return _binary(_DIV, self, lift(other))
    def __rtruediv__(self, other): return _binary(_DIV, lift(other), self)
    def __pow__(self, other): return _binary(_POW, self, lift(other))
    def __rpow__(self, other): return _binary(_POW, lift(other), self)
    def __neg__(self): return _unary(_NEG, self)

    def exp(self): return _unary(_EXP, self)
    def log(self): return _unary(_LOG, self)
    def sqrt(self): return _unary(_SQRT, self)
    def sin(self): return _unary(_SIN, self)
    def cos(self): return _unary(_COS, self)
    def tan(self): return _unary(_TAN, self)
    def tanh(self): return _unary(_TANH, self)
    def sigmoid(self): return _unary(_SIGMOID, self)
    def relu(self): return _unary(_RELU, self)
    def abs(self): return _unary(_ABS, self)
    __abs__ = abs

    # -- differentiation -----------------------------------------------------------------------
    def backward(self) -> None:
        """Accumulate d(self)/d(node) into `.grad` of every node self depends on."""
        from .numerics import gradients_explained

        with gradients_explained(self):
            walk = backpropagate(self, 1.0)
        for node, g in walk.by_node.items():
            node.grad += g

    def __repr__(self) -> str:
        label = f"{self.name}=" if self.name else ""
        return f"Scalar({label}{fmt(self.value)}, grad={fmt(self.grad)})"


def lift(x) -> Scalar:
    """A Python number used in an expression becomes a constant node (no gradient)."""
    return x if isinstance(x, Scalar) else Scalar(x, requires_grad=False)


_ADD, _SUB, _MUL, _DIV, _POW, _NEG = (OPS[n] for n in ("add", "sub", "mul", "div", "pow", "neg"))
_EXP, _LOG, _SQRT, _SIN, _COS, _TAN = (OPS[n] for n in ("exp", "log", "sqrt", "sin", "cos", "tan"))
_TANH, _SIGMOID, _RELU, _ABS = (OPS[n] for n in ("tanh", "sigmoid", "relu", "abs"))
_new = object.__new__
_isinf = math.isinf


def _node(value: float, op: Op, inputs: tuple, requires_grad: bool) -> Scalar:
    """A new op node. Bypasses __init__ (its defaults and float()) because the forward pass
    creates one of these per operation; every slot is still set."""
    out = _new(Scalar)
    out.value = value
    out.grad = 0.0
    out.op = op
    out.inputs = inputs
    out.name = None
    out.requires_grad = requires_grad
    out.attrs = None
    out.group = None
    return out


def _binary(op: Op, x: Scalar, y: Scalar) -> Scalar:
    try:
        value = op.forward(MATH, x.value, y.value)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise ExplainerMathError(domain_message(op, [x.value, y.value], exc)) from None
    if value.__class__ is not float or _isinf(value):
        value = _checked(op, [x.value, y.value], value)
    out = _new(Scalar)  # _node's body, inlined: one Python call less per operation
    out.value = value
    out.grad = 0.0
    out.op = op
    out.inputs = (x, y)
    out.name = None
    out.requires_grad = x.requires_grad or y.requires_grad
    out.attrs = None
    out.group = None
    return out


def _unary(op: Op, x: Scalar) -> Scalar:
    try:
        value = op.forward(MATH, x.value)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise ExplainerMathError(domain_message(op, [x.value], exc)) from None
    if value.__class__ is not float or _isinf(value):
        value = _checked(op, [x.value], value)
    out = _new(Scalar)  # as in _binary
    out.value = value
    out.grad = 0.0
    out.op = op
    out.inputs = (x,)
    out.name = None
    out.requires_grad = x.requires_grad
    out.attrs = None
    out.group = None
    return out


def _checked(op: Op, values: list[float], value) -> float:
    """`value` as a float, or the one-sentence error when it is complex or infinite."""
    if isinstance(value, complex) or math.isinf(value):
        raise ExplainerMathError(domain_message(op, values, OverflowError()))
    return float(value)


def domain_message(op: Op, values: list[float], exc: Exception) -> str:
    """One sentence saying which arithmetic is undefined, with the numbers."""
    args = ", ".join(fmt(v) for v in values)
    if op.name == "div" and values[1] == 0:
        return f"division by zero: {fmt(values[0])} / 0 is undefined"
    if op.name == "log":
        return f"log of a non-positive number: log({args}) is undefined"
    if op.name == "sqrt":
        return f"square root of a negative number: sqrt({args}) is not real"
    if op.name == "pow" and isinstance(exc, (ValueError, ZeroDivisionError)):
        return f"power is undefined: ({fmt(values[0])})^({fmt(values[1])}) is not a real number"
    if isinstance(exc, OverflowError):
        shown = f" {op.symbol} ".join(fmt(v) for v in values) if op.arity == 2 else f"{op.name}({args})"
        return f"overflow: {shown} is too large for a 64-bit float"
    return f"{op.name}({args}) is undefined"
