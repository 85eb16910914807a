"""The graph model: one backward walk for every engine, and the snapshot every view reads.

An engine node (a `Scalar`, a `Tensor`) is an `EngineNode`: it has `.inputs` (a tuple of engine
nodes) and `.input_grads(g)` (the gradients its inputs receive when `g` flows into it), and is
hashed by identity (the walk keys its sets and dicts by the nodes themselves). `backpropagate`
walks such nodes in reverse topological order — iteratively, so a 100,000-deep chain is fine —
and can record each step it takes. `Graph.build` runs that walk and freezes the result into plain
records (`Node`, `Edge`, `Step`) that the renderers, the explanation, the animation and the torch
check read. Node ids are positions in topological order, never `id()`, so output is deterministic.
"""
from __future__ import annotations
from explainer.i18n import _

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol, Sequence, runtime_checkable

from .format import fmt


@runtime_checkable
class EngineNode(Protocol):
    """What an engine's node offers the backward walk and the snapshot (`Scalar` and `Tensor` do).

    The walk needs only `inputs` and `input_grads`; `Graph.build` reads the rest to draw it.
    Nodes must hash by identity: two nodes holding equal numbers are still two nodes."""

    inputs: tuple            # the nodes this one was computed from; () for a leaf
    op: Any                  # the registry's `Op` that made it (None for a leaf)
    name: str | None         # the name the user gave, if any
    value: Any               # its number or array
    requires_grad: bool      # whether a gradient flows to it
    attrs: dict | None       # the op's parameters (e.g. {"negative_slope": 0.2}), or None

    def input_grads(self, g) -> Sequence:
        """One gradient per input, given the gradient `g` of this node: g · ∂self/∂input
        (a vector-Jacobian product for tensors), None for an input that wants none."""

    def local_derivative(self, index: int) -> Any:
        """∂self/∂inputs[index] as a number (scalars) or None (tensors: a rule, see local_text)."""

    def local_text(self, index: int, names: list[str], out: str) -> str:
        """That derivative as the pictures print it, with the nodes' names filled in."""


def topological_order(root) -> list:
    """Every node `root` depends on, inputs before the nodes that use them (iterative DFS).

    `nodes` is the path from the root down to the node being explored and `iters[k]` the inputs
    of `nodes[k]` still to visit: the order is exactly the post-order the recursive walk would
    give. A leaf is placed as soon as it is met, without a trip through the stacks. This walk
    runs on every backward.
    """
    order, seen = [], {root}
    nodes, iters = [root], [iter(root.inputs)]
    while nodes:
        for child in iters[-1]:
            if child not in seen:
                seen.add(child)
                if child.inputs:          # go down into it; its parent's inputs wait
                    nodes.append(child)
                    iters.append(iter(child.inputs))
                    break
                order.append(child)
        else:                             # every input placed: place the node itself
            iters.pop()
            order.append(nodes.pop())
    return order


@dataclass(slots=True)
class Step:
    """One application of the chain rule: `upstream` flowing through `node` reaches input `index`."""

    node: Any
    index: int
    input: Any
    upstream: Any
    local: Any
    contribution: Any


class Backward:
    """What one backward walk found: the topological `order`, each reached node's gradient
    (`by_node[node]`, or `grads[id(node)]`), and the `steps` when they were recorded."""

    __slots__ = ("order", "by_node", "steps", "_grads")

    def __init__(self, order: list, by_node: dict, steps: list):
        self.order = order
        self.by_node = by_node
        self.steps = steps
        self._grads = None

    @property
    def grads(self) -> dict:
        """id(engine node) -> its gradient, for every node the output's gradient reaches."""
        if self._grads is None:  # built on demand: the scalar engine's backward never needs it
            self._grads = {id(node): g for node, g in self.by_node.items()}
        return self._grads


def backpropagate(root: EngineNode, seed, record: bool = False) -> Backward:
    """Reverse-mode differentiation from `root`, seeded with `seed` (1 for a scalar output).

    Each node, outputs first, hands its gradient `g` to its inputs (`node.input_grads(g)`);
    an input used twice adds up what it receives."""
    order = topological_order(root)
    grads = {root: seed}
    if not root.requires_grad:  # a constant: no gradient flows anywhere below it
        return Backward(order, grads, [])
    get = grads.get
    steps = []
    for node in reversed(order):
        inputs = node.inputs
        if not inputs:
            continue
        g = get(node)
        if g is None:
            continue
        contributions = node.input_grads(g)
        if record:
            for index, (inp, contribution) in enumerate(zip(inputs, contributions)):
                if contribution is not None:
                    previous = get(inp)
                    grads[inp] = contribution if previous is None else previous + contribution
                    steps.append(Step(node, index, inp, g, node.local_derivative(index), contribution))
            continue
        if len(inputs) == 2:  # the same, minus the recording; two inputs unrolled (most nodes)
            a, b = inputs
            ca, cb = contributions
            if ca is not None:
                previous = get(a)
                grads[a] = ca if previous is None else previous + ca
            if cb is not None:
                previous = get(b)
                grads[b] = cb if previous is None else previous + cb
            continue
        for inp, contribution in zip(inputs, contributions):
            if contribution is not None:
                previous = get(inp)
                grads[inp] = contribution if previous is None else previous + contribution
    return Backward(order, grads, steps)


# ---------------------------------------------------------------------------------------------
# The frozen snapshot


@dataclass(slots=True)
class Node:
    id: int
    name: str
    kind: str            # "input" (a leaf that wants a gradient), "const", "op"
    op: str | None       # registry name for kind "op"
    inputs: tuple[int, ...]
    value: Any
    grad: Any            # None where no gradient flows (constants)
    attrs: dict = field(default_factory=dict)
    group: str | None = None   # e.g. "layer 1 / neuron 2" for clustered pictures

    @property
    def shape(self) -> tuple | None:
        return getattr(self.value, "shape", None)


@dataclass(slots=True)
class Edge:
    src: int
    dst: int
    index: int           # which input of dst
    local: Any           # ∂dst/∂src as a number (scalars); None for tensors
    text: str            # ∂dst/∂src as text, e.g. "c" or "grad · Wᵀ"
    grad: bool           # whether a gradient flows along it


@dataclass(slots=True)
class GraphStep:
    """A backward step in terms of node ids (see `Step`)."""

    node: int
    input: int
    index: int
    upstream: Any
    local: Any
    contribution: Any


class Graph:
    """Nodes in topological order, the edges between them, and the backward steps taken."""

    def __init__(self, nodes: list[Node], edges: list[Edge], output: int, steps: list[GraphStep],
                 title: str = ""):
        self.nodes = nodes
        self.edges = edges
        self.output = output
        self.steps = steps
        self.title = title
        self._by_name = {n.name: n for n in nodes}

    @classmethod
    def build(cls, root, seed=1.0, title: str = "") -> "Graph":
        """Back-propagate from the engine node `root` and freeze everything into records."""
        walk = backpropagate(root, seed, record=True)
        ids = {id(n): i for i, n in enumerate(walk.order)}
        names = _unique_names(walk.order)
        nodes = []
        for i, n in enumerate(walk.order):
            kind = "op" if n.inputs else ("input" if n.requires_grad else "const")
            nodes.append(Node(
                id=i, name=names[i], kind=kind, op=n.op.name if n.inputs else None,
                inputs=tuple(ids[id(x)] for x in n.inputs), value=n.value,
                grad=walk.grads.get(id(n)), attrs=_leaf_role(n) or dict(n.attrs or {}),
                group=getattr(n, "group", None),
            ))
        edges = []
        for n in walk.order:
            if not n.inputs:
                continue
            input_names = [names[ids[id(x)]] for x in n.inputs]
            for index, x in enumerate(n.inputs):
                edges.append(Edge(
                    src=ids[id(x)], dst=ids[id(n)], index=index,
                    local=n.local_derivative(index) if x.requires_grad else None,
                    text=n.local_text(index, input_names, names[ids[id(n)]]),
                    grad=x.requires_grad,
                ))
        steps = [GraphStep(ids[id(s.node)], ids[id(s.input)], s.index, s.upstream, s.local,
                           s.contribution) for s in walk.steps]
        from .formulas import readable   # formulas reads the expression language, which imports us

        return _no_internal_ids(readable(cls(nodes, edges, ids[id(root)], steps, title)), names)

    # -- lookups -----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, name: str) -> Node:
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(n.name for n in self.nodes if n.kind != "const")
            from .errors import ExplainerError
            raise ExplainerError(_("no node named {name!r}; the graph has: {known}").format(name=name, known=known)) from None

    @property
    def output_node(self) -> Node:
        return self.nodes[self.output]

    def leaves(self) -> list[Node]:
        return [n for n in self.nodes if n.kind == "input"]

    def edges_into(self, node_id: int) -> list[Edge]:
        return [e for e in self.edges if e.dst == node_id]

    # -- exports -----------------------------------------------------------------------------
    def to_networkx(self):
        """A networkx DiGraph: node keys are ids, attributes name/kind/op/value/grad; edges carry
        `local` and `text`."""
        import networkx as nx

        g = nx.DiGraph(output=self.output, title=self.title)
        for n in self.nodes:
            g.add_node(n.id, name=n.name, kind=n.kind, op=n.op, value=n.value, grad=n.grad,
                       shape=n.shape, group=n.group)
        for e in self.edges:
            g.add_edge(e.src, e.dst, index=e.index, local=e.local, text=e.text, grad=e.grad)
        return g

    def summary(self) -> dict:
        """`{"output": name, "nodes": {name: {"value": v, "grad": g}}}` with lists for tensors."""
        return {
            "output": self.output_node.name,
            "nodes": {n.name: {"value": to_jsonable(n.value), "grad": to_jsonable(n.grad)}
                      for n in self.nodes if n.kind != "const"},
        }


def _unique_names(order: Iterable) -> list[str]:
    """The engine's names where given, scalar constants by their value, a network's nodes by the
    module call that made them ("fc1", "fc1.relu"), the rest t1, t2, … for `formulas.readable`
    to replace by their formulas (and `_no_internal_ids` by their op where it cannot)."""
    names, taken, counter = [], set(), 0
    next_suffix: dict[str, int] = {}  # where the "#k" search resumes, so repeats stay linear
    given = {n.name for n in order if getattr(n, "name", None)}
    ops_in = _ops_per_group(order)
    for n in order:
        name = getattr(n, "name", None)
        if not name and not n.inputs and not n.requires_grad and getattr(n.value, "ndim", 0) == 0:
            name = fmt(n.value)
        if not name and (getattr(getattr(n, "group", None), "calls", None) or not n.inputs):
            name = _made_by(n, ops_in)
        if not name:
            counter += 1
            while f"t{counter}" in given:
                counter += 1
            name = f"t{counter}"
        if name in taken:  # two nodes called alike (two constants 3, a name reused): keep apart
            k = next_suffix.get(name, 2)
            while f"{name}#{k}" in taken:
                k += 1
            next_suffix[name] = k + 1
            name = f"{name}#{k}"
        taken.add(name)
        names.append(name)
    return names


_INTERNAL_ID = re.compile(r"t[0-9]+")


def grouped_name(name: str) -> str:
    """A formula used inside another ("[x @ w > 0]"): in parentheses unless it is one word."""
    return name if re.fullmatch(r"[\w\[\],.#]+", name) else f"({name})"


def _no_internal_ids(graph: "Graph", first_names: list[str]) -> "Graph":
    """A node still called t5 (an op the expression language cannot write: linear, reshape) is
    called by its op ("linear", "reshape#2"), and every rule on the edges that was written with
    a t-name takes the node's final name; `graph["t5"]` still finds its node."""
    taken = {n.name for n in graph.nodes}
    renamed: dict[str, str] = {}
    for node, first in zip(graph.nodes, first_names):
        if node.kind == "op" and _INTERNAL_ID.fullmatch(node.name):
            name, k = node.op, 2
            while name in taken:
                name, k = f"{node.op}#{k}", k + 1
            taken.add(name)
            graph._by_name.setdefault(name, node)
            node.name = name
        if _INTERNAL_ID.fullmatch(first) and node.name != first:
            renamed[first] = grouped_name(node.name)
    if renamed:   # the rules on the edges were written with the old names
        old = re.compile(r"(?<![\w#])(" + "|".join(map(re.escape, renamed)) + r")(?![\w#])")
        for edge in graph.edges:
            if edge.text and "t" in edge.text:
                edge.text = old.sub(lambda m: renamed[m.group(1)], edge.text)
    return graph


def _leaf_role(node) -> dict | None:
    """A module's weight is drawn as a parameter, not as an input."""
    if not node.inputs and type(node).__name__ == "Parameter":
        return {**(node.attrs or {}), "role": "parameter"}
    return None


def _ops_per_group(order) -> dict:
    counts: dict = {}
    for n in order:
        group = getattr(n, "group", None)
        if n.inputs and group is not None:
            counts[group] = counts.get(group, 0) + 1
    return counts


def _made_by(node, ops_in: dict) -> str:
    """An unnamed node's name: the module path of the call that made it ("fc1" where the call
    made one op, "fc1.relu" where it made several), else the op ("relu"), else "leaf"."""
    if not node.inputs:   # a tensor made inside a forward (x.view(…) of the input batch)
        return "parameter" if node.requires_grad else "input"
    op = node.op.name
    calls = getattr(getattr(node, "group", None), "calls", ())
    path = calls[-1].path if calls else ""
    if not path or path.rsplit(".", 1)[-1].isdigit():   # "0" of a Sequential says nothing
        return op
    label = calls[-1].label
    return label if ops_in.get(node.group) == 1 else f"{label}.{op}"


def to_jsonable(x):
    if x is None:
        return None
    if hasattr(x, "tolist"):
        return x.tolist()
    return float(x)
