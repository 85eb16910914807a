"""The whitelist of functions an expression may call, and the constants it knows.

A call `f(x)` runs `getattr(x, FUNCTIONS[f].method)()` on the engine node — a fixed table of
method names, so no user text ever chooses what gets called.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    method: str             # the Scalar/Tensor method that computes it
    tensor_only: bool = False


def _table(*functions: Function) -> dict[str, Function]:
    return {f.name: f for f in functions}


FUNCTIONS: dict[str, Function] = _table(
    Function("exp", "exp"), Function("log", "log"), Function("ln", "log"),
    Function("sqrt", "sqrt"), Function("sin", "sin"), Function("cos", "cos"),
    Function("tan", "tan"), Function("tanh", "tanh"), Function("sigmoid", "sigmoid"),
    Function("relu", "relu"), Function("abs", "abs"),
    Function("mean", "mean", tensor_only=True), Function("sum", "sum", tensor_only=True),
    Function("softmax", "softmax", tensor_only=True),
    Function("log_softmax", "log_softmax", tensor_only=True),
)

# Known unless the user gives a value or assigns a name of the same spelling.
CONSTANTS: dict[str, float] = {"pi": math.pi, "π": math.pi, "e": math.e}
