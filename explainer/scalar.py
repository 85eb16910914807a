"""The scalar engine: micrograd's idea, with the op registry behind every operator.

A `Scalar` is one number in a graph. Operators build new Scalars; `backward()` walks the graph
once (see graph.backpropagate) and leaves d(output)/d(node) in every node's `.grad`.
No closures are stored, so graphs are not reference cycles and die as soon as they are dropped.
The methods named after functions (`x.exp()`, `x.leaky_relu(0.2)`) are made from the registry's
elementwise functions at the end of this file: a new op there is a new method here.
"""
from __future__ import annotations
from explainer.i18n import _

import math
import operator
from numbers import Real

from .errors import ExplainerError, ExplainerMathError
from .format import fmt
from .graph import backpropagate
from .ops import OPS, Op
from .ops.backends import MATH


def _binary_operator(op: Op):
    """`x ∘ y` for the registry's two-input `op` as one function, which the forward pass calls
    once per operation: it builds the node itself (_node's body, inlined: one call less each time).
    A number y becomes a constant node."""
    forward = op.forward

    def apply(x: "Scalar", y) -> "Scalar":
        if y.__class__ is not Scalar:
            y = lift(y)
        try:
            value = forward(MATH, x.value, y.value)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ExplainerMathError(domain_message(op, [x.value, y.value], exc)) from None
        if value.__class__ is not float or value - value:  # x − x is 0 for a finite x, nan for ±inf
            value = _checked(op, [x.value, y.value], value)
        out = _new(Scalar)
        out.value = value
        out.grad = 0.0
        out.op = op
        out.inputs = (x, y)
        out.name = None
        out.requires_grad = x.requires_grad or y.requires_grad
        out.attrs = None
        out.group = None
        return out

    apply.__name__, apply.__qualname__ = op.name, f"Scalar.{op.name}"
    return apply


_add, _sub, _mul, _div, _pow = (_binary_operator(OPS[n]) for n in ("add", "sub", "mul", "div", "pow"))


def _compare(how):
    """A comparison of a Scalar's value with another Scalar's or a plain number (a bool)."""
    def method(self, other):
        other = _number(other)
        return NotImplemented if other is None else how(self.value, other)
    method.__name__ = f"__{how.__name__}__"
    return method
_new = object.__new__


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
    def apply(op_name: str, *inputs: "Scalar", name: str | None = None, **params) -> "Scalar":
        """The registry's op `op_name` on `inputs`: `Scalar.apply("leaky_relu", x, negative_slope=0.2)`."""
        op = OPS[op_name]
        attrs = op.bind((), params)
        values = [x.value for x in inputs]
        try:
            value = op.forward(MATH, *values, **(attrs or {}))
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ExplainerMathError(domain_message(op, values, exc)) from None
        out = _node(_checked(op, values, value), op, inputs, any(x.requires_grad for x in inputs))
        out.name = name
        out.attrs = attrs
        return out

    # -- the graph protocol (graph.EngineNode): what the backward walk and the pictures read -----
    def input_grads(self, g) -> tuple:
        """The gradient each input receives when `g` flows into this node: g · ∂self/∂input
        (None for an input that wants no gradient). Runs once per node per backward."""
        inputs = self.inputs
        if self.attrs is None:  # no parameters: the common cases unrolled
            if len(inputs) == 2:
                x, y = inputs
                dx, dy = self.op.local(MATH, (x.value, y.value), self.value)
                return (g * dx if x.requires_grad else None, g * dy if y.requires_grad else None)
            if len(inputs) == 1:
                x = inputs[0]
                return (g * self.op.local(MATH, (x.value,), self.value)[0] if x.requires_grad else None,)
        return tuple(g * d if x.requires_grad else None
                     for x, d in zip(inputs, self.local_derivatives()))

    def local_derivatives(self) -> tuple:
        """∂self/∂input for every input, from the registry's rule (with this node's parameters)."""
        values = tuple(x.value for x in self.inputs)
        return self.op.local(MATH, values, self.value, **(self.attrs or {}))

    def local_derivative(self, index: int) -> float:
        return self.local_derivatives()[index]

    def local_text(self, index: int, names: list[str], out: str) -> str:
        return self.op.derivative_text(index, names, out, self.attrs)

    @property
    def data(self) -> float:
        """micrograd's name for `.value` (`p.data -= lr * p.grad` works)."""
        return self.value

    @data.setter
    def data(self, value) -> None:
        self.value = float(value)

    # -- comparisons by value, as minitorch's Scalar (a < b, a == 2.0); hashing stays by identity:
    # the walk keys its dicts by nodes, so two equal numbers must stay two nodes ----------------
    __hash__ = object.__hash__
    __eq__, __ne__, __lt__, __le__, __gt__, __ge__ = (
        _compare(how) for how in (operator.eq, operator.ne, operator.lt, operator.le, operator.gt,
                                  operator.ge))

    # -- operators: x + y is the registry's add made into one function (see _binary_operator) ----
    __add__, __sub__, __mul__, __truediv__, __pow__ = _add, _sub, _mul, _div, _pow
    def __radd__(self, other): return _add(lift(other), self)
    def __rsub__(self, other): return _sub(lift(other), self)
    def __rmul__(self, other): return _mul(lift(other), self)
    def __rtruediv__(self, other): return _div(lift(other), self)
    def __rpow__(self, other): return _pow(lift(other), self)
    def __neg__(self): return _unary(_NEG, self)
    def __abs__(self): return self.abs()

    # -- differentiation -----------------------------------------------------------------------
    def backward(self, gradient=1.0) -> None:
        """Accumulate d(self)/d(node) into `.grad` of every node self depends on; `gradient`
        (a number or Scalar, 1 by default) seeds the walk: the grads are then gradient·d(self)/d(node)."""
        seed = gradient if gradient.__class__ is float else _number(gradient)
        if seed is None:
            raise ExplainerError(_("backward(gradient) takes a number or a Scalar, not {gradient___name__}").format(gradient___name__=type(gradient).__name__))
        try:
            walk = backpropagate(self, seed)
        except (ArithmeticError, ValueError) as exc:  # 1/(2√x) at x = 0: say where, in one sentence
            from .numerics import undefined_gradient  # (only now: numpy stays unimported)
            raise (undefined_gradient(self) or exc) from None
        for node, g in walk.by_node.items():
            node.grad += g

    def __repr__(self) -> str:
        label = f"{self.name}=" if self.name else ""
        return f"Scalar({label}{fmt(self.value)}, grad={fmt(self.grad)})"


def lift(x) -> Scalar:
    """A Python number used in an expression becomes a constant node (no gradient)."""
    if isinstance(x, Scalar):
        return x
    return _node(x if x.__class__ is float else float(x), None, (), False)


def _number(x) -> float | None:
    """What a Scalar is compared with: another Scalar's value, or a plain real number."""
    if isinstance(x, Scalar):
        return x.value
    if isinstance(x, Real):
        return float(x)
    return None


_NEG = OPS["neg"]


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


def _unary(op: Op, x: Scalar, attrs: dict | None = None) -> Scalar:
    try:
        value = op.forward(MATH, x.value) if attrs is None else op.forward(MATH, x.value, **attrs)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise ExplainerMathError(domain_message(op, [x.value], exc)) from None
    if value.__class__ is not float or value - value:  # as in _binary_operator
        value = _checked(op, [x.value], value)
    out = _new(Scalar)  # as in _binary_operator
    out.value = value
    out.grad = 0.0
    out.op = op
    out.inputs = (x,)
    out.name = None
    out.requires_grad = x.requires_grad
    out.attrs = attrs
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
        return _("division by zero: {x} / 0 is undefined").format(x=fmt(values[0]))
    if op.name == "log":
        return _("log of a non-positive number: log({args}) is undefined").format(args=args)
    if op.name == "sqrt":
        return _("square root of a negative number: sqrt({args}) is not real").format(args=args)
    if op.name == "pow" and isinstance(exc, (ValueError, ZeroDivisionError)):
        return _("power is undefined: ({x})^({y}) is not a real number").format(x=fmt(values[0]), y=fmt(values[1]))
    if isinstance(exc, OverflowError):
        shown = f" {op.symbol} ".join(fmt(v) for v in values) if op.arity == 2 else f"{op.name}({args})"
        return _("overflow: {shown} is too large for a 64-bit float").format(shown=shown)
    return _("{op}({args}) is undefined").format(op=op.name, args=args)


# -- methods made from the registry: x.exp(), x.relu(), x.leaky_relu(0.2), … ---------------------

def _function_method(op: Op):
    """The Scalar method for the registry's elementwise function `op` (parameters positional or
    by name, defaults from the registry)."""
    if op.params:
        def method(self, *args, **kwargs):
            return _unary(op, self, op.bind(args, kwargs))
    else:
        def method(self):
            return _unary(op, self)
    method.__name__, method.__qualname__ = op.name, f"Scalar.{op.name}"
    method.__doc__ = op.help
    return method


for _op in OPS.values():
    if _op.function:
        setattr(Scalar, _op.name, _function_method(_op))
