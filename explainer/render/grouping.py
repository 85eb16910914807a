"""Group paths for every node: the graph's own (`Node.group`, e.g. "layer 1 / neuron 2" or a module
path), or, for a graph that has none (a flat expression), groups computed from its shape.

Every view that collapses or clusters (the SVG's `--collapse` and time budget, the interactive
page) reads the same list from `group_paths(graph)`: one "/"-separated string or None per node,
in the form `Node.group` uses, so computed groups and module groups are handled alike.

Computed groups: a long sum or product (a chain of `+`/`-` or `×`/`÷` nodes, each used only by the
next) becomes one group, "Σ of 1,500 terms", holding its `+` nodes as one n-ary "running sum"
group and its terms, split into runs ("terms 1–144" / "terms 1–12") once there are more than `RUN`
of them (the running sum alike: "sums 1–144"). Each term that is a subtree of its own (`w0*x0`
with its `w0` and `x0`) is a group inside its run. A node used by several parts of a group sits at
the deepest group holding all its users (an `x` shared by every term sits in the Σ group itself).
A few passes over the nodes, users before inputs where it matters: linear, no recursion.
Nothing here draws: dot.py and interactive.py read the paths.
"""
from __future__ import annotations

import re

MIN_TERMS = 8    # a sum or product with fewer terms stays as it is drawn today
RUN = 12         # at most this many terms (or runs of terms) side by side at one level
FAMILIES = {"add": "Σ", "sub": "Σ", "mul": "Π", "div": "Π",
            # the same ops in a graph read from torch (torchbridge.from_torch names them by grad_fn)
            "AddBackward0": "Σ", "SubBackward0": "Σ", "MulBackward0": "Π", "DivBackward0": "Π"}
_WORDS = {"Σ": ("terms", "term", "running sum", "sums"), "Π": ("factors", "factor", "running product", "products")}
_INTERNAL = re.compile(r"t\d+(#\d+)?")   # the graph's fallback names: never shown as a group name
SHORT = 24       # longest node name used as a term's group name


def group_paths(graph) -> list[str | None]:
    """One group path per node (None: not in any group), the graph's own when it has any."""
    if any(n.group for n in graph.nodes):
        return _leaves_join_their_users(graph)
    return computed_paths(graph)


def _leaves_join_their_users(graph) -> list[str | None]:
    """The graph's own groups, with each ungrouped leaf (a module's weight, a constant) placed in the
    deepest group that holds all of its users: fc1.weight opens with fc1, not beside the network."""
    from .dot import group_parts

    paths = [n.group for n in graph.nodes]
    users: dict[int, list] = {}
    for node in graph.nodes:
        for i in node.inputs:
            users.setdefault(i, []).append(node.id)
    for node in graph.nodes:
        if node.inputs or paths[node.id] or node.id not in users:
            continue
        common = _common_prefix([tuple(group_parts(paths[u])) for u in users[node.id]])
        if common:
            paths[node.id] = " / ".join(common)
    return paths


def computed_paths(graph) -> list[str | None]:
    """Σ/Π groups, runs of terms and terms, computed from the graph's shape (see the module doc)."""
    nodes = graph.nodes
    users: list[list[int]] = [[] for _ in nodes]
    for n in nodes:
        for i in set(n.inputs):
            users[i].append(n.id)
    family = [FAMILIES.get(n.op) if n.kind == "op" else None for n in nodes]
    # the chain link: a Σ node used once, by a node of its own family, belongs to that node's chain
    link = [-1] * len(nodes)
    for n in nodes:
        if family[n.id] and len(users[n.id]) == 1 and family[users[n.id][0]] == family[n.id] \
                and nodes[users[n.id][0]].inputs.count(n.id) == 1:
            link[n.id] = users[n.id][0]
    head = list(range(len(nodes)))
    for n in reversed(nodes):                       # users come after their inputs: heads first
        if link[n.id] >= 0:
            head[n.id] = head[link[n.id]]
    # the members of each chain and its terms, in order
    members: dict[int, list[int]] = {}
    for n in nodes:
        if family[n.id] and (link[n.id] >= 0 or any(link[i] == n.id for i in n.inputs)):
            members.setdefault(head[n.id], []).append(n.id)
    term_of: dict[int, tuple[int, int]] = {}        # term root -> (chain head, term index)
    last_term: dict[int, int] = {}                  # chain member -> the last term it adds in
    chains: dict[int, int] = {}                     # chain head -> number of terms
    for h, chain in members.items():
        count = 0
        for m in chain:                             # ascending ids: a member after its inputs
            last = -1
            for i in nodes[m].inputs:
                if link[i] == m:
                    last = max(last, last_term[i])
                else:
                    if len(users[i]) == 1:          # a term of its own: only this member uses it
                        term_of[i] = (h, count)
                    last = max(last, count)
                    count += 1
            last_term[m] = last
        if count >= MIN_TERMS:
            chains[h] = count
    paths: list[tuple | None] = [None] * len(nodes)
    chain_path: dict[int, tuple] = {}
    term_paths: set[tuple] = set()
    for n in reversed(nodes):
        v = n.id
        owner = term_of.get(v)
        if owner is not None and owner[0] in chains:
            base = chain_path[owner[0]] + _run(owner[1], chains[owner[0]], family[owner[0]]) \
                   + (_term_name(n, owner[1], family[owner[0]]),)
            term_paths.add(base)
        elif head[v] in chains and head[v] != v:      # the chain's own + nodes: one n-ary Σ box
            h = head[v]
            base = chain_path[h] + (_WORDS[family[v]][2],) + _run(last_term[v], chains[h], family[v], 3)
        else:
            base = _common_prefix([paths[u] for u in users[v]])
        if v in chains:                             # a chain's head: its group, with the + nodes
            chain_path[v] = (base or ()) + (_chain_name(family[v], chains[v]),)
            base = chain_path[v] + (_WORDS[family[v]][2],) + _run(last_term[v], chains[v], family[v], 3)
        paths[v] = base or None
    _drop_lone_terms(paths, term_paths)
    return [" / ".join(p) if p else None for p in paths]


def _drop_lone_terms(paths: list, term_paths: set) -> None:
    """A term that is one node (a leaf `a`, a constant) needs no box of its own: it goes up to its run."""
    size: dict[tuple, int] = {}
    for p in paths:
        if p:
            for k in range(1, len(p) + 1):
                size[p[:k]] = size.get(p[:k], 0) + 1
    for i, p in enumerate(paths):
        if p and p in term_paths and size[p] == 1:
            paths[i] = p[:-1] or None


def _common_prefix(paths: list) -> tuple:
    """The deepest group that holds every user (none when a user is in no group)."""
    if not paths:
        return ()
    first = paths[0]
    if not first:
        return ()
    length = len(first)
    for p in paths[1:]:
        if not p:
            return ()
        k = 0
        limit = min(length, len(p))
        while k < limit and p[k] == first[k]:
            k += 1
        length = k
        if not length:
            return ()
    return first[:length]


def _chain_name(symbol: str, count: int) -> str:
    return f"{symbol} of {count:,} {_WORDS[symbol][0]}"


def run_spans(count: int) -> list[int]:
    """Terms per run at each level, outermost first: powers of RUN, so no level holds more than
    RUN runs (1,500 terms: 11 runs of 144, each 12 runs of 12)."""
    spans, span = [], RUN
    while span < count:
        spans.append(span)
        span *= RUN
    return spans[::-1]


def _run(index: int, count: int, symbol: str, word: int = 0) -> tuple:
    """The runs holding term `index` (0-based) of a chain of `count`, e.g. ("terms 1–144", "terms 1–12");
    the running sum's + nodes are split alike ("sums 1–144"), by the last term each adds in."""
    word = _WORDS[symbol][word]
    parts = []
    for span in run_spans(count):
        start = index // span * span
        parts.append(f"{word} {start + 1}–{min(start + span, count)}")
    return tuple(parts)


def _term_name(node, index: int, symbol: str) -> str:
    """The term's own name where a person typed it (`w0*x0`), else "term 7". '/' would split the
    path, so a division inside the name is written with the division slash."""
    name = node.name
    if len(name) <= SHORT and not _INTERNAL.fullmatch(name):
        return name.replace("/", "∕")
    return f"{_WORDS[symbol][1]} {index + 1}"
