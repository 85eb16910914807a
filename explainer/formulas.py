"""The formulas of a traced graph, as syntax trees for `expr.printer` to write.

Three questions, each answered with a tree the expression language reads back:

- `references(graph)[i]`: how a formula names node i — a leaf or statement name the user typed
  (`w`, `p`), a number (`3`), or else the sub-expression that computes it (`1 - p`, never `t1`).
- `definition(graph, node)`: the op of an op node applied to its inputs' references (`3·(a + bc)`).
- `local_formula(graph, edge)`: the local derivative ∂dst/∂src on an edge, from the registry's
  text with the inputs' references put in as trees (`1/(1 - p)`, not `1/1 - p`).

`readable(graph)` writes these into the graph once: internal names (t1, 2#3) become their
formulas and every elementwise edge's text is its printed local derivative.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

from .expr.errors import ExpressionError
from .expr.functions import CONSTANTS, FUNCTIONS
from .expr.parser import _INFIX, parse
from .expr.printer import to_text
from .expr.tokens import NAME_PATTERN
from .expr.tree import Binary, Call, Expr, Name, Number, Unary, children
from .format import fmt
from .ops import OPS

# A reference longer than this many tree nodes is not written out: the node keeps its name.
MAX_REFERENCE = 60
_TYPEABLE = re.compile(NAME_PATTERN)
_INTERNAL = re.compile(r"t[0-9]+|.*#[0-9]+")   # the graph's made-up names
_BARE_OUTPUT = "f"                              # evaluate.OUTPUT_NAME: not a name the user can use
# placeholders for the registry's {0}, {1}, {out} while its derivative text is parsed
_SLOTS = tuple(f"𝑋{k}" for k in range(8))
_OUT_SLOT = "𝑋out"


def is_typeable(name: str) -> bool:
    """A name the user can type back into a formula: a variable, not a function or made-up name."""
    return (bool(_TYPEABLE.fullmatch(name)) and not _INTERNAL.fullmatch(name)
            and name not in FUNCTIONS and name not in CONSTANTS)


# ---------------------------------------------------------------------------------------------
# How each op is written in the language, derived from the registry's symbols

@lru_cache(maxsize=None)
def syntax(op_name: str) -> tuple[str, str] | None:
    """("binary", "+"), ("unary", "-"), ("call", "sigmoid"), or None for an op the language
    cannot write (reshape, linear, a torch node)."""
    from .expr.tokens import tokenize, OP

    op = OPS.get(op_name)
    if op is None:
        return None
    if getattr(op, "operator", None):   # the registry says how the language writes it
        text = {"−": "-", "×": "*", "÷": "/", "**": "^"}.get(op.operator, op.operator)
        return ("binary", text) if op.arity == 2 else ("unary", text)
    try:
        tokens = [t for t, _ in zip(tokenize(op.symbol), range(2))]
    except ExpressionError:   # "ᵀ", "|·|": symbols for pictures, not the notation
        tokens = []
    if tokens and tokens[0].kind == OP and tokens[1].kind == "end":
        first = tokens[0]
        if op.arity == 2 and first.text in _INFIX:
            return ("binary", first.text)
        if op.arity == 1 and first.text in "-+":
            return ("unary", first.text)
    for name, function in FUNCTIONS.items():   # the language's own spelling of this op
        if function.method == op_name and op.arity == 1:
            return ("call", name)
    return None


def _apply(op_name: str, args: list[Expr], attrs: dict | None = None) -> Expr | None:
    form = syntax(op_name)
    if form is None:
        return None
    kind, text = form
    if kind == "binary":
        return Binary(0, 0, 0, 0, text, args[0], args[1])
    if kind == "unary":
        return Unary(0, 0, 0, 0, text, args[0])
    params = _params(op_name, attrs or {})
    if params is None:
        return None
    return Call(0, 0, 0, 0, text, args[0], params)


def _params(op_name: str, attrs: dict) -> tuple | None:
    """The numbers after a call's argument for these attributes, `leaky_relu(x, 0.2)`: the
    registry's parameters in order, up to the last one given; None when an attribute is not one
    of them, or not a number (then the call cannot be written)."""
    declared = getattr(OPS[op_name], "params", ()) or ()
    names = [name for name, _ in declared]
    if any(k not in names for k in attrs):
        return None
    given = [i for i, name in enumerate(names) if name in attrs]
    out = []
    for name, default in declared[:given[-1] + 1 if given else 0]:
        value = attrs.get(name, default)
        if isinstance(value, bool):
            value = int(value)
        if not isinstance(value, (int, float)) or isinstance(value, complex):
            return None
        out.append(Number(0, 0, 0, 0, float(value)))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Node references and definitions

def references(graph) -> list[Expr]:
    """One tree per node (by id), built in topological order: linear in the graph's size."""
    cached = getattr(graph, "_references", None)
    if cached is not None:
        return cached
    refs: list[Expr] = []
    sizes: list[int] = []
    for node in graph.nodes:
        ref, size = _reference(graph, node, refs, sizes)
        refs.append(ref)
        sizes.append(size)
    graph._references = refs
    return refs


def _reference(graph, node, refs, sizes) -> tuple[Expr, int]:
    scalar = getattr(node.value, "ndim", 0) == 0 and node.value is not None
    if node.kind == "const" and scalar:
        return Number(0, 0, 0, 0, float(node.value)), 1
    if node.kind != "op" or (is_typeable(node.name) and not _is_bare_output(graph, node)):
        return Name(0, 0, 0, 0, node.name), 1
    size = 1 + sum(sizes[i] for i in node.inputs)
    if size <= MAX_REFERENCE:
        made = _apply(node.op, [refs[i] for i in node.inputs], _written_attrs(node))
        if made is not None:
            return made, size
    return Name(0, 0, 0, 0, node.name), 1


@lru_cache(maxsize=None)
def _defaults(op_name: str) -> dict:
    import inspect

    try:
        parameters = inspect.signature(OPS[op_name].forward).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}


def _written_attrs(node) -> dict:
    """The attributes a call must write: those that differ from the op's defaults."""
    defaults = _defaults(node.op) if node.op in OPS else {}
    return {k: v for k, v in (node.attrs or {}).items() if not (k in defaults and defaults[k] == v)}


def _is_bare_output(graph, node) -> bool:
    return node.id == graph.output and node.name == _BARE_OUTPUT


def definition(graph, node) -> Expr | None:
    """What an op node computes, written over its inputs' references: `3·(a + bc)`."""
    if node.kind != "op":
        return None
    refs = references(graph)
    return _apply(node.op, [refs[i] for i in node.inputs], _written_attrs(node))


def numeric_definition(graph, node) -> Expr | None:
    """The same with the inputs' values in place of their names: `3·11` (scalars only)."""
    if node.kind != "op":
        return None
    values = [graph.nodes[i].value for i in node.inputs]
    if any(v is None or getattr(v, "ndim", 0) for v in values):
        return None
    return _apply(node.op, [Number(0, 0, 0, 0, float(v)) for v in values], _written_attrs(node))


# ---------------------------------------------------------------------------------------------
# Local derivatives

@lru_cache(maxsize=None)
def _template(op_name: str, index: int) -> Expr | None:
    """The registry's text for ∂out/∂input[index], parsed with placeholders; None where the text
    is not in the notation (relu's step, |x|'s sign): then the edge shows its number."""
    op = OPS.get(op_name)
    if op is None or not op.elementwise or index >= len(op.text):
        return None
    try:
        text = op.text[index].format(*_SLOTS[:max(op.arity, 1)], out=_OUT_SLOT)
        tree = parse(text).output.value
    except (ExpressionError, IndexError, KeyError, ValueError):
        return None
    # "sign {0}" parses as the product sign·x: a word that is no input is not in the notation
    stack, allowed = [tree], set(_SLOTS) | {_OUT_SLOT} | set(CONSTANTS)
    while stack:
        node = stack.pop()
        if isinstance(node, Name) and node.id not in allowed:
            return None
        stack.extend(children(node))
    return tree


def local_formula(graph, edge) -> Expr | None:
    """∂dst/∂src as a tree over the references; its number where the registry's text cannot be
    written in the notation; None for tensor rules (see explain_tensor)."""
    dst = graph.nodes[edge.dst]
    if dst.op is None or getattr(dst.value, "ndim", 0):
        return None   # a tensor's edge carries its vector-Jacobian rule (explain_tensor.py)
    template = _template(dst.op, edge.index)
    if template is None:
        if edge.local is not None and getattr(edge.local, "ndim", 0) == 0 and OPS.get(dst.op) \
                and OPS[dst.op].elementwise:
            return Number(0, 0, 0, 0, float(edge.local))
        return None
    refs = references(graph)
    slots = {name: refs[i] for name, i in zip(_SLOTS, dst.inputs)}
    slots[_OUT_SLOT] = refs[dst.id]
    return _substitute(template, slots)


def _substitute(node: Expr, slots: dict) -> Expr:
    """The template with its placeholders replaced and its number arithmetic done: x^(2-1) → x."""
    if isinstance(node, Name):
        return slots.get(node.id, node)
    if isinstance(node, Number):
        return node
    if isinstance(node, Unary):
        operand = _substitute(node.operand, slots)
        if node.op == "-" and isinstance(operand, Number):
            return Number(0, 0, 0, 0, -operand.value)
        return Unary(0, 0, 0, 0, node.op, operand)
    if isinstance(node, Call):
        return Call(0, 0, 0, 0, node.function, _substitute(node.argument, slots), node.params)
    if isinstance(node, Binary):
        return _fold(node.op, _substitute(node.left, slots), _substitute(node.right, slots))
    return _substitute(node.inner, slots)   # a Group


_ARITHMETIC = {"+": float.__add__, "-": float.__sub__, "*": float.__mul__, "/": float.__truediv__}


def _fold(op: str, left: Expr, right: Expr) -> Expr:
    numbers = isinstance(left, Number) and isinstance(right, Number)
    if numbers and op in _ARITHMETIC and not (op == "/" and right.value == 0):
        value = _ARITHMETIC[op](float(left.value), float(right.value))
        if math.isfinite(value) and (op != "/" or value == int(value)):   # keep 1/3 as written
            return Number(0, 0, 0, 0, value)
    if op == "^" and isinstance(right, Number):
        if right.value == 1:
            return left
        if right.value == 0:
            return Number(0, 0, 0, 0, 1.0)
    if op == "*" and isinstance(left, Number) and left.value == 1:
        return right
    if op == "*" and isinstance(left, Number) and left.value == -1:
        return Unary(0, 0, 0, 0, "-", right)            # -1·a^(-2) → -a^(-2)
    if op == "*" and isinstance(right, Number) and right.value == 1:
        return left
    return Binary(0, 0, 0, 0, op, left, right)


# ---------------------------------------------------------------------------------------------
# The graph, made readable

def readable(graph):
    """Give internal names (t1, 2#3) their formulas and every elementwise edge its printed local
    derivative; the old names still find their nodes (`graph["t1"]`). Returns the graph."""
    refs = references(graph)
    old = dict(graph._by_name)
    for node in graph.nodes:
        if node.kind == "const" and _INTERNAL.fullmatch(node.name) and node.value is not None \
                and getattr(node.value, "ndim", 0) == 0:
            node.name = fmt(node.value)
        elif node.kind == "op" and _INTERNAL.fullmatch(node.name) and not isinstance(refs[node.id], Name):
            node.name = to_text(refs[node.id])
    for edge in graph.edges:
        formula = local_formula(graph, edge)
        if formula is not None:
            edge.text = to_text(formula)
    by_name = {}
    for node in graph.nodes:
        by_name.setdefault(node.name, node)
    for name, node in old.items():
        by_name.setdefault(name, node)
    graph._by_name = by_name
    return graph
