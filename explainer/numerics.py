"""Numerical trouble: where a nan or an inf first appeared in a traced graph.

The tensor engine computes with numpy, so `log` of a negative element or an overflowing `exp`
gives nan or inf without a word; the scalar engine refuses undefined values but a gradient can
still overflow. Nothing should be drawn or checked as if it were fine, so this module finds the
FIRST node where a non-finite number appeared — in the forward pass (the lowest node id whose value
is not finite: its inputs all were) or else in the backward pass (the first recorded backward step
whose contribution is not finite: the chain-rule step that made it) — and says so in one line.

    trouble = first_nonfinite(graph)      # NonFinite or None
    trouble.node.name, trouble.where      # 'f', 'value'
    trouble.message                       # one sentence for the user

`undefined_gradient(root)` names the node whose local derivative could not be computed at all
(the scalar engine's sqrt at 0: 1/(2√0)), for an error message instead of a traceback.
"""
from __future__ import annotations
from explainer.i18n import _

from contextlib import contextmanager

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ExplainerMathError
from .format import fmt


@dataclass(frozen=True)
class NonFinite:
    """The first non-finite number: the node it belongs to, and whether it is its value or gradient."""

    node: Any               # the graph's Node record
    where: str              # "value" (forward pass) or "gradient" (backward pass)
    kind: str               # "nan", "inf" or "-inf" (the first kind found: nan before inf)
    count: int              # how many elements of it are not finite
    size: int               # how many elements it has (1 for a scalar)
    via: Any = None         # for a gradient: the node whose backward step produced it
    local_text: str = ""    # that step's local derivative, as the edge label writes it
    input_names: tuple = ()  # for a value: the names of the op's inputs

    def __iter__(self):
        """`node, where = first_nonfinite(graph)` unpacks like a pair."""
        return iter((self.node, self.where))

    @property
    def message(self) -> str:
        elements = _(" ({count:,} of {size:,} elements)").format(count=self.count, size=self.size) if self.size > 1 else ""
        node = self.node
        if self.where == "value":
            what = f"{node.op}({', '.join(self.input_names)})" if node.op else _("an input")
            return _("{kind} first appears in the forward pass at node {name!r} = {what}{elements}").format(
                kind=self.kind, name=node.name, what=what, elements=elements)
        step = ""
        if self.via is not None:
            rule = _(", local derivative {text}").format(text=self.local_text) if self.local_text else ""
            step = _(", in the backward step through {name!r} ({op}{rule})").format(name=self.via.name, op=self.via.op,
                                                                                   rule=rule)
        return _("{kind} first appears in the backward pass in the gradient of {name!r}{elements}{step}").format(
            kind=self.kind, name=node.name, elements=elements, step=step)

    def warning(self) -> str:
        """The one line a command prints before drawing or explaining such a graph."""
        return _("warning: {message}; what is computed from it means nothing, and the check counts it as a mismatch").format(
            message=self.message)


def first_nonfinite(graph) -> NonFinite | None:
    """The first nan/inf in `graph` (forward pass first, then backward), or None. Linear time."""
    for node in graph.nodes:
        bad = _nonfinite(node.value)
        if bad is not None:
            return NonFinite(node, "value", *bad,
                             input_names=tuple(graph.nodes[i].name for i in node.inputs))
    edge_text = None
    for step in graph.steps:
        bad = _nonfinite(step.contribution)
        if bad is not None:
            if edge_text is None:  # built once, only when needed: (dst, index) -> text
                edge_text = {(e.dst, e.index): e.text for e in graph.edges}
            return NonFinite(graph.nodes[step.input], "gradient", *bad, via=graph.nodes[step.node],
                             local_text=edge_text.get((step.node, step.index), ""))
    # a gradient can also go non-finite when two finite contributions are summed (1e308 + 1e308)
    for node in reversed(graph.nodes):
        bad = _nonfinite(node.grad)
        if bad is not None:
            return NonFinite(node, "gradient", *bad)
    return None


def _nonfinite(x) -> tuple[str, int, int] | None:
    """(kind, count, size) when `x` holds a nan or an inf; None when finite or absent."""
    if x is None:
        return None
    if isinstance(x, float):   # the scalar engine: skip numpy
        if math.isfinite(x):
            return None
        return ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")), 1, 1
    a = np.asarray(x)
    if a.dtype.kind not in "fc":
        return None
    finite = np.isfinite(a)
    if finite.all():
        return None
    bad = a[~finite]
    nan = np.isnan(bad)
    if nan.any():
        kind = "nan"
    else:
        kind = "inf" if (bad > 0).any() else "-inf"
    return kind, int(bad.size), int(a.size)


@contextmanager
def gradients_explained(root):
    """Turn a backward pass's raw float error (ZeroDivisionError at sqrt'(0)) into the one sentence
    of `undefined_gradient`; an error no local derivative explains is re-raised as it is (a bug)."""
    try:
        yield
    except (ArithmeticError, ValueError):
        error = undefined_gradient(root)
        if error is None:
            raise
        raise error from None


def undefined_gradient(root) -> ExplainerMathError | None:
    """The one-sentence error for a backward pass that raised (Python's float arithmetic raises where
    numpy would give inf): the node, in backward order, whose local derivative cannot be computed;
    None when no local derivative fails (then the failure is a bug, not the user's numbers)."""
    from .graph import Edge, Graph, Node, _unique_names, topological_order

    order = topological_order(root)
    names = {id(n): name for n, name in zip(order, _unique_names(order))}  # as the pictures name them
    for node in reversed(order):
        for index, x in enumerate(node.inputs):
            if not getattr(x, "requires_grad", False):
                continue
            try:
                node.local_derivative(index)
            except (ArithmeticError, ValueError):
                return _undefined(Graph, Node, Edge, order, names, node, index)
    return None


def _undefined(Graph, Node, Edge, order, names, node, index) -> ExplainerMathError:
    """The sentence for an undefined local derivative, its formulas written by the one printer:
    `… at √(c - c): its local derivative ∂√(c - c)/∂(c - c) = 1/(2·√(c - c)) is … at c - c = 0`."""
    from .expr.printer import to_text
    from .formulas import local_formula, references
    from .render.labels import grouped

    ids = {id(n): i for i, n in enumerate(order)}
    nodes = [Node(i, names[id(n)], "op" if n.inputs else ("input" if n.requires_grad else "const"),
                  n.op.name if n.inputs else None, tuple(ids[id(x)] for x in n.inputs), n.value, None,
                  dict(n.attrs or {})) for i, n in enumerate(order)]
    graph = Graph(nodes, [], ids[id(order[-1])], [])
    refs = [to_text(r) for r in references(graph)]
    here, x = ids[id(node)], ids[id(node.inputs[index])]
    formula = local_formula(graph, Edge(x, here, index, None, "", True))
    text = to_text(formula) if formula is not None else node.local_text(index, [refs[i] for i in nodes[here].inputs], refs[here])
    at = ", ".join(f"{refs[i]} = {fmt(order[i].value)}" for i in nodes[here].inputs
                   if refs[i] != fmt(order[i].value))  # not the constants: they say their value
    return ExplainerMathError(
        _("the gradient is undefined at {refs_here}: its local derivative ∂{refs_here2}/∂{refs_x} = {text} is infinite or undefined at {at}").format(refs_here=refs[here], refs_here2=grouped(refs[here]), refs_x=grouped(refs[x]), text=text, at=at))
