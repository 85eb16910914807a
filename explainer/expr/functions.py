"""The whitelist of functions an expression may call, and the constants it knows.

Made from the op registry: every op marked `expression` (exp, relu, leaky_relu, sum, softmax, …)
under its name and its aliases (`ln` for log). A call `f(x, p…)` runs
`getattr(x, FUNCTIONS[f].method)(p…)` on the engine node — a fixed table of method names, so no
user text ever chooses what gets called; the parameters `p…` are numbers, checked against the
op's declared parameters.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..ops import OPS


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    method: str             # the Scalar/Tensor method that computes it
    tensor_only: bool = False
    params: tuple = ()      # (name, default) of the numbers that may follow the argument

    def parameter(self, index: int, number: float):
        """The `index`-th parameter as the method takes it: a float where the default is one,
        True/False for a flag, an int for a dimension; None when `number` cannot be that."""
        default = self.params[index][1]
        if isinstance(default, bool):
            return bool(number) if number in (0, 1) else None
        if isinstance(default, float):
            return float(number)
        return int(number) if float(number).is_integer() else None


def _table() -> dict[str, Function]:
    table = {}
    for op in OPS.values():
        if op.expression:
            for name in (op.name, *op.aliases):
                table[name] = Function(name, op.name, tensor_only=not op.elementwise, params=op.params)
    return table


FUNCTIONS: dict[str, Function] = _table()

# Known unless the user gives a value or assigns a name of the same spelling.
CONSTANTS: dict[str, float] = {"pi": math.pi, "π": math.pi, "e": math.e}
