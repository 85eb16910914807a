"""Expressions every gradient of which must agree with torch (tests/test_check.py runs them all).

Together they use every elementwise op in the registry (negative and fractional powers too),
variables used 2–5 times (fan-out), implicit multiplication, multi-statement programs and
nesting 20+ deep. `kink=True` marks points where a finite difference straddles a kink (relu or
|x| at 0) and so must be flagged as differing from our (and torch's) one-sided choice.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from explainer.ops import OPS


class Case(NamedTuple):
    text: str
    values: dict
    kink: bool = False


def nested(functions: list[str], depth: int, inner: str = "x") -> str:
    """f1(f2(…fn(x)…)) cycling through `functions`, `depth` calls deep."""
    text = inner
    for level in range(depth):
        text = f"{functions[level % len(functions)]}({text})"
    return text


def nested_sqrt(depth: int) -> str:
    """sqrt(sqrt(…sqrt(x + 1) + 1…) + 1): a pow-free nesting with a sum at every level."""
    text = "x"
    for _ in range(depth):
        text = f"sqrt({text} + 1)"
    return text


ABC = {"a": 5.0, "b": 3.0, "c": 2.0}

CASES: list[Case] = [
    # EXAMPLES.md section A, in textbook notation
    Case("J = 3(a + bc)", ABC),
    Case("v = bc; u = a + v; J = 3u", ABC),
    Case("f = (1 + e^(-x))^(-1)", {"x": 0.0}),
    Case("f = (1 + e^(-x))^(-1)", {"x": 1.7}),
    Case("x^5", {"x": 1.3}),
    Case("x*y", {"x": 2.0, "y": -3.0}),
    Case("5e^x", {"x": 0.7}),
    Case("5 ln x", {"x": 2.5}),
    Case("f = -(cos(x1)^2 + cos(x2)^2)^2", {"x1": math.pi / 3, "x2": math.pi / 6}),
    # one op at a time
    Case("a + b", {"a": 1.5, "b": -2.25}),
    Case("a - b", {"a": 1.5, "b": -2.25}),
    Case("a * b", {"a": 1.5, "b": -2.25}),
    Case("a / b", {"a": 1.5, "b": -2.25}),
    Case("x^2", {"x": -1.25}),
    Case("x^(-2)", {"x": 1.7}),
    Case("x^0.5", {"x": 2.0}),
    Case("x^(-1.5)", {"x": 0.8}),
    Case("x^y", {"x": 2.3, "y": 1.7}),
    Case("2^x", {"x": 0.6}),
    Case("-x", {"x": 4.0}),
    Case("exp(x)", {"x": -0.3}),
    Case("exp(x)", {"x": 20.0}),
    Case("log(x)", {"x": 3.3}),
    Case("ln(x^2 + 1)", {"x": -0.9}),
    Case("sqrt(x)", {"x": 2.0}),
    Case("sin(x)", {"x": 1.1}),
    Case("cos(x)", {"x": 1.1}),
    Case("tan(x)", {"x": 0.4}),
    Case("tanh(x)", {"x": -0.6}),
    Case("sigmoid(x)", {"x": -1.2}),
    Case("relu(x)", {"x": 1.5}),
    Case("relu(x)", {"x": -0.5}),
    Case("abs(x)", {"x": -2.5}),
    Case("x^5", {"x": 1e-3}),
    # fan-out: a variable used 2 to 5 times
    Case("x*x", {"x": 3.0}),
    Case("x + x + x", {"x": -1.25}),
    Case("x*x*x*x", {"x": 1.1}),
    Case("sin(x) + cos(x) + x^2 + exp(x) + x", {"x": 0.3}),
    Case("a*b + a*c + b*c", ABC),
    Case("(a + b)(a - b)", {"a": 2.5, "b": 1.5}),
    Case("t = a*b; t*t + t", {"a": 1.2, "b": -0.7}),
    Case("y = x^2; z = y^2; w = z^2; w + y", {"x": 1.1}),
    Case("abs(x)*x", {"x": 1.1}),
    Case("sigmoid(x)*(1 - sigmoid(x))", {"x": 0.4}),
    # small formulas people actually write
    Case("tanh(w1*x1 + w2*x2 + b)", {"w1": 0.5, "x1": 1.5, "w2": -0.25, "x2": 2.0, "b": 0.1}),
    Case("sigmoid(w*x + b)", {"w": 1.5, "x": -0.4, "b": 0.2}),
    Case("relu(w1*x1 + w2*x2 + b)", {"w1": 0.5, "x1": 1.5, "w2": -0.25, "x2": 2.0, "b": 0.1}),
    Case("(x - y)^2", {"x": 1.0, "y": 3.5}),
    Case("log(sigmoid(x))", {"x": -2.0}),
    Case("exp(-x^2/2)", {"x": 0.8}),
    Case("x*exp(-x)", {"x": 1.9}),
    Case("sin(x)/x", {"x": 0.75}),
    Case("1/(1 + x^2)", {"x": -2.0}),
    Case("tan(x)^2 + 1", {"x": 0.9}),
    Case("sqrt(x)*log(x)", {"x": 4.5}),
    Case("(a + b + c)/3", ABC),
    Case("a/b/c", ABC),
    Case("a - b - c", ABC),
    Case("x^3 - 2x^2 + x - 5", {"x": 1.75}),
    Case("e^(sin(x))", {"x": 2.2}),
    Case("cos(sin(tan(x)))", {"x": 0.5}),
    Case("abs(sin(x)) + relu(cos(x))", {"x": 2.5}),
    Case("sigmoid(tanh(relu(x)))", {"x": 0.8}),
    Case("x*y*z + x/y - z^2", {"x": 1.5, "y": -2.0, "z": 0.5}),
    Case("log(a) + log(b) + log(c)", ABC),
    Case("exp(a)*exp(b)", {"a": 0.5, "b": -1.5}),
    Case("-(-(-x))", {"x": 2.0}),
    Case("2x y", {"x": 1.5, "y": 4.0}),
    Case("(x^2)^0.25", {"x": 3.0}),
    # kinks: torch and we pick the derivative 0 at 0; a central difference sees the average
    Case("relu(x) + abs(x)", {"x": 0.0}, kink=True),
    Case("relu(x - y)", {"x": 1.0, "y": 1.0}, kink=True),
    # deep nesting, built with f-strings
    Case(nested(["sin"], 25), {"x": 1.0}),
    Case(nested(["sin", "cos", "tanh", "sigmoid"], 22), {"x": 0.3}),
    Case(nested_sqrt(20), {"x": 2.0}),
    Case(nested(["exp", "log"], 30), {"x": 1.5}),
]

# every elementwise op of the registry, at each of its samples, as a user writes it
CASES += [Case(op.written(s), dict(zip("xy", s.inputs))) for op in OPS.values() if op.elementwise
          for s in op.samples if op.written(s)]
