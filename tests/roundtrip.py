"""Helpers for the round-trip tests: random expression trees over the registry's ops, a structural
comparison of trees, and "evaluate this printed formula together with the original statements"."""
from __future__ import annotations

import math
import re

from hypothesis import strategies as st

from explainer.expr import parse, trace_expression
from explainer.expr.tree import Binary, Call, Group, Name, Number, Unary
from explainer.formulas import syntax
from explainer.ops import OPS

LEAVES = ("a", "b", "c", "x", "y")
RESULT = "roundtrip"    # the name a pasted formula is assigned to


def scalar_forms() -> dict[str, tuple[str, str]]:
    """Every elementwise op of the registry, as the language writes it."""
    return {name: syntax(name) for name, op in OPS.items() if op.elementwise}


def tensor_calls() -> list[str]:
    """The registry's tensor ops the language can call (sum, mean, softmax, log_softmax)."""
    return sorted({syntax(name)[1] for name, op in OPS.items()
                   if not op.elementwise and syntax(name) and syntax(name)[0] == "call"})


def _node(cls, *args):
    return cls(0, 0, 0, 0, *args)


def numbers():
    return st.one_of(st.integers(-5, 9).map(float), st.sampled_from([0.5, 0.25, 1.5, -0.75, 2.5, 0.1]))\
        .map(lambda v: _node(Number, v))


def expressions(names=LEAVES, calls=None, max_leaves=12):
    """Random trees over every elementwise op (or `calls`), with numbers, names, signs and groups."""
    forms = scalar_forms()
    binary = sorted({text for kind, text in forms.values() if kind == "binary" and text != "@"})
    unary_calls = sorted({text for kind, text in forms.values() if kind == "call"}) if calls is None else calls
    leaf = st.one_of(st.sampled_from(names).map(lambda n: _node(Name, n)), numbers())

    def extend(inner):
        return st.one_of(
            st.tuples(st.sampled_from(binary), inner, inner).map(
                lambda t: _node(Binary, t[0], t[1], t[2]) if t[0] != "^"
                else _node(Binary, "^", t[1], _node(Number, float(abs(t[2].value) % 3 + 1))
                           if isinstance(t[2], Number) else t[2])),
            inner.map(lambda e: _node(Unary, "-", e)),
            st.tuples(st.sampled_from(unary_calls), inner).map(lambda t: _node(Call, t[0], t[1])),
            inner.map(lambda e: _node(Group, e)),
        )

    return st.recursive(leaf, extend, max_leaves=max_leaves)


def canon(node):
    """A tree as nested tuples, ignoring positions, brackets and how a negative number was made."""
    if isinstance(node, Group):
        return canon(node.inner)
    if isinstance(node, Number):
        return ("number", float(node.value))
    if isinstance(node, Name):
        return ("name", node.id)
    if isinstance(node, Unary):
        inner = canon(node.operand)
        if inner[0] == "number":
            return ("number", -inner[1] if node.op == "-" else inner[1])
        return ("unary", node.op, inner)
    if isinstance(node, Binary):
        return ("binary", node.op, canon(node.left), canon(node.right))
    if isinstance(node, Call):
        from explainer.expr.functions import FUNCTIONS
        return ("call", FUNCTIONS[node.function].method, canon(node.argument),
                tuple(canon(p) for p in node.params))
    raise TypeError(node)


def reparsed(text: str):
    return parse(text).output.value


def evaluate_with(program: str, values: dict, formula: str):
    """The value of `formula` pasted after the original statements: `roundtrip = <formula>`."""
    return trace_expression(f"{program}\n{RESULT} = {formula}", values).value


def close(a, b, rtol=1e-9, atol=1e-12) -> bool:
    a, b = float(a), float(b)
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?")


def close_printed(value, printed: str, formula: str = "") -> bool:
    """A number printed with six significant digits (format.fmt) against the exact value; the
    numbers inside `formula` are rounded the same way, so a sum that cancels may differ by 1e-5
    of their size."""
    scale = sum(abs(float(x)) for x in _NUMBER.findall(formula))
    return math.isclose(float(value), float(printed), rel_tol=1e-5, abs_tol=1e-12 + 1e-5 * scale)
