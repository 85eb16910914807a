"""Big graphs always get a picture: computed Σ groups for flat expressions, a level picked before dot
runs, cheap edge labels. Times are measured in bench/big_graphs.py, never asserted here."""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from explainer import trace
from explainer.expr.sizes import flat_sum
from explainer.graph import Graph
from explainer.render import dot as dot_module
from explainer.render import svg, to_dot
from explainer.render.grouping import computed_paths, group_paths, run_spans
from explainer.scalar import Scalar

from graphs import j_abc

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def flat6000():
    text, values = flat_sum(1500)
    return trace(text, values)


def test_a_1500_term_sum_parses_and_traces_into_6000_nodes(flat6000):
    graph = flat6000.graph
    assert len(graph) == 6000
    assert graph.output_node.name == "y" and graph.output_node.op == "tanh"
    w700 = graph["w700"]
    assert w700.grad == pytest.approx((1 - graph["y"].value ** 2) * graph["x700"].value, rel=1e-12)


def test_a_long_sum_becomes_one_sigma_group_with_runs_of_terms_and_a_running_sum(flat6000):
    graph = flat6000.graph
    paths = dict(zip((n.name for n in graph.nodes), group_paths(graph)))
    assert run_spans(1500) == [144, 12]
    assert paths["y"] is None  # tanh sits outside the sum
    assert paths["w700"] == "Σ of 1,500 terms / terms 577–720 / terms 697–708 / w700*x700"
    assert paths["x700"] == paths["w700*x700"] == paths["w700"]
    # the + that adds term 701 (w700*x700) in is in the running sum's run of that term
    plus = graph.nodes[graph["w700*x700"].id + 1]
    assert plus.op == "add" and paths[plus.name] == "Σ of 1,500 terms / running sum / sums 577–720 / sums 697–708"
    assert sum(1 for p in paths.values() if p and p.startswith("Σ of 1,500 terms")) == 5999


def test_short_expressions_and_networks_keep_their_groups():
    assert computed_paths(j_abc()) == [None] * 7   # J = 3(a + bc): nothing long enough to group
    from explainer.models import neuron_paths

    graph = Graph.build(neuron_paths.build())
    assert group_paths(graph) == [n.group for n in graph.nodes]
    assert "layer 1/neuron 2" in group_paths(graph)


def test_a_shared_input_sits_in_the_group_of_all_its_users_and_one_node_terms_get_no_box():
    x = Scalar(2.0, "x")
    total = None
    for i in range(10):
        w = Scalar(0.1 * i, f"w{i}")
        term = w * x
        total = term if total is None else total + term
    graph = Graph.build(total)
    paths = dict(zip((n.name for n in graph.nodes), computed_paths(graph)))
    assert paths["x"] == "Σ of 10 terms"          # used by every term: in the Σ group, in no term
    assert paths["w3"] is not None and paths["w3"] == paths[next(n.name for n in graph.nodes
                                                                 if n.inputs == (graph["w3"].id, graph["x"].id))]
    sum_of_leaves = Graph.build(sum((Scalar(float(i), f"a{i}") for i in range(1, 10)), Scalar(0.0, "a0")))
    leaf_paths = computed_paths(sum_of_leaves)
    assert leaf_paths[sum_of_leaves["a5"].id] == "Σ of 10 terms"   # a leaf term is not a box of its own


def test_grouping_is_iterative_on_a_24000_node_sum():
    text, values = flat_sum(6000)
    graph = trace(text, values).graph
    paths = group_paths(graph)
    assert len(graph) == 24000
    assert paths[graph["w5999"].id] == "Σ of 6,000 terms / terms 5185–6000 / terms 5905–6000 / terms 5989–6000 / w5999*x5999"


@needs_dot
def test_the_6000_node_expression_is_drawn_collapsed_to_its_runs(flat6000):
    picture = svg(flat6000.graph, view="both")
    assert "Σ of 1,500 terms" in picture
    titles = re.findall(r"<text[^>]*>(terms \d+–\d+)</text>", picture)
    assert titles[:1] and len(titles) == 11 and "terms 1441–1500" in titles
    assert "running sum" in picture and "1499 nodes" in picture
    assert "y = 0.552866" in picture
    assert "y = tanh(w0*x0 + w1*x1" in picture and "…" in picture  # the 18,800-character caption, shortened


@needs_dot
def test_a_10000_node_expression_and_a_10473_node_network_get_a_picture():
    text, values = flat_sum(2500)
    picture = svg(trace(text, values).graph, view="both")
    assert "Σ of 2,500 terms" in picture and "y = " in picture
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import random

        from scalar_nets import MLP
    finally:
        sys.path.pop(0)
    random.seed(0)
    graph = Graph.build(MLP(3, [56, 56, 1])([1.0, -2.0, 3.0]))
    assert len(graph) == 10473
    assert "Σ of 57 terms" in svg(graph, view="both")


def test_the_level_is_picked_before_dot_from_the_estimated_time(flat6000, monkeypatch):
    source = to_dot(flat6000.graph, view="both").source
    assert source.count("box3d") == 12          # 11 runs of terms and the running sum
    monkeypatch.setattr(dot_module, "DOT_BUDGET", 1e-9)   # nothing fits: the coarsest level
    coarse = to_dot(flat6000.graph, view="both").source
    assert coarse.count("box3d") == 1 and 'label="Σ of 1,500 terms\\n5999 nodes"' in coarse
    assert dot_module.estimate_seconds(1000, 2000, "both", labels=True) == pytest.approx(
        4 * dot_module.estimate_seconds(1000, 2000, "both"))


def test_big_pictures_label_edges_with_xlabel_small_ones_with_label():
    small = to_dot(j_abc(), view="both").source
    assert "xlabel" not in small and 'label="∂J/∂u = 3"' in small
    x = Scalar(0.5, "x")
    y = x
    for _ in range(1500):   # 3,001 nodes and edges: about 4 s of dot with label=, 1 s with xlabel=
        y = y.sin()
    big = to_dot(Graph.build(y), view="both").source
    assert big.count("xlabel=") == 1500 and '[label="∂' not in big


def test_a_60_term_sum_collapses_by_default_and_collapse_none_draws_every_node():
    text, values = flat_sum(60)
    graph = trace(text, values).graph
    default = to_dot(graph, view="both").source
    assert default.count("box3d") == 6 and 'label="terms 49–60\\n36 nodes"' in default  # 5 runs + the running sum
    every = to_dot(graph, view="both", collapse="none").source
    assert every.count("box3d") == 0 and every.count(" -> ") == 2 * len(graph.edges)


@needs_dot
def test_the_torch_view_of_a_10305_node_network_gets_a_picture():
    import random

    import torch

    from explainer.torchbridge import from_torch

    random.seed(0)
    x = [torch.tensor(v, dtype=torch.float64) for v in (1.0, -2.0, 3.0)]
    for layer, size in enumerate((56, 56, 1)):   # the scalar MLP of bench/torch_twins.py
        x = [sum((torch.tensor(random.uniform(-1, 1), dtype=torch.float64, requires_grad=True) * xi for xi in x),
                 torch.tensor(0.0, dtype=torch.float64, requires_grad=True)) for _ in range(size)]
        x = [v.relu() for v in x] if layer < 2 else x
    graph = from_torch(x[0], gradients=False)
    assert len(graph) > 10000
    assert "Σ of 57 terms" in svg(graph, view="both")   # AddBackward0 chains group like + chains
