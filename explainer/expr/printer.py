"""The formula printer: a syntax tree → text that the parser reads back to the same tree.

It is the parser's grammar run backwards. Each node is written with the fewest parentheses its
binding power allows (the binding powers are the parser's own), so `3·(a + b·c)`, `1/(1 - p)`,
`-a/(b - c)²` and `(a^b)^c` come out right; a negative number is always bracketed, `(-0.97)`,
except when it is the whole formula. Functions print with the registry's symbol when the
language reads that symbol back (`σ(z)`, `ln(p)`, `√x`), else with their name (`abs(x)`).

    to_text(parse("J = 3(a + bc)").output.value)   ->  "3·(a + bc)"

Parentheses the tree holds (`Group` nodes: the user's own, or a factor the caller wants kept
apart, as in a chain-rule product) are written unless they enclose a name, number or call.

Every formula shown anywhere (explain text, edge labels, the step-through page) comes from here.
The walk uses an explicit stack: a 20,000-term sum prints like a short one.
"""
from __future__ import annotations

import math
from typing import Callable

from .functions import FUNCTIONS
from .parser import _FUNCTION_OPERAND, _IMPLICIT, _INFIX, _SIGN_OPERAND
from .tokens import FUNCTION_SYMBOLS
from .tree import Binary, Call, Expr, Group, Name, Number, Unary

ATOM = 100        # names, numbers, calls with parentheses: never need brackets
_SPACED = {"+", "-"}     # a + b, a - b; products, quotients and powers are written tight
_WRITTEN = {"*": "·", "/": "/", "^": "^", "@": " @ ", "+": " + ", "-": " - "}
_PREFIX = "√"     # the one function symbol written without brackets, like `sin x`: √x
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def exact_number(x: float) -> str:
    """The shortest text that reads back as exactly `x`: 2 → "2", 0.1 → "0.1", 1/3 → its 17 digits."""
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    short = f"{x:.6g}"
    return short if float(short) == x else repr(x)


def function_symbol(function: str) -> str:
    """How a call of `function` (a FUNCTIONS name) is written: the registry's symbol for its op
    when the language reads that symbol back as the same function ("σ", "√", "ln"), else the name."""
    from ..ops import OPS

    entry = FUNCTIONS.get(function)
    op = OPS.get(entry.method) if entry is not None else None
    if op is not None and op.arity == 1:
        symbol = op.symbol
        read_as = FUNCTION_SYMBOLS.get(symbol, symbol)
        if read_as in FUNCTIONS and FUNCTIONS[read_as].method == entry.method:
            return symbol
    return function


def call_arguments(node: Call) -> tuple[Expr, ...]:
    """A call's argument, then its parameters: leaky_relu(x, 0.2)."""
    return (node.argument,) + tuple(getattr(node, "params", ()) or ())


def to_text(node: Expr, number: Callable[[float], str] = exact_number) -> str:
    """The formula of `node`. `number` writes each number (default: exactly; pass `format.fmt`
    for six significant digits in a numeric product)."""
    node = _strip(node)
    if isinstance(node, Number) and node.value < 0:
        return number(node.value)   # the whole formula: no brackets needed
    out: list[str] = []
    stack: list = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        node, bracket = (item if isinstance(item, tuple) else (item, False))
        if isinstance(node, Group):
            inner = _strip(node)
            bracket = precedence(inner) < ATOM
            node = inner
        if bracket:
            stack.extend((")", node, "("))
            continue
        stack.extend(reversed(_pieces(node, number)))
    return "".join(out)


def _pieces(node: Expr, number) -> list:
    """The parts of `node`, in order: strings, and (child, bracketed) pairs still to print."""
    if isinstance(node, Number):
        return [number(node.value) if node.value >= 0 else f"({number(node.value)})"]
    if isinstance(node, Name):
        return [node.id]
    if isinstance(node, Unary):
        operand = node.operand
        return [node.op, (operand, precedence(operand) < _SIGN_OPERAND or _signed(operand))]
    if isinstance(node, Call):
        symbol = function_symbol(node.function)
        args = [_strip(a) for a in call_arguments(node)]   # the call's own brackets suffice
        if symbol == _PREFIX and _bare_root(args):
            return [symbol, (args[0], False)]           # √x
        parts: list = [symbol, "("]
        for i, arg in enumerate(args):
            if i:
                parts.append(", ")
            # σ(-0.19), not σ((-0.19)): the call's brackets already enclose a negative number
            parts.append(number(arg.value) if isinstance(arg, Number) else (arg, False))
        return parts + [")"]
    if isinstance(node, Binary):
        left, right = node.left, node.right
        power = _INFIX[node.op]
        if node.op == "^":
            left_bracket = precedence(left) <= power or _signed(left)
            right = _strip(right) if precedence(_strip(right)) == ATOM else right
            if isinstance(right, Number) and right.value >= 0 and right.value == int(right.value) \
                    and right.value < 1e9:
                return [(left, left_bracket), str(int(right.value)).translate(_SUPERSCRIPT)]
            return [(left, left_bracket), "^", (right, precedence(right) < power or _signed(right))]
        # left-associative: a right operand of the same power needs brackets, a - (b - c)
        return [(left, precedence(left) < power),
                _WRITTEN[node.op],
                (right, precedence(right) <= power or _signed(right))]
    raise TypeError(f"cannot print {type(node).__name__}")


def precedence(node: Expr) -> int:
    """The binding power of the operator at the top of `node`, as the parser has it."""
    if isinstance(node, Binary):
        return _IMPLICIT if node.implicit else _INFIX[node.op]
    if isinstance(node, Unary):
        return _SIGN_OPERAND
    if isinstance(node, Call) and function_symbol(node.function) == _PREFIX \
            and _bare_root(call_arguments(node)):
        return _FUNCTION_OPERAND     # √x binds like `sin x`: (√x)² needs its brackets
    return ATOM


def _signed(node: Expr) -> bool:
    """A sign as an operand is bracketed: a·(-b), a - (-b), e^(-x) (a negative number brackets
    itself, see `_pieces`)."""
    return isinstance(node, Unary)


def _bare_root(args) -> bool:
    """√ without brackets only over a name or a plain non-negative number."""
    return len(args) == 1 and (isinstance(args[0], Name)
                               or (isinstance(args[0], Number) and args[0].value >= 0
                                   and math.isfinite(args[0].value)))


def _strip(node: Expr) -> Expr:
    while isinstance(node, Group):
        node = node.inner
    return node
