"""Graph → graphviz: the forward, backward and both views, clusters, collapsed groups, highlights.

This module decides only layout, colour and text; every number comes from the `Graph` records
(and, for `explain=`, from explain.py). DOT ids are `n{node id}` for nodes and `g{k}` for
collapsed groups, so the same graph gives byte-identical DOT (and SVG) on every run.
"""
from __future__ import annotations
from explainer.i18n import gettext
from explainer.i18n import N_, _, font_family, language

import math
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import graphviz

from ..errors import ExplainerError
from . import labels
from .grouping import group_paths

VIEWS = ("forward", "backward", "both")
FORMATS = (".svg", ".png", ".pdf", ".dot", ".html")
MAX_NODES = 2000
DOT_TIMEOUT = 30.0   # seconds dot may take to lay out one picture (EXPLAINER_DOT_TIMEOUT overrides)
# Bound dot's network-simplex passes (ranking, then x positions). A node used by many others (a
# weight in every term) with labelled backward edges made dot's time explode: 80 nodes took 16 s
# to 100 s, 320 nodes crashed it. Bounded, those take under a second; small pictures come out
# byte-identical (their simplex converges within the bound anyway).
DOT_FLAGS = ("-Gnslimit=2", "-Gnslimit1=2")
# Above this many drawn nodes, cap dot's network-simplex passes that place nodes within ranks
# (nslimit): a 1,748-node network's backward view goes from 127 s to 9 s, and small pictures,
# which converge long before the cap, keep their exact layout.
LARGE = 200
# A flat expression with more nodes than this is drawn collapsed, at the finest level of its computed
# groups (grouping.py) that stays this small: a picture a class can read, not one of tiny text.
READABLE = 60
NSLIMIT = "0.2"

FORWARD = "#333333"
BACKWARD = "#d62728"
HIGHLIGHT = "#ff7f0e"
CONSTANT = "#999999"
FONT = "Helvetica"
CJK_FONT = font_family()  # Chinese labels (--lang zh): Helvetica for Latin text, then CJK fonts

DOT_MISSING = N_("graphviz's `dot` program is not installed: install it with `apt-get install graphviz` "
                 "(or `brew install graphviz`) and run again")


def require_dot() -> None:
    """Fail early, in one sentence, where graphviz's `dot` binary is missing."""
    if shutil.which("dot") is None:
        raise ExplainerError(_(DOT_MISSING))


def to_dot(graph, view: str = "both", explain: str | None = None, collapse: str | None = None,
           max_nodes: int = MAX_NODES, depth=None, rankdir: str | None = None) -> graphviz.Digraph:
    """The graph as a graphviz Digraph, left to right.

    view: "forward" (values and ops), "backward" (local gradients on edges, accumulated
    gradients on nodes, arrows right to left) or "both" (forward edges plus backward ones in red).
    explain: a node's name: every path from the output to it is highlighted and the chain rule
    written as the picture's caption. collapse: "neuron", "layer", … draws each group at that
    level as one box; "none" draws every node. Without it, big graphs collapse to the finest level
    of their groups that fits (see `_budgeted`), and graphs over `max_nodes` without groups are refused.
    """
    if view not in VIEWS:
        raise ExplainerError(_("unknown view {view!r}; choose one of: {VIEWS}").format(view=view, VIEWS=', '.join(VIEWS)))
    explanation = None
    if explain is not None:
        from ..explain import explain as explain_paths  # explain.py imports render.labels

        explanation = explain_paths(graph, explain)
    module_view, rankdir = _module_view(graph, explain, collapse, depth, rankdir)
    if module_view is not None:
        return module_view(view)
    layout = _layout(graph, collapse, max_nodes, view)
    drawn = _draw(graph, view, layout, explanation)
    if _slide_fitted(graph, layout):
        _layers_apart(drawn, graph, layout)
        if rankdir is None:
            return _squarer(drawn)
    return _with_rankdir(drawn, rankdir)


_EDGE_IDS = re.compile(r"^\t([ng])(\d+) -> ([ng])(\d+) \[")


def _layers_apart(dot: graphviz.Digraph, graph, layout) -> None:
    """Edges from one top-level group into another (layer 1 → layer 2) get two ranks: the next
    layer's weights then sit below the last one's outputs, so dot can stack the groups' clusters
    instead of setting them side by side in a staircase."""
    top = {}
    for n in graph.nodes:
        group = n.group if layout.paths is None else layout.paths[n.id]
        top[layout.unit[n.id]] = group_parts(group)[0] if group else None
    for k, line in enumerate(dot.body):
        match = _EDGE_IDS.match(line)
        if match is None:
            continue
        src, dst = match[1] + match[2], match[3] + match[4]
        if top.get(src) and top.get(dst) and top[src] != top[dst]:
            dot.body[k] = line.replace(" [", " [minlen=2 ", 1)


def _slide_fitted(graph, layout) -> bool:
    """Networks (tensors, or scalars grouped by layer and neuron: a chain of matmuls drawn left to
    right is 10:1) are turned top to bottom when that is squarer; expressions keep left to right. Small pictures only: it costs a layout."""
    return len(set(layout.unit)) <= LARGE and any(getattr(n.value, "ndim", 0) or n.group for n in graph.nodes)


def _squarer(dot: graphviz.Digraph) -> graphviz.Digraph:
    """Left to right where it is within 3:1, else whichever of LR and TB is squarer."""
    from .modules import MAX_ASPECT, _size

    def ratio(d):
        width, height = _size(_pipe(d, "plain"))
        return max(width, height) / max(min(width, height), 1e-9)

    wide = ratio(dot)
    if wide <= MAX_ASPECT:
        return dot
    tall = _with_rankdir(dot.copy(), "TB")
    return tall if ratio(tall) < wide else dot


def _module_view(graph, explain, collapse, depth, rankdir):
    """A network whose nodes know their module calls is drawn as module boxes (render/modules.py)
    unless every op is asked for (depth "ops"), or a highlight or a collapse by group is."""
    from . import modules

    if isinstance(rankdir, str):
        rankdir = rankdir.strip().upper()
    if rankdir is not None and rankdir not in modules.RANKDIRS:
        raise ExplainerError(_("unknown rankdir {rankdir!r}; choose TB (top to bottom) or LR (left to right)").format(
            rankdir=rankdir))
    depth = parse_depth(depth)
    if depth == "ops" or explain is not None or collapse is not None or not modules.has_modules(graph):
        return None, rankdir
    return (lambda view: modules.fitted(graph, view, depth, rankdir)), rankdir


def parse_depth(depth):
    """None (the default, 1), a positive whole number, or "ops"; anything else is one sentence."""
    if depth is None:
        return 1
    if isinstance(depth, str):
        if depth.strip().lower() == "ops":
            return "ops"
        if not depth.strip().isdigit():
            raise ExplainerError(_("--depth takes a whole number (1 opens the model's modules) or 'ops' (every op), "
                                   "not {depth!r}").format(depth=depth))
        depth = int(depth)
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ExplainerError(_("--depth takes a whole number from 1 up or 'ops', not {depth!r}").format(depth=depth))
    return depth


def _with_rankdir(dot: graphviz.Digraph, rankdir: str | None) -> graphviz.Digraph:
    """The ops view is drawn left to right; --rankdir TB turns it."""
    if rankdir in (None, "LR"):
        return dot
    dot.body[0] = dot.body[0].replace("rankdir=LR", f"rankdir={rankdir}")
    return dot


def svg(graph, view: str = "both", explain: str | None = None, collapse: str | None = None,
        max_nodes: int = MAX_NODES, depth=None, rankdir: str | None = None) -> str:
    """The picture as SVG text."""
    require_dot()
    dot = to_dot(graph, view, explain, collapse, max_nodes, depth, rankdir)
    return _pipe(dot, "svg").decode("utf-8")


def render(graph, path, view: str = "both", explain: str | None = None, collapse: str | None = None,
           max_nodes: int = MAX_NODES, depth=None, rankdir: str | None = None) -> Path:
    """Write the picture to `path`; its suffix picks the format (.svg .png .pdf, or .dot source)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExplainerError(gettext("cannot write {path_name!r}: the file name must end in one of {FORMATS}").format(path_name=path.name, FORMATS=', '.join(FORMATS)))
    if suffix == ".html":   # the interactive page: laid out in the browser, no dot here
        from .interactive import write_page

        if explain is not None or collapse is not None:
            raise ExplainerError(gettext("the interactive page opens and closes groups itself and shows the chain rule of the node you click: draw it without --explain and --collapse"))
        return write_page(graph, path, view)
    if suffix != ".dot":
        require_dot()
    dot = to_dot(graph, view, explain, collapse, max_nodes, depth, rankdir)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".dot":
        path.write_text(dot.source, encoding="utf-8")
    else:
        path.write_bytes(_pipe(dot, suffix[1:]))
    return path


def dot_timeout() -> float:
    """Seconds dot may take: EXPLAINER_DOT_TIMEOUT when set, else DOT_TIMEOUT."""
    text = os.environ.get("EXPLAINER_DOT_TIMEOUT")
    if text is None:
        return DOT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ExplainerError(_("EXPLAINER_DOT_TIMEOUT must be a positive number of seconds, not {text!r}").format(text=text))
    return seconds


def _pipe(dot: graphviz.Digraph, fmt: str) -> bytes:
    """Run `dot -T<fmt>` on the source with a time limit; a missing, hung or crashing dot is one
    sentence. dot runs in its own process group so that a timeout kills all of it."""
    program = shutil.which("dot")
    if program is None:
        raise ExplainerError(_(DOT_MISSING))
    timeout = dot_timeout()
    try:
        proc = subprocess.Popen([program, f"-T{fmt}", *DOT_FLAGS], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
    except OSError as exc:
        raise ExplainerError(_("graphviz's dot ({program}) cannot be started: {or_exc}; reinstall graphviz").format(program=program, or_exc=exc.strerror or exc)) from None
    try:
        out, err = proc.communicate(dot.source.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise ExplainerError(_("graphviz's dot did not finish drawing the graph within {timeout:g} s; draw fewer boxes with --collapse or a lower --max-nodes, or allow more time with EXPLAINER_DOT_TIMEOUT=SECONDS").format(timeout=timeout)) from None
    detail = err.decode("utf-8", "replace").strip().splitlines()
    if proc.returncode < 0:
        raise ExplainerError(_("graphviz's dot crashed ({proc_returncode}) while drawing the graph; try --collapse or a smaller graph, or reinstall graphviz").format(proc_returncode=_signal_name(-proc.returncode)))
    if proc.returncode != 0 or not out:
        raise ExplainerError(_("graphviz's dot could not draw the graph: {detail}").format(detail=detail[0]) if detail
                             else _("graphviz's dot could not draw the graph (exit status {status})").format(
                                 status=proc.returncode))
    return out


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# ---------------------------------------------------------------------------------------------
# Which box each node is drawn in


@dataclass
class Box:
    """A collapsed group: one drawn node standing for all the graph nodes in it."""

    dot_id: str
    key: str          # "layer 1/neuron 2"
    members: int = 0
    output: bool = False


@dataclass
class Layout:
    unit: list[str]                                   # node id -> the DOT id it is drawn as
    boxes: dict[str, Box] = field(default_factory=dict)  # DOT id -> box
    paths: list | None = None   # the clusters' group paths when not the nodes' own (computed groups)


def _layout(graph, collapse: str | None, max_nodes: int, view: str = "both") -> Layout:
    """Decide which nodes are merged into boxes, refusing graphs too big for dot. Without
    `collapse`, the finest level of the groups (the graph's own, or computed by grouping.py for
    a flat expression) whose picture has at most `max_nodes` boxes and that dot is expected to
    draw within the time budget is picked here, before dot runs."""
    if collapse == "none":   # every node drawn, as the user asked
        if len(graph.nodes) > max_nodes:
            raise ExplainerError(_too_big(len(graph.nodes), max_nodes))
        return Layout(unit=[f"n{n.id}" for n in graph.nodes])
    paths = group_paths(graph)
    has_groups = any(paths)
    if collapse is not None:
        if not has_groups:
            raise ExplainerError(gettext("cannot collapse by {collapse!r}: the graph has no groups (only networks built from layers and neurons do)").format(collapse=collapse))
        layout = _collapsed(graph, _level_finder(graph, collapse, paths), paths)
    else:
        layout = _budgeted(graph, paths, max_nodes, view) if has_groups else None
        if layout is None:
            if len(graph.nodes) > max_nodes:
                raise ExplainerError(_too_big(len(graph.nodes), max_nodes))
            return Layout(unit=[f"n{n.id}" for n in graph.nodes])
    drawn = len(set(layout.unit))
    if drawn > max_nodes:
        raise ExplainerError(_too_big(drawn, max_nodes, after=" even with its groups collapsed"))
    return layout


def _budgeted(graph, paths: list, max_nodes: int, view: str) -> Layout | None:
    """The finest level with at most max_nodes boxes (READABLE for computed groups) that dot is
    expected to draw within the time budget (None: every node); the coarsest where none fits."""
    budget = dot_budget()
    computed = not any(n.group for n in graph.nodes)
    target = min(max_nodes, READABLE) if computed else max_nodes
    if len(graph.nodes) <= target and estimate_seconds(len(graph.nodes), len(graph.edges), view) <= budget:
        return None
    deepest = max(len(group_parts(p)) for p in paths if p)
    picked, picked_units = None, 0
    for depth in range(1, deepest + 1):   # coarsest first; stop at the first level that is too big
        layout = _collapsed(graph, lambda parts, d=depth: d, paths)
        units = len(layout.boxes) + sum(1 for u in layout.unit if u[0] == "n")
        fits = units <= target and estimate_seconds(units, _count_edges(graph, layout), view) <= budget
        if picked is not None and not fits:
            break
        if picked is None or units > picked_units:  # a finer level that shows no more keeps the coarser
            picked, picked_units = layout, units
    if computed:
        picked.paths = paths  # computed groups are drawn as clusters only where something collapsed
    return picked


def _count_edges(graph, layout: "Layout") -> int:
    return sum(1 for _ in _drawn_edges(graph, layout))


# dot's layout time grows about as the square of (drawn nodes + edges). Measured on this project's
# graphs (dot 2.43, one core, the DOT_FLAGS below): a 3,681-node network (4,672 edges) takes 3.2 s
# forward and 7.7 s with labelled backward edges (xlabel); a flat 6,000-node sum 3.1 s and 5.8 s.
# Edge `label=` (a label node per edge) costs about 4x `xlabel=`: 2,000 nodes both view 2.4 s vs 0.6 s.
SECONDS_PER_UNIT2 = {"forward": 4.6e-8, "backward": 1.1e-7, "both": 1.1e-7}
LABEL_COST = 4.0
DOT_BUDGET = 15.0   # seconds: half of DOT_TIMEOUT, so a slow machine still finishes
LABEL_BUDGET = 2.0  # below this estimate edges get label= (placed by dot, never overlapping)


def estimate_seconds(nodes: int, edges: int, view: str, labels: bool = False) -> float:
    """dot's expected time for a picture of this many drawn nodes and edges (see above)."""
    seconds = SECONDS_PER_UNIT2.get(view, SECONDS_PER_UNIT2["both"]) * (nodes + edges) ** 2
    return seconds * LABEL_COST if labels and view != "forward" else seconds


def dot_budget() -> float:
    """Seconds the picked level may be expected to take: DOT_BUDGET, or a bit under the timeout."""
    return min(DOT_BUDGET, 0.8 * dot_timeout())


def _too_big(size: int, limit: int, after: str = "") -> str:
    return (f"the graph is too big for dot: {size:,} nodes{after}, over the limit of {limit:,}; "
            "pass max_nodes= (or --max-nodes) to raise it")


def group_parts(group: str | None) -> list[str]:
    """"layer 1/neuron 2" (or "layer 1 / neuron 2") → ["layer 1", "neuron 2"]."""
    return [p.strip() for p in group.split("/") if p.strip()] if group else []


def _level_finder(graph, word: str, paths: list):
    """How many leading parts of a group make the box for `collapse=word`: up to the part that
    starts with `word` ("neuron 2" for "neuron"); None where the group has no such part."""
    def depth(parts: list[str]) -> int | None:
        for i, part in enumerate(parts):
            if part.split()[0] == word:
                return i + 1
        return None

    if not any(depth(group_parts(p)) for p in paths if p):
        levels = []
        for p in paths:
            for part in group_parts(p):
                if part.split()[0] not in levels:
                    levels.append(part.split()[0])
        raise ExplainerError(_("cannot collapse by {word!r}: the graph's groups are made of {levels}").format(word=word, levels=', '.join(levels)))
    return depth


def _collapsed(graph, depth_of, paths: list) -> Layout:
    layout = Layout(unit=[])
    by_key: dict[str, Box] = {}
    for n in graph.nodes:
        parts = group_parts(paths[n.id])
        depth = depth_of(parts) if parts else None
        if not depth:
            layout.unit.append(f"n{n.id}")
            continue
        key = "/".join(parts[:depth])
        box = by_key.get(key)
        if box is None:
            box = by_key[key] = Box(dot_id=f"g{len(by_key)}", key=key)
            layout.boxes[box.dot_id] = box
        box.members += 1
        box.output = box.output or n.id == graph.output
        layout.unit.append(box.dot_id)
    return layout


# ---------------------------------------------------------------------------------------------
# Drawing


def _attr_line(kw: str | None, **attrs) -> str:
    """The line graphviz writes for dot.attr(kw, **attrs), made once by graphviz itself."""
    probe = graphviz.Digraph()
    probe.attr(kw, **attrs)
    return probe.body[0]


# the picture's fixed settings, written once at import (dot.attr() per picture costs more than
# a small graph's nodes)
_GRAPH_LINE = _attr_line(None, rankdir="LR", fontname=FONT, nodesep="0.3", ranksep="0.5")
_LARGE_LINE = _attr_line(None, nslimit=NSLIMIT)
_NODE_LINE = _attr_line("node", fontname=FONT, fontsize="12")
_EDGE_LINE = _attr_line("edge", fontname=FONT, fontsize="10")
_CJK_LINES = {line: line.replace(f"fontname={FONT}", f'fontname="{CJK_FONT}"')
              for line in (_GRAPH_LINE, _NODE_LINE, _EDGE_LINE)}


def _font(line: str) -> str:
    """A fixed settings line with the CJK font list when the labels are Chinese."""
    return _CJK_LINES[line] if language() != "en" else line


def _draw(graph, view: str, layout: Layout, explanation) -> graphviz.Digraph:
    dot = graphviz.Digraph(name="explainer")
    dot.body.append(_font(_GRAPH_LINE))
    if len(set(layout.unit)) > LARGE:
        dot.body.append(_LARGE_LINE)
    dot.body += [_font(_NODE_LINE), _font(_EDGE_LINE)]
    caption = ([_shortened(graph.title)] if graph.title else []) + (explanation.lines() if explanation else [])
    if caption:
        dot.attr(label=_label(caption, just="l"), labelloc="t", labeljust="l", fontsize="13")
    lit_nodes = explanation.node_ids if explanation else frozenset()
    _add_clusters(dot, _place_nodes(graph, view, layout, {layout.unit[i] for i in lit_nodes}))
    units = len(layout.boxes) + sum(1 for u in layout.unit if u[0] == "n") if layout.boxes else len(graph.nodes)
    edges = _count_edges(graph, layout) if layout.boxes else len(graph.edges)
    # label= lets dot place each label as a node (never overlapping) at ~4x the time; big pictures
    # get xlabel=, placed after the layout
    label_key = "label" if estimate_seconds(units, edges, view, labels=True) <= LABEL_BUDGET else "xlabel"
    _add_edges(dot, graph, view, layout, explanation.edge_ids if explanation else frozenset(), label_key)
    return dot


def _shortened(text: str, limit: int = 200) -> str:
    """A caption line dot can hold (it refuses strings over 16 kB; nobody reads 18,000 characters)."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _place_nodes(graph, view: str, layout: Layout, lit_units: set) -> dict[tuple, list]:
    """Each drawn node's DOT line, filed under its cluster path (a box goes in the cluster of
    its parent group). Lines, not attribute dicts, are kept: strings are no work for the garbage
    collector, which otherwise doubled a 10,000-node picture's time."""
    placed: dict[tuple, list[str]] = {(): []}
    drawn = set()
    output_name = graph.output_node.name
    for n in graph.nodes:
        unit = layout.unit[n.id]
        if unit in drawn:
            continue
        drawn.add(unit)
        box = layout.boxes.get(unit)
        if box is None:
            group = n.group if layout.paths is None else layout.paths[n.id]
            cluster = tuple(group_parts(group)) if group else ()
            attrs = _node_attrs(n, output_name, view, graph.output)
            if n.kind == "op" and labels.grad_fn_of(graph, n):
                attrs["label"] = _torch_op_label(graph, n, output_name, view)
        else:
            cluster = tuple(group_parts(box.key)[:-1])
            attrs = _box_attrs(box)
        if unit in lit_units:
            attrs.update(color=HIGHLIGHT, penwidth="3")
        attrs["tooltip"] = _label([_unit_name(graph, layout, unit)])   # hover text: the name, not the id n0
        placed.setdefault(cluster, []).append(f"\t{unit}{_attr_text(attrs)}\n")
    return placed


def _unit_name(graph, layout: Layout, unit: str) -> str:
    """What a drawn unit is called where people read it: a node's name, a box's title."""
    box = layout.boxes.get(unit)
    return group_parts(box.key)[-1] if box is not None else graph.nodes[int(unit[1:])].name


def _drawn_edges(graph, layout: Layout):
    """(src, dst, positions in graph.edges): one per graph edge, but one per pair of drawn nodes
    where a box is involved; edges inside a box vanish. Yielded one at a time where there are no
    boxes (no list of them all for the garbage collector to walk)."""
    if not layout.boxes:
        unit = layout.unit
        for i, e in enumerate(graph.edges):
            yield unit[e.src], unit[e.dst], (i,)
        return
    index: dict[tuple, int] = {}
    drawn: list[tuple[str, str, list[int]]] = []
    for i, e in enumerate(graph.edges):
        src, dst = layout.unit[e.src], layout.unit[e.dst]
        if src == dst:
            continue
        key = (src, dst) if src in layout.boxes or dst in layout.boxes else i
        if key in index:
            drawn[index[key]][2].append(i)
        else:
            index[key] = len(drawn)
            drawn.append((src, dst, [i]))
    yield from drawn


def _add_edges(dot: graphviz.Digraph, graph, view: str, layout: Layout, lit_edges: frozenset,
               label_key: str = "label") -> None:
    """Forward edges input → output; backward ones drawn on the same pairs with the arrow at the
    input (dir=back keeps the layout) and labelled with the local gradient."""
    body = dot.body  # lines written directly: graphviz's dot.edge() costs 10x the line itself
    for src, dst, members in _drawn_edges(graph, layout):
        hover = _label([f"{_unit_name(graph, layout, src)} → {_unit_name(graph, layout, dst)}"])
        if len(members) == 1:
            flows, lit = graph.edges[members[0]].grad, members[0] in lit_edges
        else:
            flows = any(graph.edges[i].grad for i in members)
            lit = any(i in lit_edges for i in members)
        if view in ("forward", "both") or not flows:
            attrs = {"color": FORWARD if flows else CONSTANT}
            if view == "backward":  # no gradient flows into a constant: a plain line, no arrow
                attrs.update(style="dotted", dir="none")
            if lit:
                attrs.update(color=HIGHLIGHT, penwidth="3")
            attrs["tooltip"] = hover
            body.append(f"\t{src} -> {dst}{_attr_text(attrs)}\n")
        if view in ("backward", "both") and flows:
            attrs = {"color": BACKWARD, "fontcolor": BACKWARD, "dir": "back"}
            if view == "both":
                attrs["constraint"] = "false"  # the forward edge already placed these nodes
            if len(members) == 1 and src not in layout.boxes and dst not in layout.boxes:
                edge = graph.edges[members[0]]
                text = labels.edge_text(edge, graph.nodes[edge.src], graph.nodes[edge.dst])
                if text:
                    attrs[label_key] = _label([text])
            if lit:
                attrs.update(color=HIGHLIGHT, penwidth="3")
            attrs["tooltip"] = hover
            body.append(f"\t{src} -> {dst}{_attr_text(attrs)}\n")


def _node_attrs(node, output_name: str, view: str, output_id: int) -> dict:
    attrs = {"label": _label(labels.node_lines(node, output_name, view))}
    if node.kind == "const":
        attrs.update(shape="plaintext", fontsize="10", fontcolor="#555555")
    elif node.kind == "input":
        attrs.update(shape="ellipse", style="filled", fillcolor="#e8f1fb")
    else:
        attrs.update(shape="box", style="rounded,filled", fillcolor="#f4f4f4")
    if node.id == output_id:
        attrs["peripheries"] = "2"
    return attrs


class _Html(str):
    """A label already written as graphviz's HTML-like text (user text escaped inside)."""


def _torch_op_label(graph, node, output_name: str, view: str) -> "_Html":
    """A torch op: the op with the parameters it takes (`linear(fc1.weight, fc1.bias)`), its
    value or shape and gradient as usual, and torch's grad_fn as a small last line."""
    import html as _h

    lines = labels.node_lines(node, output_name, view)
    lines = [line for line in lines if line not in (node.op, labels.op_text(node.op))]
    feeding = [j for i in node.inputs  # a weight reaches linear through its transpose (TBackward0)
               for j in ((i,) if graph.nodes[i].op != "TBackward0" else graph.nodes[i].inputs)]
    params = [graph.nodes[i].name for i in feeding if graph.nodes[i].kind == "input"
              and (graph.nodes[i].attrs or {}).get("role") == "parameter"]
    op = labels.op_name(node.op)
    head = f"{op}({', '.join(params)})" if params else (op if op != node.name.split("#")[0] else "")
    rows = ([_h.escape(head)] if head else []) + [_h.escape(line) for line in lines]
    rows.append(f'<FONT POINT-SIZE="9" COLOR="#666666">{_h.escape(labels.grad_fn_of(graph, node))}</FONT>')
    return _Html("<" + "<BR/>".join(rows) + ">")


def _box_attrs(box: Box) -> dict:
    title = group_parts(box.key)[-1]
    attrs = {"label": _label(labels.box_lines(title, box.members)), "shape": "box3d",
             "style": "filled", "fillcolor": "#fdf6e3"}
    if box.output:
        attrs["peripheries"] = "2"
    return attrs


def _add_clusters(dot: graphviz.Digraph, placed: dict[tuple, list]) -> None:
    """Nest a cluster per group prefix ("layer 1" holds "layer 1/neuron 2"), innermost built first
    (graphviz copies a subgraph's body when it is attached), without recursion."""
    children: dict[tuple, list[tuple]] = {}
    order: list[tuple] = []  # every cluster path, in order of first appearance
    known = {()}
    for path in list(placed):
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix not in known:
                known.add(prefix)
                order.append(prefix)
                children.setdefault(prefix[:-1], []).append(prefix)
    names = {prefix: f"cluster_{k}" for k, prefix in enumerate(order)}
    built: dict[tuple, graphviz.Digraph] = {}
    for prefix in sorted(order, key=len, reverse=True):
        sub = graphviz.Digraph(name=names[prefix])
        sub.attr(label=_label([prefix[-1]]), style="rounded,dashed", color="#888888",
                 fontcolor="#555555", fontsize="11", labeljust="l", tooltip=_label([prefix[-1]]))
        for child in children.get(prefix, []):
            sub.subgraph(built.pop(child))
        sub.body += placed.get(prefix, [])
        built[prefix] = sub
    dot.body += placed[()]
    for child in children.get((), []):
        dot.subgraph(built.pop(child))


def _label(lines: list[str], just: str = "n") -> str:
    """DOT label text: the lines joined by dot's line breaks, user text escaped (never HTML)."""
    brk = "\\l" if just == "l" else "\\n"
    text = brk.join(line.replace("\\", "\\\\") for line in lines)
    return graphviz.nohtml(text + ("\\l" if just == "l" else ""))


# DOT ids here are n{k}/g{k} (valid bare ids); attribute lists are written the way graphviz's
# Digraph.node/.edge write them (label first, then the other keys sorted, each value quoted by
# graphviz's own rules), so the source is byte-identical at a fraction of the cost.
_DOT_ID = graphviz.quoting.ID.match
_DOT_KEYWORDS = graphviz.quoting.KEYWORDS
_escape_quotes = graphviz.quoting.ESCAPE_UNESCAPED_QUOTES
_STYLE_TEXTS: dict[tuple, str] = {}  # the few fixed attribute sets (colours, shapes), written once


def _quote(text: str) -> str:
    if _DOT_ID(text) and text.lower() not in _DOT_KEYWORDS:
        return text
    return f'"{_escape_quotes(text)}"' if '"' in text else f'"{text}"'


def _attr_text(attrs: dict) -> str:
    """' [label=... key=value ...]' as graphviz writes it for node(name, **attrs); `attrs` is
    a fresh dict made for this one line (its label is taken out)."""
    label = attrs.pop("label", None)
    own = [(k, attrs.pop(k)) for k in ("tooltip", "xlabel") if k in attrs]  # per-line text: kept out of the style cache
    key = tuple(attrs.items())
    style = _STYLE_TEXTS.get(key)
    if style is None:
        style = _STYLE_TEXTS[key] = " ".join(f"{k}={_quote(attrs[k])}" for k in sorted(attrs))
    for k, text in own:
        style = f"{style} {k}={_quote(text)}" if style else f"{k}={_quote(text)}"
    if label is None:
        return f" [{style}]" if style else ""
    text = label if isinstance(label, _Html) else _quote(label)
    return f" [label={text} {style}]" if style else f" [label={text}]"
