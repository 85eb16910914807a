"""A network drawn as its modules: one box per module call, opened level by level.

Each box says which call it is (`fc1`, `conv.0`), its type, the shapes in and out, its
parameters and, going backward, the gradients' shapes and the rule it applies. `depth` opens
nested modules: 1 draws the model's children as boxes, 2 their children, and so on; ops made
directly by an opened module, or outside every module, are drawn as themselves. Repeated calls of
one module (an RNN cell at every time step) are one box. A long chain is folded into side-by-side
columns so the picture keeps a shape a slide or a page can hold (within 3:1).

Nothing here computes: shapes and gradients come from the `Graph` nodes and the `scopes.Call`
records the engines left in each node's group.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

import graphviz
import numpy as np

from ..i18n import _, gettext, language, ngettext
from ..scopes import calls_of
from . import labels
from .dot import CJK_FONT, FONT, _label, _quote

FORWARD, BACKWARD, CONSTANT = "#333333", "#d62728", "#999999"
RANKDIRS = ("TB", "LR")
MAX_ASPECT = 3.0
MAX_COLUMNS = 6
WRAP = 48   # characters in a box's row before it wraps


def has_modules(graph) -> bool:
    return any(calls_of(n) for n in graph.nodes)


@dataclass
class Unit:
    """One drawn thing: a module box, an op, or a leaf."""

    dot_id: str
    call: object = None                 # the scopes.Call of a box
    nodes: list = field(default_factory=list)
    clusters: tuple = ()                # the opened calls around it, outermost first
    repeats: int = 1
    inner: dict = field(default_factory=dict)  # parameters of the sub-modules folded into a box


def fitted(graph, view: str = "both", depth: int = 1, rankdir: str | None = None) -> graphviz.Digraph:
    """The module picture in the shape that fits a slide: top to bottom (unless `rankdir` says
    otherwise), a long chain folded into as many columns as keep it within MAX_ASPECT; where
    top to bottom cannot fit, left to right is tried. dot lays each candidate out (a few small
    graphs), and the first that fits is kept, else the squarest."""
    from .dot import _pipe

    best = None
    for direction in ([rankdir] if rankdir else ["TB", "LR"]):
        for columns in range(1, MAX_COLUMNS + 1):
            dot = to_dot(graph, view, depth, direction, columns)
            width, height = _size(_pipe(dot, "plain"))
            ratio = max(width, height) / max(min(width, height), 1e-9)
            if best is None or ratio < best[0]:
                best = (ratio, dot)
            if ratio <= MAX_ASPECT:
                return dot
            if width > height:   # more columns only make it wider
                break
    return best[1]


def _size(plain: bytes) -> tuple[float, float]:
    """Width and height in inches from dot's `plain` output ("graph scale width height")."""
    first = plain.split(b"\n", 1)[0].split()
    return float(first[2]), float(first[3])


def to_dot(graph, view: str = "both", depth: int = 1, rankdir: str = "TB",
           columns: int = 1) -> graphviz.Digraph:
    units, unit_of = _units(graph, depth)
    edges = _edges(graph, unit_of)
    dot = graphviz.Digraph(name="explainer")
    font = FONT if language() == "en" else CJK_FONT   # Chinese labels: a CJK font after Helvetica
    dot.body.append(f'\tgraph [fontname="{font}" nodesep="0.3" rankdir={rankdir} ranksep="0.35"]\n')
    dot.body.append(f'\tnode [fontname="{font}" fontsize="12" margin="0.12,0.06"]\n')
    dot.body.append(f'\tedge [fontname="{font}" fontsize="11"]\n')
    if graph.title:
        dot.body.append(f'\tlabel={_html_label(f"<B>{_e(graph.title)}</B>")} labelloc=t fontsize="14"\n')
    output_unit = unit_of[graph.output]
    folds = _folds(units, edges, columns)
    lines: dict[tuple, list[str]] = {}
    for unit in units.values():
        attrs = _unit_attrs(graph, unit, view, unit.dot_id == output_unit)
        key = ((folds.get(unit.dot_id, 0),) if folds else ()) + unit.clusters
        lines.setdefault(key, []).append(f"\t{unit.dot_id} {attrs}\n")
    _write_clusters(dot, lines, bool(folds))
    for (src, dst), members in edges.items():
        crossing = folds and folds.get(src, 0) != folds.get(dst, 0)
        hover = _tooltip(f"{_unit_name(units[src])} → {_unit_name(units[dst])}")
        _write_edge(dot, graph, src, dst, members, view, crossing, hover)
    return dot


# ---------------------------------------------------------------------------------------------
# Which unit each node is drawn in


def _units(graph, depth: int):
    boxed_params: set[str] = set()
    units: dict[str, Unit] = {}
    by_call: dict[tuple, str] = {}
    unit_of: list = [None] * len(graph.nodes)
    for n in graph.nodes:
        calls = calls_of(n)
        if not calls or not n.inputs:
            continue
        if len(calls) == 1 and calls[0].children == 0:
            box, opened = calls[0], ()
        elif len(calls) > depth:
            box, opened = calls[depth], calls[:depth]
        else:
            box, opened = None, calls
        if box is None:
            unit = units[f"n{n.id}"] = Unit(f"n{n.id}", nodes=[n], clusters=_keys(opened))
        else:
            # repeated calls of one module inside the same opened calls are one box
            key = (_keys(opened), box.path or box.kind)
            dot_id = by_call.get(key)
            if dot_id is None:
                dot_id = by_call[key] = f"m{len(by_call)}"
                units[dot_id] = Unit(dot_id, call=box, clusters=_keys(opened))
                boxed_params.update(key if key is not None else name for name, _, key in box.params)
            unit = units[dot_id]
            if box is not unit.call and box.index > unit.call.index:
                unit.repeats = max(unit.repeats, box.index - unit.call.index + 1)
            unit.nodes.append(n)
            for inner in calls[calls.index(box) + 1:]:   # a closed container holds its layers' weights
                for name, shape, key in inner.params:
                    unit.inner.setdefault(key if key is not None else name, (name, shape, key))
                    boxed_params.add(key if key is not None else name)
        unit_of[n.id] = unit.dot_id
    consumers: dict[int, set] = {}
    for e in graph.edges:
        consumers.setdefault(e.src, set()).add(unit_of[e.dst])
    for n in graph.nodes:
        if unit_of[n.id] is not None:
            continue
        if n.inputs:                      # an op outside every module
            units[f"n{n.id}"] = Unit(f"n{n.id}", nodes=[n])
            unit_of[n.id] = f"n{n.id}"
            continue
        used_by = consumers.get(n.id, set())
        if (n.attrs or {}).get("param", n.name) in boxed_params:
            continue                      # listed in its module's box
        if n.kind == "const" and getattr(n.value, "ndim", 0) == 0 and all(u and u.startswith("m") for u in used_by):
            continue                      # a number inside a module's formula
        if n.kind == "const" and _UNNAMED_INPUT.fullmatch(n.name):
            # slices of the batch a forward makes (x[t] at every time step): one node per user
            key = ("inputs",) + tuple(sorted(u for u in used_by if u))
            first = by_call.get(key)
            if first is not None:
                units[first].repeats += 1
                unit_of[n.id] = first
                continue
            by_call[key] = f"n{n.id}"
        units[f"n{n.id}"] = Unit(f"n{n.id}", nodes=[n])
        unit_of[n.id] = f"n{n.id}"
    return units, unit_of


_UNNAMED_INPUT = re.compile(r"input(#\d+)?")   # graph.py's name for a tensor a forward made


def _keys(calls) -> tuple:
    return tuple((c.label, id(c)) for c in calls)


def _edges(graph, unit_of) -> dict:
    edges: dict[tuple, list] = {}
    for e in graph.edges:
        src, dst = unit_of[e.src], unit_of[e.dst]
        if src is None or dst is None or src == dst:
            continue
        edges.setdefault((src, dst), []).append(e)
    return edges


# ---------------------------------------------------------------------------------------------
# Folding a long chain into columns


def _folds(units: dict, edges: dict, columns: int) -> dict:
    """unit -> column when the chain is folded into `columns` side by side; {} for one.
    Layers are longest paths from the inputs; a leaf sits just above its first user."""
    if columns == 1:
        return {}
    preds: dict[str, list] = {u: [] for u in units}
    users: dict[str, list] = {}
    for src, dst in edges:
        preds[dst].append(src)
        users.setdefault(src, []).append(dst)
    order = _topological(units, preds)
    layer: dict[str, int] = {}
    for u in order:
        ps = [layer[p] for p in preds[u] if preds[p]]
        layer[u] = 1 + max(ps) if ps else (0 if not preds[u] else 1)
    for u in order:
        if not preds[u] and users.get(u):
            layer[u] = max(0, min(layer[d] for d in users[u]) - 1)
    ranks = max(layer.values(), default=0) + 1
    rows = -(-ranks // columns)
    return {u: layer.get(u, 0) // rows for u in units}


def _topological(units: dict, preds: dict) -> list:
    indegree = {u: len(set(p)) for u, p in preds.items()}
    users: dict[str, set] = {}
    for u, ps in preds.items():
        for p in set(ps):
            users.setdefault(p, set()).add(u)
    ready = [u for u in units if indegree[u] == 0]
    order = []
    while ready:
        u = ready.pop(0)
        order.append(u)
        for v in sorted(users.get(u, ()), key=list(units).index):
            indegree[v] -= 1
            if indegree[v] == 0:
                ready.append(v)
    return order


def _write_clusters(dot, lines: dict, folded: bool) -> None:
    """Nest the opened calls as clusters (and, when folded, each column as an invisible one)."""
    tree: dict = {}
    for key in lines:
        node = tree
        for part in key:
            node = node.setdefault(part, {})
    counter = [0]

    def build(parent: graphviz.Digraph, prefix: tuple, children: dict):
        for part, grand in children.items():
            path = prefix + (part,)
            counter[0] += 1
            sub = graphviz.Digraph(name=f"cluster_{counter[0]}")
            if folded and len(path) == 1:
                sub.attr(style="invis", label="", tooltip=" ")
            else:
                sub.attr(label=html.escape(part[0]), style="rounded,dashed", color="#888888",
                         fontcolor="#555555", fontsize="12", labeljust="l", tooltip=part[0])
            build(sub, path, grand)
            sub.body += lines.get(path, [])
            parent.subgraph(sub)

    dot.body += lines.get((), [])
    build(dot, (), tree)


# ---------------------------------------------------------------------------------------------
# Labels


def _e(text) -> str:
    return html.escape(str(text), quote=False)


def _html_label(inner: str) -> str:
    return f"<{inner}>"


def _small(text: str) -> str:
    return f'<FONT POINT-SIZE="10" COLOR="#555555">{_e(text)}</FONT>'


def _shape(shape) -> str:
    return labels.shape_text(shape) if shape is not None and len(shape) else gettext("scalar")


def _unit_attrs(graph, unit: Unit, view: str, is_output: bool) -> str:
    if unit.call is not None:
        label, style = _box_label(graph, unit, view), 'shape=box style="rounded,filled" fillcolor="#fdf6e3"'
    else:
        node = unit.nodes[0]
        label = _node_label(graph, node, view, unit.repeats)
        if node.kind == "op":
            style = 'shape=box style="rounded,filled" fillcolor="#f4f4f4"'
        elif node.kind == "input":
            style = 'shape=ellipse style=filled fillcolor="#e8f1fb"'
        else:
            style = 'shape=ellipse style=filled fillcolor="#ffffff" color="#999999"'
    periphery = " peripheries=2" if is_output else ""
    return f"[label={_html_label(label)} {style}{periphery} tooltip={_tooltip(_unit_name(unit))}]"


def _unit_name(unit: Unit) -> str:
    """What a person calls the unit: the module's path (or type), else the node's name."""
    return (unit.call.path or unit.call.kind) if unit.call is not None else unit.nodes[0].name


def _tooltip(text: str) -> str:
    """Hover text for graphviz (which would otherwise show its own id, m0 or n12), quoted as the
    ops view quotes its own."""
    return _quote(_label([text]))


def _box_label(graph, unit: Unit, view: str) -> str:
    call = unit.call
    title = f"<B>{_e(call.path or call.kind)}</B>"
    if call.path:
        title += f" {_small(call.kind)}"
    if unit.repeats > 1:
        calls = ngettext("× {repeats} call", "× {repeats} calls", unit.repeats).format(repeats=unit.repeats)
        title += f" {_small(calls)}"
    rows = [title]
    if call.in_shapes or call.out_shapes:
        ins = ", ".join(_shape(s) for s in call.in_shapes) or "—"
        outs = ", ".join(_shape(s) for s in call.out_shapes) or "—"
        rows.append(_e(f"{ins} → {outs}"))
    if call.params:
        rows += [_e(row) for row in _wrap([f"{_short(name, call.path)} {_shape(s)}" for name, s, _ in call.params])]
    if unit.inner:
        count = sum(int(np.prod(shape)) for _, shape, _ in unit.inner.values())
        rows.append(_e(ngettext("{tensors} parameter tensor inside, {count} numbers",
                                "{tensors} parameter tensors inside, {count} numbers",
                                len(unit.inner)).format(tensors=len(unit.inner), count=f"{count:,}")))
    if view != "forward":
        rows += [f'<FONT COLOR="{BACKWARD}">{_e(row)}</FONT>' for row in _wrap(_param_grads(graph, call))]
        if unit.inner:
            rows.append(f'<FONT COLOR="{BACKWARD}">{_e(_inner_grads(graph, unit))}</FONT>')
        rows += [f'<FONT COLOR="{BACKWARD}" POINT-SIZE="11">{_e(row)}</FONT>'
                 for row in _wrap(_rule(graph, unit), sep="; ")]
    return "<BR/>".join(rows)


def _wrap(parts: list[str], sep: str = " · ", width: int = WRAP) -> list[str]:
    """Parts joined into rows of at most `width` characters (a part longer than that alone),
    so that a box grows down, not sideways."""
    rows: list[str] = []
    for part in parts:
        if rows and _width(rows[-1]) + len(sep) + _width(part) <= width:
            rows[-1] += sep + part
        else:
            rows.append(part)
    return rows


def _width(text: str) -> int:
    """Columns a row takes: a Chinese character is as wide as two Latin letters."""
    return len(text) + sum(1 for c in text if unicodedata.east_asian_width(c) in "WF")


def _short(name: str, path: str) -> str:
    return name[len(path) + 1:] if path and name.startswith(path + ".") else name


def _param_grads(graph, call) -> list[str]:
    out = graph.output_node.name
    index = _leaves_by_key(graph)
    found = []
    for name, _, key in call.params:
        node = index.get(key if key is not None else name)
        if node is None:
            continue
        if node.grad is not None:
            found.append(f"∂{out}/∂{_short(name, call.path)} {_shape(getattr(node.grad, 'shape', ()))}")
    return found


def _inner_grads(graph, unit) -> str:
    """The folded parameters' gradients in one line: how many arrived and their largest entry."""
    index = _leaves_by_key(graph)
    grads = [index[key].grad for key in unit.inner if key in index and index[key].grad is not None]
    largest = max((float(np.max(np.abs(g))) for g in grads), default=0.0)
    return _("∂{out}/∂ its {count} parameters: largest |entry| {largest}").format(
        out=graph.output_node.name, count=len(grads), largest=f"{largest:.3g}")


_LEAF_INDEX: dict = {}   # id(graph) -> (graph, {param key or name: leaf}), the last graph drawn


def _leaves_by_key(graph) -> dict:
    """Leaves by their parameter mark (our engine) or name (torch's), built once per graph."""
    cached = _LEAF_INDEX.get(id(graph))
    if cached is None or cached[0] is not graph:
        index = {(n.attrs or {}).get("param", n.name): n for n in graph.nodes if not n.inputs}
        _LEAF_INDEX.clear()
        cached = _LEAF_INDEX[id(graph)] = (graph, index)
    return cached[1]


def _rule(graph, unit: Unit) -> list[str]:
    """The vector-Jacobian rule the box applies: its op's rule per input where it holds one op
    of ours, the grad_fn torch runs, else the ops it chains, in order."""
    ops = [n for n in unit.nodes if n.kind == "op"]
    if len(ops) == 1:
        op = ops[0]
        names = [graph.nodes[i].name for i in op.inputs]
        edges = [e for e in graph.edges_into(op.id) if e.grad and e.text]
        if edges and all(e.text != op.op for e in edges):
            grad_fn = labels.grad_fn_of(graph, op)
            return ([_vjp_line(_short(names[e.index], unit.call.path), e.text) for e in edges]
                    + ([_torch_runs(grad_fn)] if grad_fn else []))
    torch_rule = _torch_rule(unit, ops)
    if torch_rule:
        return torch_rule
    runs = list(dict.fromkeys(f for f in (labels.grad_fn_of(graph, n) for n in ops) if f))
    if runs:   # torch's graph rebuilt in our ops: the rules are on the edges; say what torch runs
        return [_torch_runs(", ".join(runs[:4]) + (", …" if len(runs) > 4 else ""))]
    seen = list(dict.fromkeys(labels.op_name(n.op) for n in ops))
    if len(seen) > 5:
        seen = seen[:5] + ["…"]
    return [ngettext("VJP through {count} op: {ops}", "VJP through {count} ops: {ops}", len(ops)).format(
        count=len(ops), ops=", ".join(seen))]


def _vjp_line(name: str, rule: str) -> str:
    """`VJP ∂/∂weight = gradᵀ · x`: the rule for one input of a box, in the language in force."""
    return gettext("VJP ∂/∂{name} = {rule}").format(name=name, rule=rule)


def _torch_runs(grad_fns: str) -> str:
    return gettext("torch runs {grad_fns}").format(grad_fns=grad_fns)


_PLUMBING = {"TBackward0", "ViewBackward0", "UnsafeViewBackward0", "TransposeBackward0", "ReshapeAliasBackward0"}


def _torch_rule(unit: Unit, ops: list) -> list[str]:
    """A torch box whose one real grad_fn is an op of our registry gets that op's rule, written
    with the module's names (x, weight, bias), and the grad_fn it runs."""
    from ..ops import OPS

    fns = [n.op for n in ops if n.op not in OPS]
    main = [f for f in dict.fromkeys(fns) if f not in _PLUMBING]
    if not fns or len(main) != 1:
        return []
    entry = next((op for op in OPS.values() if op.grad_fn == main[0]), None)
    lines = []
    if entry is not None:
        names = ["x"] + [_short(name, unit.call.path) for name, _, _ in unit.call.params]
        shown = entry.rules()   # the rules in the language in force
        arity = len(shown) if entry.arity != -1 else 1
        for index in range(min(arity, len(names))):
            try:
                text = shown[index].format(*names, out="y")
            except (IndexError, KeyError):
                continue
            if entry.elementwise:
                text = {"1": "grad", "-1": "−grad"}.get(text, f"grad · {text}")
            lines.append(_vjp_line(names[index], text))
    return lines + [_torch_runs(", ".join(dict.fromkeys(fns)))]


def _node_label(graph, node, view: str, repeats: int = 1) -> str:
    """An op or leaf drawn as itself: its name, its op and shape, its gradient going backward;
    a torch op shows its grad_fn as a small second line."""
    op = labels.op_name(node.op) if node.kind == "op" else None
    title = f"<B>{_e(node.name)}</B>"
    if op and op != node.name:
        title += f" {_e(op)}"
    rows = [title]
    if repeats > 1:
        rows[0] = f"<B>{_e(node.name.split('#')[0])}</B> {_small(f'× {repeats}')}"
    value_line = _shape(node.shape) if node.shape is not None else None
    if value_line is not None and node.value is not None:
        small = node.shape == () or (labels.is_tensor(node.value) and node.value.size <= labels.SMALL)
        if small and repeats == 1:
            value_line = f"{value_line} = {labels.value_text(node.value)}" if node.shape else labels.value_text(node.value)
        rows.append(_e(value_line))
    params = [graph.nodes[i].name for i in node.inputs
              if graph.nodes[i].kind == "input" and (graph.nodes[i].attrs or {}).get("role") == "parameter"]
    if params:
        rows.append(_e(", ".join(params)))
    if view != "forward" and node.grad is not None:
        rows.append(f'<FONT COLOR="{BACKWARD}">{_e(labels.grad_line(node, graph.output_node.name))}</FONT>')
    grad_fn = labels.grad_fn_of(graph, node) if node.kind == "op" else None
    if grad_fn:
        rows.append(_small(grad_fn))
    return "<BR/>".join(rows)


def _write_edge(dot, graph, src: str, dst: str, members: list, view: str, crossing: bool, hover: str) -> None:
    flows = any(e.grad for e in members)
    first = graph.nodes[members[0].src]
    shape = _shape(first.shape) if first.shape is not None else ""
    extra = (' constraint=false' if crossing else '') + f" tooltip={hover}"
    if view in ("forward", "both") or not flows:
        color = FORWARD if flows else CONSTANT
        label = f' label="{shape}"' if view == "forward" and shape else ""
        dot.body.append(f'\t{src} -> {dst} [color="{color}"{label}{extra}]\n')
    if view in ("backward", "both") and flows:
        grad = getattr(first.grad, "shape", None)
        text = gettext("gradient {shape}").format(shape=_shape(grad)) if first.grad is not None else ""
        constraint = (" constraint=false" if view == "both" or crossing else "") + f" tooltip={hover}"
        label = f' label="{text}"' if text else ""
        dot.body.append(f'\t{src} -> {dst} [color="{BACKWARD}" fontcolor="{BACKWARD}" dir=back{label}{constraint}]\n')
