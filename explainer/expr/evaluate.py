"""The evaluator: a parsed `Program` → engine nodes, by walking the syntax tree with an explicit
stack (no recursion, so a 20,000-term product traces like a short one).

Numbers become constants (`lift`); a value becomes a leaf named after its variable; every
operation calls the engine's own operator or whitelisted method, so the graph the engine records
is the graph of the expression. Nodes are named for the pictures: an assigned result by its
target, the output of a bare expression `f`, other intermediates by their source text when that
is short (`bc`, `a + bc`); the rest are left for the graph to call t1, t2, …
"""
from __future__ import annotations
from explainer.i18n import _

import math
import operator
import re

import numpy as np

from ..errors import ExplainerError
from ..scalar import Scalar, lift
from . import limits
from .errors import ExpressionError, ExpressionLimitError, MissingValueError, UnknownNameError
from .functions import CONSTANTS, FUNCTIONS
from .parser import parse
from .tokens import NAME_PATTERN
from .tree import Binary, Call, Expr, Group, Name, Number, Program, Unary, children

SHORT_NAME = 12          # longest source text used as a node's name
_SCAN = 200              # spans longer than this are never short, whatever their spacing
OUTPUT_NAME = "f"        # the output of a bare expression

_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
           "^": operator.pow, "@": operator.matmul}
_VALID_NAME = re.compile(NAME_PATTERN)
# x, x1, x_1, W2, x₁: names that look like a variable the user forgot to give
_VARIABLE_LIKE = re.compile(r"[^\W\d_](?:_?[0-9]+|[₀-₉]+)?")


def trace_expression(text: str, values: dict, *, max_nodes: int | None = None,
                     max_elements: int | None = None, **parse_limits):
    """Trace `text` at `values` ({name: float or array}) and return the output engine node.

    Floats become `Scalar` leaves. If any value is an array, every value becomes an
    `explainer.tensor.Tensor` (floats as 0-d tensors) so that the two can be mixed.
    `parse_limits` are `parse`'s max_length / max_depth / max_statements / max_exponent;
    max_nodes and max_elements limit what the evaluation builds (defaults in limits.py)."""
    return evaluate(parse(text, **parse_limits), values, max_nodes=max_nodes, max_elements=max_elements)


def evaluate(program: Program, values: dict, *, max_nodes: int | None = None,
             max_elements: int | None = None):
    return _Tracer(program.text, values,
                   limits.MAX_NODES if max_nodes is None else max_nodes,
                   limits.MAX_ELEMENTS if max_elements is None else max_elements).run(program)


class _Tracer:
    def __init__(self, text: str, values: dict, max_nodes: int = limits.MAX_NODES,
                 max_elements: int = limits.MAX_ELEMENTS):
        self.text = text
        self.max_nodes = max_nodes
        self.max_elements = max_elements
        self.built = 0            # nodes built so far (numbers, products of letters, operations)
        self.tensor_type = None
        if any(_is_array(v) for v in values.values()):
            from ..tensor import Tensor   # only when arrays are given: keeps the CLI path light
            self.tensor_type = Tensor
        self.env: dict[str, object] = {}
        # id → node for every leaf and assigned node: a statement's result is "fresh" (computed
        # by it) when it is not one of these; holding the nodes keeps their ids from being reused
        self.known: dict[int, object] = {}
        for name, value in values.items():
            self.env[name] = self.known_node(self.leaf(name, value))

    def known_node(self, node):
        self.known[id(node)] = node
        return node

    # -- leaves ----------------------------------------------------------------------------------
    def leaf(self, name, value):
        if not is_variable_name(name):
            raise ExplainerError(_("{name!r} is not a variable name: use a letter, then letters, digits or '_'").format(name=name))
        if name in FUNCTIONS:
            raise ExplainerError(_("{name!r} is a function, so it cannot be a variable; rename it").format(name=name))
        if self.tensor_type is None:
            try:
                if isinstance(value, (str, bytes)):
                    raise TypeError
                number = float(value)
            except (TypeError, ValueError):
                raise ExplainerError(_("the value of {name!r} is not a number: {value!r}").format(name=name, value=value)) from None
            if not np.isfinite(number):
                raise ExplainerError(_("the value of {name!r} is not a finite number: {number}").format(name=name, number=number))
            return Scalar(number, name)
        array = _as_array(name, value)
        return self.tensor_type(array, requires_grad=True, name=name)

    # -- the walk --------------------------------------------------------------------------------
    def run(self, program: Program):
        result = None
        for statement in program.statements:
            result = self.expression(statement.value)
            fresh = id(result) not in self.known   # computed here, not an existing leaf or assignment
            if statement.target is not None:
                if fresh:
                    result.name = statement.target.id
                self.env[statement.target.id] = self.known_node(result)
            elif fresh and statement is program.output:
                result.name = OUTPUT_NAME
        return result

    def expression(self, root: Expr):
        """Post-order walk with an explicit stack; `results` holds finished operands."""
        results: list = []
        stack: list[tuple[Expr, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if isinstance(node, Number):
                self.count(node, 1)
                results.append(lift(node.value))
            elif isinstance(node, Name):
                results.append(self.lookup(node))
            elif isinstance(node, Group):
                stack.append((node.inner, False))   # parentheses only group: their content is the value
            elif not ready:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children(node)))
            else:
                arity = len(children(node))
                operands = results[-arity:]
                del results[-arity:]
                results.append(self.apply(node, operands))
        return results[0]

    def count(self, node: Expr, nodes: int) -> None:
        self.built += nodes
        if self.built > self.max_nodes:
            raise ExpressionLimitError(_("the expression builds more than {max_nodes:,} graph nodes (reached at column {node_column}; max_nodes)").format(max_nodes=self.max_nodes, node_column=node.column), node.line, node.column)

    def guard_size(self, node: Expr, op: str, left, right) -> None:
        """Refuse a tensor operation whose result would exceed max_elements, before computing it."""
        if self.tensor_type is None:
            return
        size = _result_size(op, _shape(left), _shape(right))
        if size > self.max_elements:
            raise ExpressionLimitError(
                _("{source_node!r} at column {node_column} would make a tensor of {size:,} elements; the limit is {max_elements:,} (max_elements)").format(source_node=self.source(node, 60), node_column=node.column, size=size, max_elements=self.max_elements), node.line, node.column)

    def apply(self, node: Expr, operands: list):
        self.count(node, 1)
        if isinstance(node, Binary):
            self.guard_size(node, node.op, *operands)
        try:
            if isinstance(node, Binary):
                if node.op == "@" and any(isinstance(x, Scalar) for x in operands):
                    raise ExpressionError(_("'@' (matrix multiplication) needs tensor operands, e.g. --at \"W=[[1,2],[3,4]],x=[1,1]\""),
                                          node.line, node.column)
                if node.op == "@" and any(not _shape(x) for x in operands):
                    dims = " and ".join(f"{len(_shape(x))}D" for x in operands)
                    raise ExpressionError(_("cannot compute {source_node!r} at column {node_column}: both arguments to matmul need to be at least 1D, but they are {dims}").format(source_node=self.source(node, 60), node_column=node.column, dims=dims),
                                          node.line, node.column)
                out = _BINARY[node.op](*self.coerce(*operands))
            elif isinstance(node, Unary):
                out = -operands[0] if node.op == "-" else operands[0]
                if node.op == "+":
                    return out
            else:
                out = self.call(node, operands[0])
        except ExplainerError:
            raise
        except (ValueError, TypeError, ArithmeticError, AttributeError) as exc:
            # the tensor engine's shape and type complaints, said about the user's text
            raise ExpressionError(_("cannot compute {source_node!r} at column {node_column}: {exc___name__}").format(source_node=self.source(node, 60), node_column=node.column, exc___name__=str(exc).splitlines()[0] if str(exc) else type(exc).__name__),
                                  node.line, node.column) from None
        out.name = self.short_name(node)
        return out

    def coerce(self, left, right):
        """A constant Scalar meeting a Tensor joins it as a plain number, as numbers do in torch."""
        if self.tensor_type is not None:
            if isinstance(left, Scalar) and not isinstance(right, Scalar):
                return left.value, right
            if isinstance(right, Scalar) and not isinstance(left, Scalar):
                return left, right.value
        return left, right

    def call(self, node: Call, argument):
        function = FUNCTIONS[node.function]
        if function.tensor_only and isinstance(argument, Scalar):
            raise ExpressionError(_("{node_function}(...) needs a tensor argument").format(node_function=node.function), node.line, node.column)
        params = [function.parameter(i, p.value) for i, p in enumerate(node.params)]
        return getattr(argument, function.method)(*params)

    # -- names -----------------------------------------------------------------------------------
    def lookup(self, node: Name):
        name = node.id
        if name in self.env:
            return self.env[name]
        if name in CONSTANTS:
            return lift(CONSTANTS[name])
        if len(name) > 1 and all(ch in self.env or ch in CONSTANTS for ch in name):
            return self.split_product(node, [self.env[ch] if ch in self.env else lift(CONSTANTS[ch])
                                             for ch in name])
        raise self.unknown(node)

    def split_product(self, node: Name, factors: list):
        """`bc` with b and c known means b·c; partial products are named `ab`, `abc`, …"""
        out = factors[0]
        self.count(node, len(factors) - 1)
        for k, factor in enumerate(factors[1:], start=2):
            left, right = self.coerce(out, factor)
            self.guard_size(node, "*", left, right)
            out = left * right
            out.name = node.id[:k] if k <= SHORT_NAME else None
        return out

    def unknown(self, node: Name) -> UnknownNameError:
        name, known = node.id, ", ".join(self.env) or _("none")
        missing = name
        unknown_letters = {ch for ch in name if ch not in self.env and ch not in CONSTANTS}
        if name.isalpha() and len(unknown_letters) == 1 and len(name) > 1:
            # `bc` with b known and c not: the user most likely forgot c
            missing = unknown_letters.pop()
        if _VARIABLE_LIKE.fullmatch(missing):
            return MissingValueError(_("no value for {missing!r}: give it with --at {missing}=VALUE (known: {known})").format(missing=missing, known=known), node.line, node.column, missing)
        return UnknownNameError(_("unknown name {name!r}; known names: {known} (functions: {FUNCTIONS})").format(name=name, known=known, FUNCTIONS=', '.join(FUNCTIONS)), node.line, node.column, name)

    def source(self, node: Expr, limit: int) -> str:
        text = self.text[node.start:min(node.end, node.start + limit)]
        return " ".join(text.split()) + ("…" if node.end - node.start > limit else "")

    def short_name(self, node: Expr) -> str | None:
        if node.end - node.start > _SCAN:
            return None
        text = " ".join(self.text[node.start:node.end].split())
        return text if len(text) <= SHORT_NAME else None


def is_variable_name(name) -> bool:
    """A letter, then letters, digits or '_' — what the tokenizer reads as one name."""
    return isinstance(name, str) and _VALID_NAME.fullmatch(name) is not None


def _shape(x) -> tuple:
    value = getattr(x, "value", x)
    return tuple(getattr(value, "shape", ()))


def _result_size(op: str, a: tuple, b: tuple) -> int:
    """Elements of `a op b` by numpy's broadcasting and matmul rules; 0 when the shapes don't fit
    (the engine then says why, in its own words)."""
    try:
        if op != "@":
            return math.prod(np.broadcast_shapes(a, b))
        if not a or not b:
            return 0
        if len(a) == 1 and len(b) == 1:
            return 1
        if len(a) == 1:
            return math.prod(b[:-2]) * b[-1]
        if len(b) == 1:
            return math.prod(a[:-1])
        return math.prod(np.broadcast_shapes(a[:-2], b[:-2])) * a[-2] * b[-1]
    except ValueError:
        return 0


def _is_array(value) -> bool:
    return isinstance(value, (np.ndarray, list, tuple))


def _as_array(name: str, value) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise ExplainerError(_("the value of {name!r} is not a number or a rectangular array").format(name=name)) from None
    if not np.all(np.isfinite(array)):
        raise ExplainerError(_("the value of {name!r} contains a number that is not finite").format(name=name))
    return array
