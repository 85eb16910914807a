"""Rendering: the three views, highlights, tensors, clusters and collapsing, big graphs, goldens.

Goldens live in tests/golden/; regenerate them with EXPLAINER_REGEN_GOLDEN=1 after a deliberate
change to the pictures (and look at the diff).
"""
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from explainer.errors import ExplainerError
from explainer.graph import Edge, Graph, Node
from explainer.render import render, require_dot, svg, to_dot
from explainer.scalar import Scalar
from graphs import j_abc

GOLDEN = Path(__file__).parent / "golden"
SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")



def small_network():
    """A 2-2-1 network of scalars grouped by layer and neuron (nested clusters)."""
    x = [Scalar(1.0, "x1", group="inputs"), Scalar(-2.0, "x2", group="inputs")]
    weights = [[0.5, -1.0], [0.25, 2.0]]
    hidden = []
    for j in range(2):
        group = f"layer 1/neuron {j + 1}"
        w = [Scalar(weights[i][j], f"w{i + 1}{j + 1}", group=group) for i in range(2)]
        total = x[0] * w[0] + x[1] * w[1]
        h = total.tanh()
        total.name, total.group, h.name, h.group = f"a{j + 1}", group, f"h{j + 1}", group
        total.inputs[0].group = total.inputs[1].group = group
        hidden.append(h)
    out = hidden[0] + hidden[1]
    out.name, out.group = "out", "layer 2/neuron 1"
    return Graph.build(out)


def svg_groups(text: str, kind: str) -> list[list[str]]:
    """The text lines in each <g class=kind> of a graphviz SVG."""
    root = ET.fromstring(text)
    return [[t.text or "" for t in g.iter(f"{SVG}text")]
            for g in root.iter(f"{SVG}g") if g.get("class") == kind]


def last_number(text: str) -> float:
    return float(re.findall(r"-?\d+(?:\.\d+)?", text)[-1])


def dot_edges(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if "->" in line]


def dot_boxes(source: str) -> list[str]:
    """The statements of collapsed groups (DOT ids g0, g1, …)."""
    return [line.strip() for line in source.splitlines()
            if re.match(r"\s*g\d+ \[", line)]


def dot_node(source: str, dot_id: str) -> str:
    return next(line.strip() for line in source.splitlines() if line.strip().startswith(f"{dot_id} ["))


# -- the must-show picture ---------------------------------------------------------------------


@needs_dot
def test_j_abc_both_view_shows_values_gradients_and_local_gradients():
    picture = svg(j_abc(), view="both")
    nodes = svg_groups(picture, "node")
    assert any(lines[0] == "J = 33" for lines in nodes)
    grads = {lines[0].split(" = ")[0]: lines[-1] for lines in nodes if lines and lines[-1].startswith("∂J/∂")}
    assert grads["a"] == "∂J/∂a = 3" and grads["b"] == "∂J/∂b = 6" and grads["c"] == "∂J/∂c = 9"
    labelled = [lines for lines in svg_groups(picture, "edge") if lines]
    assert len(labelled) == 5  # the five gradient edges; the constant 3 → J edge has none
    assert sorted(last_number(lines[0]) for lines in labelled) == [1, 1, 2, 3, 3]
    texts = sorted(lines[0] for lines in labelled)
    assert texts == ["∂J/∂u = 3", "∂u/∂a = 1", "∂u/∂v = 1", "∂v/∂b = c = 2", "∂v/∂c = b = 3"]


def test_forward_view_has_values_ops_and_no_gradients():
    source = to_dot(j_abc(), view="forward").source
    assert "rankdir=LR" in source
    assert 'label="J = 33\\n×"' in dot_node(source, "n6")
    assert 'label="a = 5\\ninput"' in dot_node(source, "n1")
    assert "label=3 " in dot_node(source, "n0") and "shape=plaintext" in dot_node(source, "n0")
    assert "∂" not in source and "dir=back" not in source
    assert len(dot_edges(source)) == 6  # every edge once, input → output


def test_backward_view_points_right_to_left_with_local_gradients():
    source = to_dot(j_abc(), view="backward").source
    edges = dot_edges(source)
    gradient_edges = [e for e in edges if "dir=back" in e]
    assert len(gradient_edges) == 5 and len(edges) == 6
    assert any(e.startswith("n2 -> n4") and 'label="∂v/∂b = c = 2"' in e for e in gradient_edges)
    assert any(e.startswith("n1 -> n5") and 'label="∂u/∂a = 1"' in e for e in gradient_edges)
    constant = next(e for e in edges if e.startswith("n0 -> n6"))
    assert "label" not in constant and "dir=none" in constant
    assert 'label="∂J/∂a = 3"' in dot_node(source, "n1")
    assert 'label="∂J/∂J = 1\\n×"' in dot_node(source, "n6")


def test_both_view_draws_backward_edges_in_another_colour_without_moving_nodes():
    source = to_dot(j_abc(), view="both").source
    edges = dot_edges(source)
    forward = [e for e in edges if "dir=back" not in e]
    backward = [e for e in edges if "dir=back" in e]
    assert len(forward) == 6 and len(backward) == 5
    assert all('color="#d62728"' in e and "constraint=false" in e for e in backward)
    assert not any('color="#d62728"' in e for e in forward)


def test_explain_highlights_exactly_the_path_and_writes_the_chain_rule():
    source = to_dot(j_abc(), view="both", explain="b").source
    assert 'label="∂J/∂b = 3·1·c = 3·1·2 = 6\\l"' in source
    lit_nodes = {line.split()[0] for line in source.splitlines()
                 if "penwidth=3" in line and "->" not in line}
    assert lit_nodes == {"n2", "n4", "n5", "n6"}  # b, v, u, J
    lit_edges = {e.split(" [")[0] for e in dot_edges(source) if "penwidth=3" in e}
    assert lit_edges == {"n2 -> n4", "n4 -> n5", "n5 -> n6"}


def test_the_graphs_title_heads_the_caption():
    a, b = Scalar(2, "a"), Scalar(3, "b")
    graph = Graph.build(a * b, title="f = ab")
    assert 'label="f = ab\\l"' in to_dot(graph, view="forward").source
    assert 'label="f = ab\\l∂(a·b)/∂a = b = 3\\l"' in to_dot(graph, explain="a").source


def test_explain_of_a_fan_out_lists_both_paths_in_the_caption():
    x = Scalar(3, "x")
    y = x * x
    y.name = "y"
    source = to_dot(Graph.build(y), view="backward", explain="x").source
    assert "∂y/∂x sums 2 paths:\\lpath 1 (y ← x): x = 3\\lpath 2 (y ← x): x = 3\\l∂y/∂x = 3 + 3 = 6\\l" in source


def test_unknown_view_and_unknown_explain_node_are_one_sentence_errors():
    with pytest.raises(ExplainerError, match="unknown view 'sideways'; choose one of: forward, backward, both"):
        to_dot(j_abc(), view="sideways")
    with pytest.raises(ExplainerError, match="no node named 'q'; the graph has: a, b, c, v, u, J"):
        to_dot(j_abc(), explain="q")


# -- files, formats, the dot binary ------------------------------------------------------------


@needs_dot
def test_render_picks_the_format_from_the_suffix(tmp_path):
    graph = j_abc()
    assert render(graph, tmp_path / "j.png").read_bytes().startswith(b"\x89PNG")
    assert render(graph, tmp_path / "j.pdf").read_bytes().startswith(b"%PDF")
    written = render(graph, tmp_path / "sub" / "j.svg", view="forward")
    assert written == tmp_path / "sub" / "j.svg"
    assert "J = 33" in written.read_text(encoding="utf-8")
    dot_file = render(graph, tmp_path / "j.dot", view="backward")
    assert dot_file.read_text(encoding="utf-8") == to_dot(graph, view="backward").source


def test_unknown_suffix_is_refused(tmp_path):
    with pytest.raises(ExplainerError, match=r"cannot write 'j.gif': the file name must end in one of .svg, .png, .pdf, .dot, .html"):
        render(j_abc(), tmp_path / "j.gif")
    assert not (tmp_path / "j.gif").exists()


def test_missing_dot_binary_is_one_sentence_and_dot_source_still_works(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    message = ("graphviz's `dot` program is not installed: install it with `apt-get install graphviz` "
               "(or `brew install graphviz`) and run again")
    with pytest.raises(ExplainerError) as err:
        require_dot()
    assert str(err.value) == message
    with pytest.raises(ExplainerError, match="not installed"):
        svg(j_abc())
    with pytest.raises(ExplainerError, match="not installed"):
        render(j_abc(), tmp_path / "j.svg")
    assert "J = 33" in render(j_abc(), tmp_path / "j.dot").read_text(encoding="utf-8")


@needs_dot
def test_same_graph_gives_byte_identical_dot_and_svg():
    first, second = j_abc(), j_abc()
    assert to_dot(first, explain="c").source == to_dot(second, explain="c").source
    assert svg(first, view="both", explain="a") == svg(second, view="both", explain="a")


def test_user_text_cannot_break_out_of_labels():
    x = Scalar(2, 'x"] evil [label="')
    y = x.exp()
    y.name = "<b>bold</b>"
    source = to_dot(Graph.build(y), view="forward").source
    assert 'label="x\\"] evil [label=\\" = 2\\ninput"' in source
    assert 'label="<b>bold</b> = 7.38906\\nexp"' in source  # quoted text, never an HTML label


# -- tensors and ops read from torch -----------------------------------------------------------


def tensor_graph():
    """L = sum(x @ W): a small x (numbers shown) and a big W (shape only), edges with VJP rules."""
    x = np.array([[1.0, 2.0, 3.0]])
    w = np.arange(3 * 784, dtype=float).reshape(3, 784) / 1000
    y = x @ w
    nodes = [
        Node(0, "x", "input", None, (), x, np.ones_like(x)),
        Node(1, "W", "input", None, (), w, np.ones_like(w)),
        Node(2, "y", "op", "MmBackward0", (0, 1), y, np.ones_like(y)),
        Node(3, "L", "op", "SumBackward0", (2,), np.array(float(y.sum())), np.array(1.0)),
    ]
    edges = [Edge(0, 2, 0, None, "grad · Wᵀ", True), Edge(1, 2, 1, None, "xᵀ · grad", True),
             Edge(2, 3, 0, None, "grad · 1ᵀ", True)]
    return Graph(nodes, edges, 3, [])


def test_tensor_nodes_show_shapes_numbers_only_when_small_and_vjp_edges():
    source = to_dot(tensor_graph(), view="both").source
    assert 'label="x [1, 3] = [[1, 2, 3]]\\ninput\\n∂L/∂x = [[1, 1, 1]]"' in dot_node(source, "n0")
    assert 'label="W [3, 784]\\ninput\\n∂L/∂W: [3, 784]"' in dot_node(source, "n1")
    # a torch op reads as its op, with torch's grad_fn as a small last line
    assert ('label=<matmul<BR/>y [1, 784]<BR/>∂L/∂y: [1, 784]<BR/><FONT POINT-SIZE="9" COLOR="#666666">'
            'MmBackward0</FONT>>') in dot_node(source, "n2")
    assert 'label="VJP: grad · Wᵀ"' in source and 'label="VJP: xᵀ · grad"' in source
    backward = to_dot(tensor_graph(), view="backward").source
    assert 'label="∂L/∂x = [[1, 1, 1]]\\n[1, 3]"' in dot_node(backward, "n0")


# -- clusters, collapsing, big graphs ----------------------------------------------------------


def test_groups_are_nested_clusters():
    source = to_dot(small_network(), view="forward").source
    layer1 = source.index("label=\"layer 1\"")
    neuron1 = source.index("label=\"neuron 1\"")
    assert source.count("subgraph cluster_") == 6  # inputs, layer 1 (2 neurons), layer 2 (1 neuron)
    # the neuron clusters are written inside the layer cluster that holds them
    assert source.rindex("subgraph cluster_", 0, neuron1) > source.rindex("subgraph cluster_", 0, layer1)


@needs_dot
def test_collapse_by_neuron_draws_one_box_per_neuron_and_deduplicates_edges():
    graph = small_network()
    source = to_dot(graph, view="forward", collapse="neuron").source
    boxes = dot_boxes(source)
    assert [b.split(" [")[0] for b in boxes] == ["g0", "g1", "g2"]
    assert 'label="neuron 1\\n6 nodes"' in boxes[0] and 'label="neuron 2\\n6 nodes"' in boxes[1]
    assert 'label="neuron 1\\n1 node"' in boxes[2] and "peripheries=2" in boxes[2]  # the output
    edges = [e.split(" [")[0] for e in dot_edges(source)]
    assert sorted(edges) == sorted(["n0 -> g0", "n3 -> g0", "n0 -> g1", "n3 -> g1", "g0 -> g2", "g1 -> g2"])
    texts = [" ".join(lines) for lines in svg_groups(svg(graph, collapse="neuron"), "node")]
    assert sorted(t for t in texts if "node" in t) == ["neuron 1 1 node", "neuron 1 6 nodes", "neuron 2 6 nodes"]


def test_collapse_by_layer_and_explain_highlights_the_boxes_on_the_path():
    source = to_dot(small_network(), view="both", collapse="layer", explain="w12").source
    assert 'g0 [label="layer 1\\n12 nodes"' in source and 'g1 [label="layer 2\\n1 node"' in source
    lit = {line.split()[0] for line in source.splitlines() if "penwidth=3" in line and "->" not in line}
    assert lit == {"g0", "g1"}
    assert {e.split(" [")[0] for e in dot_edges(source)} == {"n0 -> g0", "n3 -> g0", "g0 -> g1"}


def test_collapse_needs_groups_and_a_known_level():
    with pytest.raises(ExplainerError, match="cannot collapse by 'neuron': the graph has no groups"):
        to_dot(j_abc(), collapse="neuron")
    with pytest.raises(ExplainerError, match="cannot collapse by 'block': the graph's groups are made of inputs, layer, neuron"):
        to_dot(small_network(), collapse="block")


def chain(length: int, group_size: int | None = None):
    x = Scalar(0.5, "x")
    y = x
    for i in range(length):
        y = y.sin()
        if group_size:
            y.group = f"layer {i // group_size + 1}/neuron 1"
    return Graph.build(y)


def test_graphs_over_the_limit_without_groups_are_refused_in_one_sentence():
    graph = chain(2000)  # 2,001 nodes
    with pytest.raises(ExplainerError) as err:
        to_dot(graph)
    assert str(err.value) == ("the graph is too big for dot: 2,001 nodes, over the limit of 2,000; "
                              "pass max_nodes= (or --max-nodes) to raise it")
    source = to_dot(graph, view="forward", max_nodes=2001).source
    assert len(dot_edges(source)) == 2000
    assert "nslimit=0.2" in source  # big pictures cap dot's placement passes
    assert "nslimit" not in to_dot(j_abc()).source


def test_graphs_over_the_limit_with_groups_collapse_to_their_coarsest_groups():
    graph = chain(2100, group_size=700)
    source = to_dot(graph, view="backward").source
    assert [b.split(" [")[0] for b in dot_boxes(source)] == ["g0", "g1", "g2"]
    assert 'label="layer 1\\n700 nodes"' in source
    assert sorted(e.split(" [")[0] for e in dot_edges(source)) == ["g0 -> g1", "g1 -> g2", "n0 -> g0"]
    with pytest.raises(ExplainerError, match="2 nodes even with its groups collapsed, over the limit of 1"):
        to_dot(chain(10, group_size=10), max_nodes=1)


# -- goldens -----------------------------------------------------------------------------------


DOT_CASES = {
    "j_abc_forward": lambda: to_dot(j_abc(), view="forward"),
    "j_abc_backward": lambda: to_dot(j_abc(), view="backward"),
    "j_abc_both": lambda: to_dot(j_abc(), view="both"),
    "j_abc_explain_b": lambda: to_dot(j_abc(), view="both", explain="b"),
    "network_neurons": lambda: to_dot(small_network(), view="both", collapse="neuron", explain="w21"),
    "network_clusters": lambda: to_dot(small_network(), view="backward", explain="x2"),
}
SVG_CASES = {
    "j_abc_both": lambda: svg(j_abc(), view="both"),
    "j_abc_explain_b": lambda: svg(j_abc(), view="backward", explain="b"),
}


def golden(name: str, produced: str) -> str:
    path = GOLDEN / name
    if os.environ.get("EXPLAINER_REGEN_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(produced, encoding="utf-8")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(DOT_CASES))
def test_dot_source_matches_golden(name):
    produced = DOT_CASES[name]().source
    assert produced == golden(f"{name}.dot", produced)


def dot_version() -> str:
    out = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr
    return re.search(r"version (\S+)", out).group(1)


@needs_dot
@pytest.mark.parametrize("name", sorted(SVG_CASES))
def test_svg_matches_golden(name):
    if os.environ.get("EXPLAINER_REGEN_GOLDEN") != "1":
        drawn_by = re.search(r"Generated by graphviz version (\S+)",
                             (GOLDEN / f"{name}.svg").read_text(encoding="utf-8")).group(1)
        if dot_version() != drawn_by:  # another graphviz lays out differently: not our bug
            pytest.skip(f"the golden SVGs were drawn by graphviz {drawn_by}, this is {dot_version()}")
    produced = SVG_CASES[name]()
    assert produced == golden(f"{name}.svg", produced)


# -- hover text ----------------------------------------------------------------------------------

XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


def hover_texts(svg_text: str) -> dict[str, list[str]]:
    """The tooltip of every node, edge and frame a browser shows on hover, by its kind."""
    root = ET.fromstring(svg_text)
    found: dict[str, list[str]] = {}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        kind = g.get("class")
        if kind in ("node", "edge", "cluster"):
            links = [a.get(XLINK_TITLE) for a in g.iter("{http://www.w3.org/2000/svg}a")]
            found.setdefault(kind, []).append(links[0] if links else None)
    return found


@needs_dot
@pytest.mark.parametrize("make", ["expression", "network", "module view"])
def test_hovering_shows_names_never_the_internal_ids(make):
    """graphviz titles every node with its DOT id (n0, m3, cluster_2): a tooltip gives the name."""
    from explainer import trace
    from explainer.models import get_model

    if make == "expression":
        graph = j_abc()
        text, expected = svg(graph, view="both"), {"a", "b", "c", "J", "u", "v"}
    elif make == "network":   # its own names include g1, g2 (the output layer's sums)
        graph = trace(get_model("neuron-paths").build()).graph
        text, expected = svg(graph, view="both"), {"x1", "W1[1,1]", "g1", "out", "layer 1", "neuron 2"}
    else:
        graph = trace(get_model("mnist-mlp").build()).graph
        text, expected = svg(graph, view="both", depth=1), {"fc1", "loss", "x → fc1"}
    hovers = hover_texts(text)
    shown = [t for kind in hovers.values() for t in kind]
    assert None not in shown                                         # every node, edge and frame has one
    names = {n.name for n in graph.nodes}
    assert not [t for t in shown if re.fullmatch(r"(n|m|g|cluster_)\d+", t) and t not in names]
    assert expected <= set(shown)
    assert any(" → " in t for t in hovers["edge"])                      # an edge says what it joins
