"""The chain rule written out: every path from the output to one node, its product, their sum.

    explain(graph, "b").text()  ->  "∂J/∂b = 3·1·c = 3·1·2 = 6"

Every formula is a syntax tree written by `expr.printer`: the product of each path's local
derivatives (`formulas.local_formula`), and the sum of the paths, read back by the expression
language to the same value (tests/test_roundtrip.py).

Paths are counted in linear time (one pass over the topological order, counting paths from the
node to each of its dependents), and at most `limit` of them are written out, found by an
iterative walk that only follows edges that lead to the node — so a graph with 2^50 paths answers
at once with "… and N more paths". The total is the gradient the backward walk accumulated
(`graph[wrt].grad`); the paths explain it, they do not recompute it.
"""
from __future__ import annotations
from explainer.i18n import gettext, ngettext

import math
from dataclasses import dataclass, field

from .errors import ExplainerError
from .expr.printer import ATOM, precedence, to_text
from .expr.tree import Binary, Expr, Group, Number
from .format import fmt
from .formulas import local_formula
from .graph import Edge, Graph, to_jsonable
from .render.labels import grouped, value_text

LIMIT = 32
# Path counts saturate here: a 100,000-deep graph of fan-outs has 2^100000 paths, and adding
# such integers at every node would make the count quadratic in the graph's size.
COUNT_CAP = 10**30


@dataclass(frozen=True)
class ChainPath:
    """One path from the output down to the node: its edges (output end first) and product."""

    edges: tuple[Edge, ...]
    names: tuple[str, ...]   # the nodes along it, output first
    symbolic: str            # "3·1·c"
    numeric: str | None      # "3·1·2"; None where an edge is a tensor's vector-Jacobian rule
    value: float | None      # 6.0
    formula: Expr | None = None    # the symbolic product as a tree (None: a tensor rule on the path)
    numbers: Expr | None = None    # the numeric product as a tree


@dataclass
class Explanation:
    output: str
    wrt: str
    paths: list[ChainPath]
    count: int               # how many paths there are (at least this many when not `exact`)
    exact: bool
    total: object            # graph[wrt].grad
    edge_ids: frozenset = field(default_factory=frozenset)  # positions in graph.edges on some path
    node_ids: frozenset = field(default_factory=frozenset)  # nodes on some path
    graph: Graph | None = field(default=None, repr=False)   # for the tensor rules' operands

    @property
    def tensor(self) -> bool:
        """A path holds a tensor's vector-Jacobian rule: written as one rule per edge."""
        return any(p.formula is None and p.edges for p in self.paths)

    def _tensor_lines(self) -> list[str]:
        from . import explain_tensor

        out = []
        for i, p in enumerate(self.paths, 1):
            if len(self.paths) > 1:
                out.append(gettext("path {i} ({route}):").format(i=i, route=" ← ".join(p.names)))
            out += ["  " + line for line in explain_tensor.lines(self.graph, p.edges, self.output, "")]
        if self.more:
            out.append(self._more_text())
        out.append(f"{self.head} = {value_text(self.total)}")
        return out

    @property
    def more(self) -> int:
        return self.count - len(self.paths)

    def _more_text(self) -> str:
        if self.exact:
            return ngettext("… and {more} more path", "… and {more} more paths", self.more).format(more=self.more)
        return gettext("… and more than 10^30 more paths")

    @property
    def head(self) -> str:
        return f"∂{grouped(self.output)}/∂{grouped(self.wrt)}"

    def formula(self) -> str | None:
        """The sum of every path's product as one formula the expression language reads back
        (None when a path holds a tensor rule, or not every path is written out)."""
        if self.more or any(p.formula is None for p in self.paths):
            return None
        return to_text(_sum([p.formula for p in self.paths]))

    def text(self) -> str:
        """One line: `∂J/∂b = 3·1·c = 3·1·2 = 6`, or the sum of every path's product."""
        head = self.head
        total = value_text(self.total)
        if self.tensor and self.graph is not None:
            return "\n".join(self._tensor_lines())
        if len(self.paths) == 1 and self.more == 0:
            path = self.paths[0]
            return _chain(head, path.symbolic, path.numeric, total)
        if self.formula() is not None:
            numbers = None
            if all(p.numbers is not None for p in self.paths):
                numbers = to_text(_sum([p.numbers for p in self.paths]), fmt)
            return _chain(head, self.formula(), numbers, total)
        symbolic = " + ".join(_term(p.symbolic, len(p.edges)) for p in self.paths)
        if self.more:
            return f"{head} = {symbolic} + {self._more_text()} = {total}"
        numbers = None
        if all(p.numeric is not None for p in self.paths):
            numbers = " + ".join(_term(p.numeric, len(p.edges)) for p in self.paths)
        return _chain(head, symbolic, numbers, total)

    def lines(self) -> list[str]:
        """The same, one path a line, for a picture's caption."""
        if self.tensor and self.graph is not None:
            return self._tensor_lines()
        if len(self.paths) == 1 and self.more == 0:
            return [self.text()]
        head = self.head
        many = f"{self.count}" if self.exact else gettext("more than 10^30")
        lines = [gettext("{head} sums {many} paths:").format(head=head, many=many)]
        for i, p in enumerate(self.paths, 1):
            route = " ← ".join(p.names)
            lines.append(gettext("path {i} ({route}):").format(i=i, route=route) + " " + _chain(None, p.symbolic, p.numeric, _value(p.value)))
        if self.more:
            lines.append(self._more_text())
            lines.append(f"{head} = {value_text(self.total)}")
        elif all(p.value is not None for p in self.paths):
            values = to_text(_sum([Number(0, 0, 0, 0, p.value) for p in self.paths]), fmt)
            lines.append(f"{head} = {values} = {value_text(self.total)}")
        else:
            lines.append(f"{head} = {value_text(self.total)}")
        return lines

    def to_json(self) -> dict:
        return {
            "output": self.output,
            "wrt": self.wrt,
            "count": self.count,
            "exact": self.exact,
            "shown": len(self.paths),
            "paths": [{"nodes": list(p.names), "symbolic": p.symbolic, "numeric": p.numeric,
                       "value": p.value} for p in self.paths],
            "total": to_jsonable(self.total),
            "formula": self.formula(),
            "text": self.text(),
        }


def explain(graph: Graph, wrt: str, limit: int = LIMIT) -> Explanation:
    """The chain-rule paths from the graph's output to the node called `wrt`."""
    target = graph[wrt]  # raises ExplainerError listing the nodes
    output = graph.output_node
    into = _edges_into(graph)
    counts = _count_paths(graph, into, target.id)
    if counts[output.id] == 0:
        raise ExplainerError(gettext("no gradient flows from {output_name} to {wrt!r}: it is a constant or depends only on constants").format(output_name=output.name, wrt=wrt))
    paths = _first_paths(graph, into, counts, target.id, limit)
    on_path = _on_path(graph, into, counts, target.id)
    edge_ids = frozenset(i for i, e in enumerate(graph.edges)
                         if e.grad and e.src in on_path and e.dst in on_path)
    return Explanation(
        output=output.name, wrt=target.name, paths=paths,
        count=counts[output.id], exact=counts[output.id] < COUNT_CAP, total=target.grad,
        edge_ids=edge_ids, node_ids=frozenset(on_path), graph=graph,
    )


def _edges_into(graph: Graph) -> list[list[int]]:
    """For every node, the positions (in graph.edges) of the gradient edges that enter it."""
    into = [[] for _ in graph.nodes]
    for i, e in enumerate(graph.edges):
        if e.grad:
            into[e.dst].append(i)
    return into


def _count_paths(graph: Graph, into, target: int) -> list[int]:
    """counts[n] = the number of paths from `target` up to node n (ids are topological)."""
    counts = [0] * len(graph.nodes)
    counts[target] = 1
    edges = graph.edges
    for node in graph.nodes[target + 1:]:
        total = 0
        for i in into[node.id]:
            total += counts[edges[i].src]
        counts[node.id] = min(total, COUNT_CAP)
    return counts


def _on_path(graph: Graph, into, counts, target: int) -> set[int]:
    """The nodes on some path from the output down to `target`: reached from the output going
    backward through nodes that depend on `target`."""
    seen = {graph.output}
    stack = [graph.output]
    while stack:
        node = stack.pop()
        for i in into[node]:
            src = graph.edges[i].src
            if counts[src] and src not in seen:
                seen.add(src)
                stack.append(src)
    return seen


def _first_paths(graph: Graph, into, counts, target: int, limit: int) -> list[ChainPath]:
    """Up to `limit` paths, depth first, inputs in order. Every edge followed leads to `target`,
    so each path costs only its own length."""
    edges = graph.edges
    found: list[ChainPath] = []
    trail: list[int] = []   # positions in graph.edges, output end first
    words: dict[int, tuple[str, str | None]] = {}  # paths share most edges: write each once
    stack = [(graph.output, 0)]  # (node, position in into[node] to try next)
    while stack and len(found) < limit:
        node, k = stack[-1]
        options = into[node]
        while k < len(options) and not counts[edges[options[k]].src]:
            k += 1
        if node == target or k == len(options):
            if node == target:
                found.append(_make_path(graph, trail, words))
            stack.pop()
            if stack:  # every entry but the output's was reached through the last edge on the trail
                trail.pop()
            continue
        stack[-1] = (node, k + 1)
        trail.append(options[k])
        stack.append((edges[options[k]].src, 0))
    return found


def _make_path(graph: Graph, trail: list[int], words: dict) -> ChainPath:
    edges = tuple(graph.edges[i] for i in trail)
    names = (graph.output_node.name,) + tuple(graph.nodes[e.src].name for e in edges)
    if not edges:  # the output itself: d out / d out
        one = Number(0, 0, 0, 0, 1.0)
        return ChainPath(edges, names, "1", "1", 1.0, one, one)
    for i, e in zip(trail, edges):
        if i not in words:
            words[i] = (local_formula(graph, e), e)
    factors = [words[i][0] for i in trail]
    if any(f is None for f in factors):   # a tensor's vector-Jacobian rule: written as text
        symbolic = " · ".join(_factor(e.text) for e in edges)
        return ChainPath(edges, names, symbolic, None, None)
    formula = _product(factors)
    if any(e.local is None for e in edges):
        return ChainPath(edges, names, to_text(formula), None, None, formula)
    numbers = _product([Number(0, 0, 0, 0, float(e.local)) for e in edges])
    value = float(math.prod(float(e.local) for e in edges))
    return ChainPath(edges, names, to_text(formula), to_text(numbers, fmt), value, formula, numbers)


def _product(factors: list[Expr]) -> Expr:
    """f1·f2·…·fn, left to right (a loop, not recursion: paths can be long); each factor that is
    more than a name, number or call stays in its own brackets, one local derivative each."""
    out = None
    for f in factors:
        f = Group(0, 0, 0, 0, f) if precedence(f) < ATOM else f
        out = f if out is None else Binary(0, 0, 0, 0, "*", out, f)
    return out


def _sum(terms: list[Expr]) -> Expr:
    out = terms[0]
    for t in terms[1:]:
        out = Binary(0, 0, 0, 0, "+", out, t)
    return out


def _chain(head: str | None, symbolic: str, numeric: str | None, total: str) -> str:
    """`head = symbolic = numeric = total`, leaving out a step that repeats the one before."""
    parts = [] if head is None else [head]
    for part in (symbolic, numeric, total):
        if part is not None and (not parts or parts[-1] != part):
            parts.append(part)
    return " = ".join(parts)


def _term(product: str, factors: int) -> str:
    return f"({product})" if factors > 1 or _needs_parentheses(product) else product


def _factor(text: str) -> str:
    return f"({text})" if _needs_parentheses(text) else text


def _number(x) -> str:
    text = fmt(x)
    return f"({text})" if text.startswith("-") else text


def _value(x) -> str | None:
    return None if x is None else fmt(x)


def _needs_parentheses(text: str) -> bool:
    """True for a leading minus or a sum at the top level: "-1", "1 - tanh²x", not "exp(-c)"."""
    if text.startswith("-"):
        return True
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and ch in "+-" and i > 0:
            return True
    return False
