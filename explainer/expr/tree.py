"""The syntax tree. Every node knows where it is: `line` and `column` (1-based) of its first
character, and its span in the source (`start`, `end`: offsets, end exclusive), so errors can
point at it and intermediates can be named by their own text."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Expr:
    start: int
    end: int
    line: int
    column: int


@dataclass(slots=True)
class Number(Expr):
    value: float


@dataclass(slots=True)
class Name(Expr):
    id: str


@dataclass(slots=True)
class Group(Expr):
    """Parentheses: evaluated as their content, kept so spans include the brackets."""
    inner: Expr


@dataclass(slots=True)
class Unary(Expr):
    op: str          # "-" or "+"
    operand: Expr


@dataclass(slots=True)
class Binary(Expr):
    op: str          # "+", "-", "*", "/", "^", "@"
    left: Expr
    right: Expr
    implicit: bool = False   # `2x`, `3(a + b)`: a product written without "*"


@dataclass(slots=True)
class Call(Expr):
    function: str
    argument: Expr
    params: tuple = ()       # the numbers after the argument: leaky_relu(x, 0.2) → (Number 0.2,)


@dataclass(slots=True)
class Statement:
    target: Name | None   # None for a bare expression
    value: Expr


@dataclass(slots=True)
class Program:
    text: str
    statements: list[Statement]

    @property
    def output(self) -> Statement:
        return self.statements[-1]


def children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Call):
        return (node.argument,)
    if isinstance(node, Group):
        return (node.inner,)
    return ()
