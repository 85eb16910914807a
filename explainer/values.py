"""`--at a=5,b=3,c=2`: the values an expression is traced at.

Each value is a constant expression read by the expression parser (numbers, pi, π, e and the
whitelisted functions: `pi/3`, `2π`, `sqrt(2)`, `1e-3`) or a bracketed nested list of them
(`x=[[1,2],[3,4]]`), which becomes a float64 array. Commas inside brackets or parentheses
don't separate values.
"""
from __future__ import annotations
from explainer.i18n import _

import re

import numpy as np

from .errors import ExplainerError
from .expr import limits
from .expr.errors import ExpressionError, UnknownNameError
from .expr.evaluate import evaluate, is_variable_name
from .expr.functions import FUNCTIONS
from .expr.parser import parse

MAX_DIMENSIONS = 32   # numpy's own limit is 64; no real input comes near

_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SEPARATORS = re.compile(r"[\[\]\(\),]")
_ARRAY_PIECES = re.compile(r"\[|\]|,|[^\[\],]+")


class ValuesError(ExplainerError):
    """A mistake in the --at text."""


def parse_values(text: str, *, max_length: int | None = None) -> dict[str, float | np.ndarray]:
    """'a=5,b=3,c=2' → {'a': 5.0, 'b': 3.0, 'c': 2.0}; 'x=[[1,2],[3,4]]' → {'x': 2×2 array}."""
    max_length = limits.MAX_LENGTH if max_length is None else max_length
    if len(text) > max_length:
        raise ValuesError(_("the values are {length:,} characters long; the limit is {max_length:,}").format(length=len(text), max_length=max_length))
    values: dict[str, float | np.ndarray] = {}
    for item in _split(text):
        if not item.strip():
            continue   # a trailing or doubled comma
        name, equals, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not value:
            raise ValuesError(_("{item!r} needs a value: write NAME=VALUE, e.g. a=5").format(item=item.strip()))
        if not is_variable_name(name):
            raise ValuesError(_("{name!r} is not a variable name: use a letter, then letters, digits or '_'").format(name=name))
        if name in FUNCTIONS:
            raise ValuesError(_("{name!r} is a function, so it cannot be a variable; rename it").format(name=name))
        if name in values:
            raise ValuesError(_("{name!r} is given twice").format(name=name))
        values[name] = _array(name, value) if value.startswith("[") else _number(name, value)
    return values


def _split(text: str) -> list[str]:
    """Split on the commas outside brackets and parentheses."""
    items, depth, start = [], 0, 0
    for m in _SEPARATORS.finditer(text):
        ch = m.group()
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
            if depth < 0:
                raise ValuesError(_("{ch!r} at position {m_start} closes nothing").format(ch=ch, m_start=m.start() + 1))
        elif depth == 0:
            items.append(text[start:m.start()])
            start = m.end()
    if depth > 0:
        raise ValuesError(_("a '[' or '(' in the values is never closed"))
    items.append(text[start:])
    return items


def _number(name: str, text: str) -> float:
    if _PLAIN_NUMBER.fullmatch(text):   # the common case, without building a graph
        number = float(text)
    else:
        number = _constant_expression(name, text)
    if not np.isfinite(number):
        raise ValuesError(_("the value of {name!r} is too large for a 64-bit float: {text}").format(name=name, text=text))
    return number


def _constant_expression(name: str, text: str) -> float:
    try:
        program = parse(text)
    except ExpressionError as exc:
        raise ValuesError(_("cannot read the value of {name!r} ({text!r}): {exc_splitlines}").format(name=name, text=text, exc_splitlines=str(exc).splitlines()[0])) from None
    if len(program.statements) > 1 or program.output.target is not None:
        raise ValuesError(_("the value of {name!r} must be one expression, not {text!r}").format(name=name, text=text))
    try:
        return float(evaluate(program, {}).value)
    except UnknownNameError as exc:
        raise ValuesError(_("the value of {name!r} may use numbers, pi, π and e, but not {exc_name!r}").format(name=name, exc_name=exc.name)) from None
    except ExplainerError as exc:   # the arithmetic itself, e.g. 1/0, or mean(...) of a number
        raise ValuesError(_("cannot compute the value of {name!r}: {exc}").format(name=name, exc=exc)) from None


def _array(name: str, text: str) -> np.ndarray:
    """A bracketed nested list of constant expressions → float64 array (iterative, no recursion)."""
    stack: list[list] = []
    root = None
    expect_item = False   # after '[' or ',': an entry must follow
    for m in _ARRAY_PIECES.finditer(text):
        piece = m.group()
        if root is not None and piece.strip():
            raise ValuesError(_("unexpected {piece!r} after the array of {name!r}").format(piece=piece.strip(), name=name))
        if piece == "[":
            if len(stack) >= MAX_DIMENSIONS:
                raise ValuesError(_("the array of {name!r} has more than {MAX_DIMENSIONS} dimensions").format(name=name, MAX_DIMENSIONS=MAX_DIMENSIONS))
            stack.append([])
            expect_item = True
        elif piece == "]":
            row = stack.pop()
            if expect_item and row:
                raise ValuesError(_("the array of {name!r} has an empty entry before ']'").format(name=name))
            if stack:
                stack[-1].append(row)
            else:
                root = row
            expect_item = False
        elif piece == ",":
            if expect_item:
                raise ValuesError(_("the array of {name!r} has an empty entry before ','").format(name=name))
            expect_item = True
        elif piece.strip():
            if not stack or not expect_item:
                raise ValuesError(_("the array of {name!r} needs ',' between entries, near {piece!r}").format(name=name, piece=piece.strip()))
            stack[-1].append(_number(name, piece.strip()))
            expect_item = False
    if root is None:
        raise ValuesError(_("the array of {name!r} is never closed with ']'").format(name=name))
    try:
        array = np.array(root, dtype=np.float64)
    except ValueError:
        raise ValuesError(_("the array of {name!r} is ragged: every row needs the same number of entries").format(name=name)) from None
    if array.size == 0:
        raise ValuesError(_("the array of {name!r} is empty").format(name=name))
    return array
