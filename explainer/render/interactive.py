"""The interactive page: `render … -o graph.html` writes one self-contained, offline HTML file.

It opens on the graph collapsed to its groups (the graph's own, or the Σ/Π groups grouping.py
computes for a flat expression); a click on a box opens it, a click on an open group's frame
closes it; the mouse wheel zooms and dragging pans; a click on a node shows its value, gradient,
shape, local rule and the chain-rule product into it; the search box finds a node by name and
opens the groups around it; forward / backward / both switch the view.

Layout: graphviz's own `dot`, compiled to WebAssembly (@hpcc-js/wasm-graphviz, vendored in
assets/ with its licence), lays out the drawn part in the browser each time a group opens or
closes. Chosen by measurement against dagre (the other candidate that fits in one page):
100 nodes / 490 edges 176 ms vs 284 ms, 300 / 2,476 504 ms vs 2.5 s, 1,000 / 14,094 6.3 s vs
175 s (node 20, this machine), and the page then looks like the SVG pictures. Precomputed
layouts per level could not follow a reader who opens one group and not its neighbours.

Python does no layout: it writes the nodes' texts (the same `labels` the SVG uses), their group
paths, the edges, and which groups start open (the finest level with at most START boxes).
"""
from __future__ import annotations
from explainer.i18n import N_, gettext, language

import html
import json
import re
from functools import lru_cache
from pathlib import Path

from ..format import fmt
from . import labels
from .dot import BACKWARD, CONSTANT, FORWARD, HIGHLIGHT, VIEWS, group_parts
from .grouping import group_paths, leaves_join_their_users

ASSETS = Path(__file__).with_name("assets")
START = 20   # boxes and nodes drawn when the page opens, at most (the finest level that fits)


def write_page(graph, path, view: str = "both") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page(graph, view), encoding="utf-8")
    return path


def page(graph, view: str = "both") -> str:
    """The page's HTML text."""
    from ..errors import ExplainerError

    if view not in VIEWS:
        raise ExplainerError(gettext("unknown view {view!r}; choose one of: {VIEWS}").format(view=view, VIEWS=', '.join(VIEWS)))
    data = graph_data(graph, view)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    title = html.escape(graph.title[:120] or f"{graph.output_node.name}: the graph")
    text = (_template()
            .replace("/*TITLE*/", title)
            .replace("/*DATA*/", payload)
            .replace("/*WORDS*/", json.dumps({k: gettext(v) for k, v in _WORDS.items()}, ensure_ascii=False))
            .replace("/*LANG*/", language())
            .replace("/*GRAPHVIZ*/", _graphviz_script()))
    for english in _CONTROLS:   # the controls written in the template, in the language in force
        text = text.replace(english, english.replace(english.strip('>"< '), gettext(english.strip('>"< '))), 1)
    return text


# the words the page's script writes (the template's T), and the controls its HTML holds
_WORDS = {"open": N_("click to open {name}"), "close": N_("click to close {name}"), "node": N_("{n} node"),
          "nodes": N_("{n} nodes"), "status": N_("{n} nodes in the graph · {drawn} drawn · {open} groups open"),
          "status1": N_("{n} nodes in the graph · {drawn} drawn · {open} group open"),
          "missing": N_("no node named “{name}”"),
          "toobig": N_("opening “{name}” would draw {n} boxes; find a node by name instead"),
          "failed": N_("the layout engine could not start: "), "value": N_("value"), "gradient": N_("gradient"),
          "shape": N_("shape"), "op": N_("op"), "local rule": N_("local rule"), "chain rule": N_("chain rule"),
          "group": N_("group")}
_CONTROLS = ('>forward<', '>backward<', '>both<', '"zoom in"', '"zoom out"', '>fit<', '>collapse all<',
             '"find a node by name"', '"find a node by name"', '>find<', '"the graph"',
             '>Click a box to open its group, the frame of an open group to close it, a node to see its\nvalue, '
             'gradient and the chain rule into it. Wheel: zoom. Drag: pan.<')
_CONTROL_WORDS = (N_("forward"), N_("backward"), N_("both"), N_("zoom in"), N_("zoom out"), N_("fit"),
                  N_("collapse all"), N_("find a node by name"), N_("find"), N_("the graph"),
                  N_("Click a box to open its group, the frame of an open group to close it, a node to see its\nvalue, "
                     "gradient and the chain rule into it. Wheel: zoom. Drag: pan."))


def graph_data(graph, view: str) -> dict:
    """Everything the page draws, as JSON-ready lists (one entry per node and per edge)."""
    output = graph.output_node
    paths = leaves_join_their_users(graph, group_paths(graph))
    users: list[list] = [[] for _ in graph.nodes]
    into: list[list] = [[] for _ in graph.nodes]
    edge_labels = []
    for k, e in enumerate(graph.edges):
        users[e.src].append(k)
        into[e.dst].append(k)
        edge_labels.append(labels.edge_text(e, graph.nodes[e.src], graph.nodes[e.dst]) or "")
    nodes = []
    for n in graph.nodes:
        nodes.append({
            "name": n.name, "kind": n.kind,
            "op": labels.op_text(n.op) if n.kind == "op" else (n.attrs or {}).get("role", ""),
            "lines": {v: labels.node_lines(n, output.name, v) for v in VIEWS},
            "value": _value(n.value), "grad": _value(n.grad) if n.kind != "const" else None,
            "shape": labels.shape_text(n.shape) if labels.is_tensor(n.value) else None,
            "group": paths[n.id],
            # an op's own rule (∂bc/∂b = c); a leaf's, the rules of the ops that use it
            "rule": [edge_labels[k] for k in (into[n.id] if n.kind == "op" else users[n.id]) if edge_labels[k]],
            "chain": _chain(graph, n, users[n.id], output.name),
        })
    edges = [[e.src, e.dst, bool(e.grad), edge_labels[k]] for k, e in enumerate(graph.edges)]
    return {"title": graph.title, "output": graph.output, "view": view, "nodes": nodes,
            "edges": edges, "open": start_open(paths),
            "colors": {"forward": FORWARD, "backward": BACKWARD, "highlight": HIGHLIGHT,
                       "constant": CONSTANT}}


def start_open(paths: list) -> list[str]:
    """The groups open when the page loads: those above the finest level whose drawing has at most
    START boxes and nodes (every group, when the whole graph is that small)."""
    parts = [group_parts(p) for p in paths]
    deepest = max((len(p) for p in parts), default=0)
    if len(paths) <= START:
        depth = deepest + 1
    else:
        depth = 1
        for d in range(2, deepest + 1):   # groups of d-1 levels open: boxes at level d
            units = len({tuple(p[:d]) for p in parts if len(p) >= d}) + sum(1 for p in parts if len(p) < d)
            if units > START:
                break
            depth = d
    opened = set()
    for p in parts:
        for k in range(1, min(depth - 1, len(p)) + 1):
            opened.add(" / ".join(p[:k]))
    return sorted(opened)


def _value(x) -> str | None:
    if x is None:
        return None
    if labels.is_tensor(x):
        return labels.value_text(x)
    return fmt(x)


def _chain(graph, node, out_edges: list, output_name: str) -> list[str]:
    """The chain rule into `node`: ∂out/∂node = Σ over its users u of ∂out/∂u · ∂u/∂node, written
    once with symbols and once with the numbers (a tensor shows the gradients' shapes)."""
    if node.id == graph.output:
        return [f"{labels.partial(output_name, node.name)} = 1 (the output)"]
    if node.grad is None:
        return []
    head = labels.partial(output_name, node.name)
    symbols, numbers = [], []
    for k in out_edges:
        e = graph.edges[k]
        if not e.grad:
            continue
        user = graph.nodes[e.dst]
        symbols.append(f"{labels.partial(output_name, user.name)} · {labels.partial(user.name, node.name)}")
        if e.local is not None and user.grad is not None and not labels.is_tensor(user.grad):
            numbers.append(f"{fmt(user.grad)} · {fmt(e.local)}")
        else:
            numbers.append(gettext("{grad} through {rule}").format(grad=_value(user.grad),
                                                                    rule=e.text or gettext("its VJP")))
    if not symbols:
        return []
    return [f"{head} = " + " + ".join(symbols),
            f"= " + " + ".join(numbers),
            f"= {_value(node.grad)}"]


@lru_cache(maxsize=1)
def _template() -> str:
    return (ASSETS / "interactive.html").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _graphviz_script() -> str:
    """The vendored ES module as a classic script: its `export {…}` becomes one global."""
    source = (ASSETS / "graphviz-wasm.js").read_text(encoding="utf-8")
    exports = re.search(r"export\s*\{([^}]*)\};?", source)
    names = dict(reversed(item.strip().split(" as ")) for item in exports.group(1).split(","))
    source = source[:exports.start()] + f"window.explainerGraphviz={{Graphviz:{names['Graphviz']}}};" \
        + source[exports.end():]
    return re.sub(r"//# sourceMappingURL=\S+", "", source).replace("</script", "<\\/script")
