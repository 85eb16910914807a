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
        if isinstance(value, complex) or math.isinf(value):
            raise ExplainerMathError(domain_message(op, values, OverflowError()))
        requires_grad = any(x.requires_grad for x in inputs)
        return Scalar(value, name, requires_grad, op, inputs)

    def _input_grads(self, g):
        if not self.requires_grad:
            return (None,) * len(self.inputs)
        locals_ = self.op.local(MATH, [x.value for x in self.inputs], self.value)
        return [g * d if x.requires_grad else None for x, d in zip(self.inputs, locals_)]

    def _local(self, index: int) -> float:
        return self.op.local(MATH, [x.value for x in self.inputs], self.value)[index]

    def _local_text(self, index: int, names: list[str], out: str) -> str:
        return self.op.derivative_text(index, names, out)

    # -- operators -------------------------------------------------------------------------------
    def __add__(self, other): return Scalar.apply("add", self, lift(other))
    def __radd__(self, other): return Scalar.apply("add", lift(other), self)
    def __sub__(self, other): return Scalar.apply("sub", self, lift(other))
    def __rsub__(self, other): return Scalar.apply("sub", lift(other), self)
    def __mul__(self, other): return Scalar.apply("mul", self, lift(other))
    def __rmul__(self, other): return Scalar.apply("mul", lift(other), self)
    def __truediv__(self, other): return Scalar.apply("div", self, lift(other))
    def __rtruediv__(self, other): return Scalar.apply("div", lift(other), self)
    def __pow__(self, other): return Scalar.apply("pow", self, lift(other))
    def __rpow__(self, other): return Scalar.apply("pow", lift(other), self)
    def __neg__(self): return Scalar.apply("neg", self)

    def exp(self): return Scalar.apply("exp", self)
    def log(self): return Scalar.apply("log", self)
    def sqrt(self): return Scalar.apply("sqrt", self)
    def sin(self): return Scalar.apply("sin", self)
    def cos(self): return Scalar.apply("cos", self)
    def tan(self): return Scalar.apply("tan", self)
    def tanh(self): return Scalar.apply("tanh", self)
    def sigmoid(self): return Scalar.apply("sigmoid", self)
    def relu(self): return Scalar.apply("relu", self)
    def abs(self): return Scalar.apply("abs", self)
    __abs__ = abs

    # -- differentiation -----------------------------------------------------------------------
    def backward(self) -> None:
        """Accumulate d(self)/d(node) into `.grad` of every node self depends on."""
        walk = backpropagate(self, 1.0)
        for node in walk.order:
            g = walk.grads.get(id(node))
            if g is not None:
                node.grad += g

    def __repr__(self) -> str:
        label = f"{self.name}=" if self.name else ""
        return f"Scalar({label}{fmt(self.value)}, grad={fmt(self.grad)})"


def lift(x) -> Scalar:
    """A Python number used in an expression becomes a constant node (no gradient)."""
    return x if isinstance(x, Scalar) else Scalar(x, requires_grad=False)


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
