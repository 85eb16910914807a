"""The step-through page: the forward pass node by node, then the backward walk step by step.

One self-contained HTML file (inline CSS, script and the graphviz SVG of the forward view; nothing
fetched from a network), made to be projected: large type, high contrast, light and dark themes.
Python decides every frame — what is highlighted and what is written — from the `Graph` records;
the page's script only moves between frames. The backward frames are `graph.steps`, the steps the
one backward walk (`graph.backpropagate`) took, in the order it took them.

    from explainer.render.animate import write_page
    write_page(trace("J = 3(a + bc)", a=5, b=3, c=2).graph, "j.html", quiz=True)
"""
from __future__ import annotations
from explainer.i18n import N_, gettext, language

import html
import json
from pathlib import Path

from ..errors import ExplainerError
from ..expr.printer import to_text
from ..expr.tree import Binary, Number
from ..format import fmt
from ..formulas import definition, numeric_definition
from .labels import edge_text, is_tensor, op_text, partial, value_text

THEMES = ("light", "dark")
MAX_NODES = 400  # one node at a time stops teaching long before graphviz stops drawing
# inches between nodes of a rank and between ranks: room for the gradient badge under each node
BADGE_NODESEP, BADGE_RANKSEP = "0.55", "1.1"
MIN_TEXT_PX = 12  # no label on the page is drawn smaller; a bigger graph scrolls instead


# ---------------------------------------------------------------------------------------------
# The frames: plain dicts, ready for JSON


def frames(graph) -> list[dict]:
    """Every frame of the page, in order: one per node going forward (topological order), the
    seed at the output, one per backward step (the walk's order), and a last frame with the leaves'
    gradients.

    A frame: `phase` ("forward", "backward", "done"), `node` (the current node's id or None),
    `target` (the node receiving a gradient), `edges` ([src, dst] pairs to highlight), `title`,
    `lines` ([text, quiz text or None] pairs; the quiz text hides what the student should work
    out), `computed` (a node whose value is now known) and `grads` ([node id, text, quiz text]
    triples: the gradient written under a node from this frame on).
    """
    out = graph.output_node
    result = [_intro_frame(graph)] + [_forward_frame(graph, node) for node in graph.nodes]
    result.append(_seed_frame(out))
    edges = {(e.src, e.dst, e.index): e for e in graph.edges}
    running: dict[int, object] = {}  # node id -> the gradient summed so far
    total = len(graph.steps)
    for k, step in enumerate(graph.steps, 1):
        edge = edges[(step.input, step.node, step.index)]
        previous = running.get(step.input)
        running[step.input] = step.contribution if previous is None else previous + step.contribution
        result.append(_backward_frame(graph, step, edge, previous, running[step.input], k, total))
    result.append(_done_frame(graph))
    return result


def _intro_frame(graph) -> dict:
    """The first frame says what the page will show, before any node lights up."""
    out = graph.output_node
    computed = sum(1 for n in graph.nodes if n.kind == "op")
    return {"phase": "intro", "node": None, "target": None, "computed": None, "grads": [], "edges": [],
            "title": gettext("How {name} = {value} is computed, then differentiated").format(
                name=out.name, value=value_text(out.value)),
            "lines": [[gettext("Forward pass: {steps} steps, one per node — each of the {computed} operations "
                               "computed from its inputs.").format(steps=len(graph.nodes), computed=computed), None],
                      [gettext("Backward pass: {steps} steps from {name} back to the inputs — each multiplies a "
                               "local derivative by the gradient arriving (the chain rule).").format(
                                   steps=len(graph.steps), name=out.name),
                       None],
                      [gettext("At the end every input shows its gradient {partial}.").format(
                          partial=partial(out.name, '…')), None],
                      [gettext("Keys: → or space next, ← back, Home/End, Q quiz, R reveal, T theme."), None]]}


def _forward_frame(graph, node) -> dict:
    frame = {"phase": "forward", "node": node.id, "target": None, "computed": node.id, "grads": [],
             "edges": [[i, node.id] for i in dict.fromkeys(node.inputs)]}
    if node.kind == "const":
        frame["title"] = gettext("Forward: the constant {value}").format(value=value_text(node.value))
        frame["lines"] = [[gettext("{value} is a constant: no gradient flows into it").format(
            value=value_text(node.value)), None]]
    elif node.kind == "input":
        frame["title"] = gettext("Forward: the input {name}").format(name=node.name)
        frame["lines"] = [[f"{node.name} = {value_text(node.value)}", None]]
    else:
        inputs = [graph.nodes[i] for i in node.inputs]
        tree, numbers = definition(graph, node), numeric_definition(graph, node)
        # one printer for every formula: 3·(a + bc), never 3 × a + bc
        symbolic = to_text(tree) if tree is not None else formula(node.op, [x.name for x in inputs])
        numeric = to_text(numbers, fmt) if numbers is not None else \
            formula(node.op, [_operand(x) for x in inputs])
        frame["title"] = gettext("Forward: compute {name}").format(name=node.name)
        frame["lines"] = [[f"{node.name} = {symbolic}", None],
                          [f"{node.name} = {numeric} = {value_text(node.value)}", None]]
    return frame


def _seed_frame(out) -> dict:
    text = f"{partial(out.name, out.name)} = {value_text(out.grad)}"
    return {"phase": "backward", "node": out.id, "target": out.id, "computed": None, "edges": [],
            "title": gettext("Backward: start at the output {name}").format(name=out.name),
            "lines": [[gettext("{text}: how {name} changes with itself").format(text=text, name=out.name), None],
                      [gettext("Now walk the graph in reverse topological order."), None]],
            "grads": [[out.id, text, text]]}


def _backward_frame(graph, step, edge, previous, running, k: int, total: int) -> dict:
    out = graph.output_node.name
    node, receiver = graph.nodes[step.node], graph.nodes[step.input]
    upstream, local = partial(out, node.name), partial(node.name, receiver.name)
    grad_name = partial(out, receiver.name)
    lines = []
    if step.local is None or is_tensor(step.local):  # a tensor op: a vector-Jacobian product
        rule = edge_text(edge, receiver, node) or gettext("VJP of {op}").format(op=op_text(node.op))
        lines.append([gettext("local rule  {rule}").format(rule=rule), gettext("local rule  {rule}").format(rule="?")])
        head = f"{grad_name} {'=' if previous is None else '+='} VJP({upstream})"
        lines.append([gettext("chain rule  {formula}").format(formula=f"{head} = {value_text(step.contribution)}"),
                      gettext("chain rule  {formula}").format(formula=f"{head} = ?")])
    else:
        lines.append([gettext("local gradient  {formula}").format(formula=edge_text(edge, receiver, node)),
                      gettext("local gradient  {formula}").format(formula=f"{local} = ?")])
        product = to_text(Binary(0, 0, 0, 0, "*", Number(0, 0, 0, 0, float(step.upstream)),
                                 Number(0, 0, 0, 0, float(step.local))), fmt)
        chain = f"{upstream} · {local} = {product}"
        head = "" if previous is not None else f"{grad_name} = "
        lines.append([gettext("chain rule  {formula}").format(formula=f"{head}{chain} = {value_text(step.contribution)}"),
                      gettext("chain rule  {formula}").format(
                          formula=f"{head}{upstream} · {local} = {value_text(step.upstream)}·? = ?")])
    if previous is not None:
        total = value_text(running)
        if not is_tensor(running):
            total = to_text(Binary(0, 0, 0, 0, "+", Number(0, 0, 0, 0, float(previous)),
                                   Number(0, 0, 0, 0, float(step.contribution))), fmt) + " = " + total
        else:
            total = f"{value_text(previous)} + {value_text(step.contribution)} = {total}"
        lines.append([gettext("sum over paths  {formula}").format(formula=f"{grad_name} = {total}"),
                      gettext("sum over paths  {formula}").format(formula=f"{grad_name} = {value_text(previous)} + ? = ?")])
    return {"phase": "backward", "node": node.id, "target": receiver.id, "computed": None,
            "edges": [[receiver.id, node.id]],
            "title": gettext("Backward {k}/{total}: from {node} into {receiver}").format(
                k=k, total=total, node=node.name, receiver=receiver.name),
            "lines": lines,
            "grads": [[receiver.id, f"{grad_name} = {value_text(running)}", f"{grad_name} = ?"]]}


def _done_frame(graph) -> dict:
    out = graph.output_node.name
    leaves = [n for n in graph.nodes if n.kind == "input" and n.grad is not None]
    texts = [[n.id, f"{partial(out, n.name)} = {value_text(n.grad)}"] for n in leaves]
    # the end reveals everything, quiz or not: every gradient under its node, shown in both slots
    every = [[n.id, f"{partial(out, n.name)} = {value_text(n.grad)}"] for n in graph.nodes
             if n.grad is not None and n.kind != "const"]
    return {"phase": "done", "node": None, "target": None, "computed": None, "edges": [],
            "leaves": [n.id for n in leaves],
            "title": gettext("Done: every input's gradient"),
            "lines": [[text, None] for _, text in texts]
            + [[gettext("each is a sum over paths of products of local gradients"), None]],
            "grads": [[i, text, text] for i, text in every]}


def formula(op: str | None, operands: list[str]) -> str:
    """`b × c`, `exp(c)`, `−x`, `|x|`: how an op applied to its operands is written."""
    symbol = op_text(op)
    if len(operands) == 2 and len(symbol) <= 2:
        return f"{operands[0]} {symbol} {operands[1]}"
    if len(operands) == 1 and symbol == "−":
        return f"−{operands[0]}"
    if len(operands) == 1 and symbol == "|·|":
        return f"|{operands[0]}|"
    return f"{symbol}({', '.join(operands)})"


def _operand(node) -> str:
    text = value_text(node.value)
    return f"({text})" if text.startswith("-") else text


# ---------------------------------------------------------------------------------------------
# The page


def page(graph, quiz: bool = False, theme: str = "light", title: str | None = None,
         max_nodes: int = MAX_NODES) -> str:
    """The whole self-contained HTML page for `graph` (one string)."""
    if theme not in THEMES:
        raise ExplainerError(gettext("unknown theme {theme!r}; choose one of: {THEMES}").format(theme=theme, THEMES=', '.join(THEMES)))
    if len(graph.nodes) > max_nodes:
        raise ExplainerError(gettext("the graph has {graph_nodes} nodes, too many to step through one at a time (the limit is {max_nodes}); draw it with `explainer render` instead").format(graph_nodes=len(graph.nodes), max_nodes=max_nodes))
    picture = _picture(graph)
    title = title or graph.title or f"{graph.output_node.name} = {value_text(graph.output_node.value)}"
    data = {"quiz": bool(quiz), "output": graph.output_node.name, "min_text_px": MIN_TEXT_PX,
            "nodes": [{"id": n.id, "name": n.name} for n in graph.nodes],
            "frames": frames(graph), "words": _words()}
    return _TEMPLATE.format(
        title=html.escape(title), theme=theme, css=_CSS, js=_JS, svg=picture, lang=language(),
        **{key: html.escape(gettext(text)) for key, text in _CONTROLS.items()},
        data=_script_json(data), quiz_checked=" checked" if quiz else "",
    )


# the page's controls (the template's placeholders), in the language in force
_CONTROLS = {"step_through": N_("step through"), "first": N_("First"), "first_title": N_("first frame (Home)"),
             "prev": N_("Back"), "prev_title": N_("previous frame (←)"), "next": N_("Next"),
             "next_title": N_("next frame (→ or space)"), "last": N_("Last"), "last_title": N_("last frame (End)"),
             "reveal": N_("Reveal"), "reveal_title": N_("show the hidden gradient (R)"), "quiz": N_("Quiz (Q)"),
             "theme_button": N_("Theme"), "theme_title": N_("light or dark (T)")}


def _words() -> dict:
    """The words the page's script writes: the phase of a frame and `Step k of n`."""
    return {"forward": gettext("forward pass"), "backward": gettext("backward pass"),
            "intro": gettext("what this page shows"), "done": gettext("done"),
            "step": gettext("Step {k} of {n}")}


def _picture(graph) -> str:
    """The forward view, every op drawn (a network's modules as clusters), spaced so that the
    gradient written under each node (and wider than it) clears its neighbours."""
    from .dot import _pipe, to_dot

    dot = to_dot(graph, view="forward", depth="ops")
    # the badge sits under its node: room below it within a rank (LR) or between ranks (TB), and
    # room beside it for a badge wider than its node
    beside, below = (("1.1", "0.8") if "rankdir=TB" in dot.body[0] else (BADGE_NODESEP, BADGE_RANKSEP))
    dot.body[0] = dot.body[0].replace("nodesep=0.3", f"nodesep={beside}").replace(
        "ranksep=0.5", f"ranksep={below}")
    picture = _pipe(dot, "svg").decode("utf-8")
    return picture[picture.index("<svg"):]


def write_page(graph, path: str | Path, **options) -> Path:
    """Write `page(graph, **options)` to `path` (UTF-8) and return the path."""
    path = Path(path)
    text = page(graph, **options)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _script_json(data) -> str:
    """JSON safe inside <script>: no `<`, `>` or `&` can close the element or start a comment."""
    text = json.dumps(data, ensure_ascii=False, default=_number)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _number(x):
    return x.tolist() if hasattr(x, "tolist") else float(x)


_TEMPLATE = """<!doctype html>
<html lang="{lang}" data-theme="{theme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — {step_through}</title>
<style>{css}</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <div id="progress-text" aria-live="polite"></div>
  <div id="progress" role="progressbar" aria-valuemin="0"><div id="progress-bar"></div></div>
</header>
<main>
  <div id="graph">{svg}</div>
  <section id="panel" aria-live="polite">
    <h2 id="frame-title"></h2>
    <ul id="frame-lines"></ul>
  </section>
</main>
<nav>
  <button id="first" title="{first_title}">&#x00AB; {first}</button>
  <button id="prev" title="{prev_title}">&#x25C0; {prev}</button>
  <button id="next" title="{next_title}">{next} &#x25B6;</button>
  <button id="last" title="{last_title}">{last} &#x00BB;</button>
  <button id="reveal" title="{reveal_title}">{reveal}</button>
  <label><input type="checkbox" id="quiz"{quiz_checked}> {quiz}</label>
  <button id="theme" title="{theme_title}">{theme_button}</button>
</nav>
<script type="application/json" id="explainer-data">{data}</script>
<script>{js}</script>
</body>
</html>
"""

_CSS = """
:root { --bg:#ffffff; --fg:#000000; --muted:#444444; --node:#ffffff; --hl:#c00000;
  --hl-bg:#ffe7a3; --grad:#0033a0; --done:#006400; --pending:0.18; --edge:#222222; }
[data-theme="dark"] { --bg:#000000; --fg:#ffffff; --muted:#cccccc; --node:#111111; --hl:#ffd400;
  --hl-bg:#4a3b00; --grad:#6fd3ff; --done:#7CFC00; --edge:#dddddd; }
html, body { background:var(--bg); color:var(--fg); margin:0; }
/* one screen, no scrolling: header, then the graph beside the explanation, then the buttons; the
   explanation can never sit under the button bar (a 4:3 projector at 1024×768 included) */
body { font-family: system-ui, "DejaVu Sans", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
  "PingFang SC", sans-serif; font-size:clamp(15px, min(2.1vw, 2.8vh), 30px);
  line-height:1.35; height:100vh; display:flex; flex-direction:column; overflow:hidden; }
header { padding:.4em 1em 0; }
h1 { font-size:1.5em; margin:.2em 0; }
h2 { font-size:1.15em; margin:.2em 0 .4em; }
#progress-text { font-size:.9em; color:var(--muted); }
#progress { height:.45em; background:var(--muted); border-radius:.2em; margin:.3em 0 .5em; }
#progress-bar { height:100%; width:0; background:var(--hl); border-radius:.2em; }
header { flex:none; }
main { flex:1 1 auto; min-height:0; padding:0 1em; display:grid;
  grid-template-columns:minmax(0, 3fr) minmax(0, 2fr); grid-template-rows:minmax(0, 1fr); gap:1em; }
@media (max-aspect-ratio: 1/1) { main { grid-template-columns:minmax(0, 1fr);
  grid-template-rows:minmax(0, 1fr) auto; } }
/* the picture is sized by the script: it fits the pane unless its labels would drop under
   MIN_TEXT_PX, and then the pane scrolls to the current node instead */
#graph { text-align:center; min-height:0; overflow:auto; }
#graph svg { display:inline-block; }
#graph svg .graph > polygon { fill:transparent; stroke:none; }
#graph svg text { fill:var(--fg); }
#graph svg .node path, #graph svg .node ellipse, #graph svg .node polygon {
  fill:var(--node); stroke:var(--fg); stroke-width:1.5; }
#graph svg .edge path { stroke:var(--edge); stroke-width:1.5; }
#graph svg .edge polygon { fill:var(--edge); stroke:var(--edge); }
#graph svg .node.pending, #graph svg .edge.pending { opacity:var(--pending); }
#graph svg .node.current path, #graph svg .node.current ellipse, #graph svg .node.current polygon {
  stroke:var(--hl); stroke-width:5; fill:var(--hl-bg); }
#graph svg .node.current text { font-weight:bold; }
#graph svg .node.target path, #graph svg .node.target ellipse, #graph svg .node.target polygon {
  stroke:var(--grad); stroke-width:5; }
#graph svg .node.leaf-done path, #graph svg .node.leaf-done ellipse {
  stroke:var(--done); stroke-width:5; }
#graph svg .edge.current path { stroke:var(--hl); stroke-width:5; }
#graph svg .edge.current polygon { fill:var(--hl); stroke:var(--hl); }
#graph svg text.grad-badge { fill:var(--grad); font-weight:bold; font-size:12px;
  paint-order:stroke; stroke:var(--bg); stroke-width:4px; }
#panel { border-left:3px solid var(--fg); padding:0 0 0 .6em; min-height:0; overflow-y:auto; }
@media (max-aspect-ratio: 1/1) { #panel { border-left:0; border-top:3px solid var(--fg); padding:.2em 0;
  max-height:40vh; } }
#frame-lines { list-style:none; padding:0; margin:0; font-family:"DejaVu Sans Mono", monospace;
  font-size:.85em; overflow-wrap:anywhere; }
#frame-lines li { margin:.15em 0; }
#frame-lines li.hidden { color:var(--hl); }
nav { flex:none; background:var(--bg); padding:.4em 1em; border-top:1px solid var(--muted);
  display:flex; flex-wrap:wrap; gap:.4em; align-items:center; }
button, label { font-size:.8em; font-family:inherit; }  /* the page's fonts, CJK ones included */
button { background:var(--bg); color:var(--fg); border:2px solid var(--fg); border-radius:.3em;
  padding:.2em .6em; cursor:pointer; }
button:focus-visible, input:focus-visible { outline:4px solid var(--hl); }
button:disabled { opacity:.35; cursor:default; }
input[type=checkbox] { width:1em; height:1em; }
"""

# The script only moves between the frames Python wrote. Going forward applies a frame's changes
# (a node computed, a gradient written) and keeps what it replaced, going back restores it: each
# move costs the size of one frame, never a replay from the start.
_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("explainer-data").textContent), MIN_TEXT_PX = data.min_text_px;
  var frames = data.frames, svg = document.querySelector("#graph svg");
  var nodeEls = {}, edgeEls = {}, badges = {};
  svg.querySelectorAll("g.node").forEach(function (g) {
    var t = g.querySelector("title"); if (t) nodeEls[t.textContent.trim()] = g;
  });
  svg.querySelectorAll("g.edge").forEach(function (g) {
    var t = g.querySelector("title"); if (t) edgeEls[t.textContent.trim()] = g;
  });
  var NS = "http://www.w3.org/2000/svg", extra = 0;
  data.nodes.forEach(function (n) {
    var g = nodeEls["n" + n.id]; if (!g) return;
    g.setAttribute("data-name", n.name);
    var box = g.getBBox(), text = document.createElementNS(NS, "text");
    text.setAttribute("class", "grad-badge");
    text.setAttribute("text-anchor", "middle");
    text.setAttribute("x", box.x + box.width / 2);
    text.setAttribute("y", box.y + box.height + 14);
    g.appendChild(text); badges[n.id] = text;
    extra = Math.max(extra, box.y + box.height + 20);
  });
  // room under the lowest node for its badge (graphviz's y axis points up: the graph ends at 0)
  var vb = svg.viewBox.baseVal;
  if (vb && extra > 0) { svg.setAttribute("viewBox", [vb.x, vb.y, vb.width, vb.height + extra].join(" ")); }
  svg.removeAttribute("width"); svg.removeAttribute("height");
  // Fit the pane, but never draw a label under MIN_TEXT_PX: a bigger graph scrolls instead
  var pane = document.getElementById("graph"), smallest = 12;
  svg.querySelectorAll("text").forEach(function (t) {
    var size = parseFloat(t.getAttribute("font-size") || getComputedStyle(t).fontSize);
    if (size > 0) smallest = Math.min(smallest, size);
  });
  function fit() {
    var box = svg.viewBox.baseVal, w = pane.clientWidth - 4, h = pane.clientHeight - 4;
    var scale = Math.max(Math.min(w / box.width, h / box.height, 2), 1.002 * MIN_TEXT_PX / smallest);
    svg.style.width = (box.width * scale) + "px"; svg.style.height = (box.height * scale) + "px";
  }
  fit(); window.addEventListener("resize", fit);
  function follow(f) {  // keep the current node (and the one it feeds) in view
    var el = nodeEls["n" + (f.target !== null ? f.target : f.node)] || nodeEls["n" + f.node];
    if (el && el.scrollIntoView) el.scrollIntoView({block: "nearest", inline: "nearest"});
  }

  function edgeEl(pair) { return edgeEls["n" + pair[0] + "->n" + pair[1]]; }
  Object.keys(nodeEls).forEach(function (k) { nodeEls[k].classList.add("pending"); });
  Object.keys(edgeEls).forEach(function (k) { edgeEls[k].classList.add("pending"); });

  var at = -1, quiz = data.quiz, revealed = {}, undo = [], marked = [];

  function badgeText(id) { var b = badges[id]; return b ? b.textContent : ""; }
  function setBadge(id, text) { var b = badges[id]; if (b) b.textContent = text; }
  function gradText(f, k, g) { return quiz && !revealed[k] ? g[2] : g[1]; }

  function apply(k) {
    var f = frames[k], saved = {computed: null, grads: []};
    if (f.computed !== null && nodeEls["n" + f.computed]) {
      nodeEls["n" + f.computed].classList.remove("pending");
      f.edges.forEach(function (p) { var e = edgeEl(p); if (e) e.classList.remove("pending"); });
      saved.computed = f.computed;
    }
    f.grads.forEach(function (g) { saved.grads.push([g[0], badgeText(g[0])]); setBadge(g[0], gradText(f, k, g)); });
    undo[k] = saved;
  }
  function unapply(k) {
    var f = frames[k], saved = undo[k];
    if (saved.computed !== null) {
      nodeEls["n" + saved.computed].classList.add("pending");
      f.edges.forEach(function (p) { var e = edgeEl(p); if (e) e.classList.add("pending"); });
    }
    for (var i = saved.grads.length - 1; i >= 0; i--) setBadge(saved.grads[i][0], saved.grads[i][1]);
  }
  function mark(el, cls) { if (el) { el.classList.add(cls); marked.push([el, cls]); } }
  function highlight(f) {
    marked.forEach(function (m) { m[0].classList.remove(m[1]); }); marked = [];
    if (f.node !== null) mark(nodeEls["n" + f.node], "current");
    if (f.target !== null && f.target !== f.node) mark(nodeEls["n" + f.target], "target");
    f.edges.forEach(function (p) { mark(edgeEl(p), "current"); });
    (f.leaves || []).forEach(function (id) { mark(nodeEls["n" + id], "leaf-done"); });
  }
  function hiding(k) { return quiz && !revealed[k] && frames[k].lines.some(function (l) { return l[1] !== null; }); }
  function describe(k) {
    var f = frames[k], list = document.getElementById("frame-lines");
    document.getElementById("frame-title").textContent = f.title;
    list.textContent = "";
    f.lines.forEach(function (l) {
      var li = document.createElement("li"), hide = quiz && !revealed[k] && l[1] !== null;
      li.textContent = hide ? l[1] : l[0]; if (hide) li.className = "hidden"; list.appendChild(li);
    });
    var phase = data.words[f.phase];
    document.getElementById("progress-text").textContent =
      data.words.step.replace("{k}", k + 1).replace("{n}", frames.length) + " \u00b7 " + phase;
    document.getElementById("progress-bar").style.width = (100 * (k + 1) / frames.length) + "%";
    var bar = document.getElementById("progress");
    bar.setAttribute("aria-valuemax", frames.length); bar.setAttribute("aria-valuenow", k + 1);
    document.getElementById("reveal").disabled = !hiding(k);
    document.getElementById("first").disabled = document.getElementById("prev").disabled = k === 0;
    document.getElementById("last").disabled = document.getElementById("next").disabled = k === frames.length - 1;
    document.body.setAttribute("data-frame", k);
    document.body.setAttribute("data-phase", f.phase);
    document.body.setAttribute("data-current", f.node === null ? "" : f.node);
  }
  function go(k) {
    k = Math.max(0, Math.min(frames.length - 1, k));
    while (at < k) { at += 1; apply(at); }
    while (at > k) { unapply(at); at -= 1; }
    highlight(frames[at]); describe(at); follow(frames[at]);
  }
  function replay() {  // the quiz switched on or off: write every badge again (linear, and rare)
    var end = at;
    while (at >= 0) { unapply(at); at -= 1; }
    go(end);
  }
  function reveal() {  // only the current frame's badges can still be hidden
    if (!hiding(at)) return;
    revealed[at] = true;
    frames[at].grads.forEach(function (g) { setBadge(g[0], g[1]); });
    describe(at);
  }
  function next() { if (hiding(at)) reveal(); else go(at + 1); }

  document.getElementById("first").onclick = function () { go(0); };
  document.getElementById("prev").onclick = function () { go(at - 1); };
  document.getElementById("next").onclick = next;
  document.getElementById("last").onclick = function () { go(frames.length - 1); };
  document.getElementById("reveal").onclick = reveal;
  var quizBox = document.getElementById("quiz");
  quizBox.onchange = function () { quiz = quizBox.checked; replay(); };
  function toggleTheme() {
    var root = document.documentElement;
    root.setAttribute("data-theme", root.getAttribute("data-theme") === "dark" ? "light" : "dark");
  }
  document.getElementById("theme").onclick = toggleTheme;
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var key = e.key;
    if (key === "ArrowRight" || key === "PageDown" || (key === " " && e.target.tagName !== "BUTTON")) next();
    else if (key === "ArrowLeft" || key === "PageUp") go(at - 1);
    else if (key === "Home") go(0);
    else if (key === "End") go(frames.length - 1);
    else if (key === "r" || key === "R") reveal();
    else if (key === "q" || key === "Q") { quizBox.checked = !quizBox.checked; quizBox.onchange(); }
    else if (key === "t" || key === "T") toggleTheme();
    else return;
    e.preventDefault();
  });
  go(0);
})();
"""
