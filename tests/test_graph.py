"""The graph model: topological order, the one backward walk, its steps, the snapshot."""
import networkx as nx
import pytest

from explainer.errors import ExplainerError
from explainer.graph import Graph, backpropagate, topological_order
from explainer.scalar import Scalar
from graphs import j_abc_output as j_abc



def test_topological_order_puts_inputs_first():
    J = j_abc()
    order = topological_order(J)
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for inp in node.inputs:
            assert position[id(inp)] < position[id(node)]
    assert order[-1] is J and len(order) == 7


def test_backward_steps_follow_reverse_topological_order():
    graph = Graph.build(j_abc())
    # J → 3·u reaches u; u reaches a and v; v reaches b and c. The constant 3 gets no step.
    taken = [(graph.nodes[s.node].name, graph.nodes[s.input].name, s.local, s.contribution)
             for s in graph.steps]
    assert taken == [("J", "u", 3.0, 3.0), ("u", "a", 1.0, 3.0), ("u", "v", 1.0, 3.0),
                     ("v", "b", 2.0, 6.0), ("v", "c", 3.0, 9.0)]


def test_snapshot_holds_values_grads_and_local_gradients():
    graph = Graph.build(j_abc())
    assert {n.name: (n.value, n.grad) for n in graph.nodes if n.kind != "const"} == {
        "a": (5, 3), "b": (3, 6), "c": (2, 9), "v": (6, 3), "u": (11, 3), "J": (33, 1)}
    locals_ = {(graph.nodes[e.src].name, graph.nodes[e.dst].name): (e.local, e.text) for e in graph.edges}
    assert locals_[("b", "v")] == (2.0, "c")
    assert locals_[("c", "v")] == (3.0, "b")
    assert locals_[("u", "J")] == (3.0, "3")
    assert locals_[("3", "J")] == (None, "u")  # no gradient flows into a constant


def test_node_ids_are_topological_positions_and_names_deterministic():
    first, second = Graph.build(j_abc()), Graph.build(j_abc())
    assert [(n.id, n.name) for n in first.nodes] == [(n.id, n.name) for n in second.nodes]
    assert [n.id for n in first.nodes] == list(range(len(first)))


def test_unnamed_intermediates_are_named_by_their_formula_and_clashes_are_kept_apart():
    x = Scalar(2, "x")
    y = (x * x) * (x * x)
    graph = Graph.build(y)
    names = [n.name for n in graph.nodes]
    assert names == ["x", "x·x", "x·x", "x·x·(x·x)"]   # never t1, t2: names a reader can type
    assert graph["t3"] is graph.output_node               # the made-up names still find their node
    twice = Graph.build(Scalar(2, "x") + Scalar(3, "x"))
    assert [n.name for n in twice.nodes][:2] == ["x", "x#2"]


def test_fan_out_accumulates_over_both_uses():
    x = Scalar(3, "x")
    y = x * x + x  # dy/dx = 2x + 1 = 7
    y.backward()
    assert x.grad == 7.0
    graph = Graph.build(y)
    assert graph["x"].grad == 7.0


def test_to_networkx_carries_the_attributes():
    g = Graph.build(j_abc()).to_networkx()
    assert isinstance(g, nx.DiGraph)
    names = nx.get_node_attributes(g, "name")
    b = next(k for k, v in names.items() if v == "b")
    v = next(k for k, v in names.items() if v == "v")
    assert g.nodes[b]["grad"] == 6.0 and g.edges[b, v]["local"] == 2.0 and g.edges[b, v]["text"] == "c"
    assert nx.is_directed_acyclic_graph(g)


def test_unknown_node_name_lists_the_known_ones():
    graph = Graph.build(j_abc())
    with pytest.raises(ExplainerError, match="no node named 'z'; the graph has: a, b, c, v, u, J"):
        graph["z"]


def test_backpropagate_walks_a_100000_deep_chain_without_recursion():
    x = Scalar(0.5, "x")
    y = x
    for _ in range(100_000):
        y = y * 1.0
    walk = backpropagate(y, 1.0)
    assert len(walk.order) == 200_001  # x, the constants and the products
    assert walk.grads[id(x)] == 1.0


def test_summary_is_the_json_shape():
    summary = Graph.build(j_abc()).summary()
    assert summary["output"] == "J"
    assert summary["nodes"]["J"] == {"value": 33.0, "grad": 1.0}
    assert summary["nodes"]["a"] == {"value": 5.0, "grad": 3.0}
    assert "3" not in summary["nodes"]
