"""The `Op` record and the table that holds them, in the spirit of PyTorch's derivatives.yaml."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import ExplainerError


@dataclass(frozen=True)
class Op:
    """One primitive: forward, gradient rule, derivative text and torch counterpart, side by side.

    forward(m, *xs, **attrs)      -> the output; `m` is a backend (math for scalars, numpy for arrays)
    local(m, xs, out, **attrs)    -> tuple of ∂out/∂x_i, elementwise (None for structural ops)
    vjp(g, xs, out, **attrs)      -> tuple of input gradients for structural tensor ops
    text                          -> ∂out/∂x_i as text; {0}, {1} are the inputs' names, {out} the output's
    torch(t, *xs, **attrs)        -> the same op written with the torch module `t`, for the check
    """

    name: str
    arity: int
    symbol: str
    forward: Callable
    torch: Callable
    grad_fn: str
    text: tuple[str, ...]
    local: Callable | None = None
    vjp: Callable | None = None
    vjp_text: tuple[str, ...] = field(default=())

    @property
    def elementwise(self) -> bool:
        return self.local is not None

    def derivative_text(self, index: int, names: list[str], out: str) -> str:
        """The local derivative ∂out/∂input[index] with the nodes' names filled in."""
        return self.text[index].format(*names, out=out)


OPS: dict[str, Op] = {}


def register(op: Op) -> Op:
    if op.name in OPS:
        raise ValueError(f"op {op.name!r} is registered twice")
    OPS[op.name] = op
    return op


def lookup(name: str) -> Op:
    try:
        return OPS[name]
    except KeyError:
        raise ExplainerError(f"unknown op {name!r}; known ops: {', '.join(sorted(OPS))}") from None
