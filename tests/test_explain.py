"""The chain rule written out: paths, their products, their sum, and graphs with too many paths."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.errors import ExplainerError
from explainer.explain import explain
from explainer.graph import Edge, Graph, Node
from explainer.scalar import Scalar
from graphs import j_abc



def named(node, name):
    node.name = name
    return node


def test_one_path_is_the_product_of_its_local_gradients():
    graph = j_abc()
    e = explain(graph, "b")
    assert e.text() == "∂J/∂b = 3·1·c = 3·1·2 = 6"
    (path,) = e.paths
    assert [(graph.nodes[x.dst].name, graph.nodes[x.src].name) for x in path.edges] == [("J", "u"), ("u", "v"), ("v", "b")]
    assert (path.symbolic, path.numeric, path.value) == ("3·1·c", "3·1·2", 6.0)
    assert path.names == ("J", "u", "v", "b")
    assert e.total == graph["b"].grad == 6.0 and e.count == 1


@pytest.mark.parametrize("wrt, text", [
    ("a", "∂J/∂a = 3·1 = 3"),
    ("c", "∂J/∂c = 3·1·b = 3·1·3 = 9"),
    ("u", "∂J/∂u = 3"),
    ("v", "∂J/∂v = 3·1 = 3"),
    ("J", "∂J/∂J = 1"),
])
def test_every_node_of_j_abc(wrt, text):
    e = explain(j_abc(), wrt)
    assert e.text() == text
    assert e.lines() == [text]


def test_fan_out_sums_two_paths():
    x = Scalar(3, "x")
    graph = Graph.build(named(x * x, "y"))
    e = explain(graph, "x")
    assert e.count == 2 and [p.value for p in e.paths] == [3.0, 3.0]
    assert e.text() == "∂y/∂x = x + x = 3 + 3 = 6"
    assert e.total == graph["x"].grad == 6.0
    assert e.lines() == ["∂y/∂x sums 2 paths:", "path 1 (y ← x): x = 3", "path 2 (y ← x): x = 3",
                         "∂y/∂x = 3 + 3 = 6"]


def test_fan_out_through_longer_paths_puts_each_product_in_parentheses():
    x = Scalar(2, "x")
    s = named(x.sin(), "s")
    q = named(x * 4, "q")
    graph = Graph.build(named(s + q, "f"))
    e = explain(graph, "x")
    cos2 = math.cos(2)
    assert [p.value for p in e.paths] == [pytest.approx(cos2), 4.0]
    assert e.text() == f"∂f/∂x = 1·cos(x) + 1·4 = 1·({cos2:.6g}) + 1·4 = {cos2 + 4:.6g}"
    assert sum(p.value for p in e.paths) == pytest.approx(graph["x"].grad, rel=1e-12)


def test_sigmoid_chain_is_the_product_of_four_local_derivatives():
    x = Scalar(0, "x")
    c = named(-x, "c")
    b = named(c.exp(), "b")
    a = named(1 + b, "a")
    f = named(a ** -1, "f")
    graph = Graph.build(f)
    (path,) = explain(graph, "x").paths
    assert [e.local for e in path.edges] == [-0.25, 1.0, 1.0, -1.0]
    assert path.value == 0.25 == graph["x"].grad
    fx = graph["f"].value
    assert path.value == fx * (1 - fx)
    assert explain(graph, "x").text() == \
        "∂f/∂x = (-a^(-2))·1·exp(c)·(-1) = (-0.25)·1·1·(-1) = 0.25"


def test_neuron_paths_two_paths_match_the_tutorials_formula():
    from explainer.models.neuron_paths import build

    graph = Graph.build(build())
    e = explain(graph, "W1[1,2]")
    assert e.count == 2
    assert [p.names[1] for p in e.paths] == ["g1·W3[1,1]", "g2·W3[2,1]"]

    def fprime(name):  # σ'(z) = σ(z)(1 - σ(z)), read from the activation node's value
        s = graph[name].value
        return s * (1 - s)

    v = lambda name: graph[name].value  # noqa: E731
    expected = v("x1") * fprime("h2") * (v("W2[2,1]") * fprime("g1") * v("W3[1,1]")
                                         + v("W2[2,2]") * fprime("g2") * v("W3[2,1]"))
    assert sum(p.value for p in e.paths) == pytest.approx(expected, rel=1e-12)
    assert e.total == pytest.approx(expected, rel=1e-12)


def doubling(levels: int):
    """y_{k+1} = sin(y_k) + cos(y_k): every level doubles the number of paths from y_0."""
    x = Scalar(0.3, "x")
    y = x
    for _ in range(levels):
        y = y.sin() + y.cos()
    return Graph.build(y)


def test_two_to_the_fifty_paths_are_counted_not_enumerated():
    graph = doubling(50)
    e = explain(graph, "x")
    assert e.count == 2**50 and e.exact and len(e.paths) == 32
    assert "+ … and 1125899906842592 more paths = " in e.text()
    assert e.lines()[0] == f"∂({graph.output_node.name})/∂x sums 1125899906842624 paths:"
    assert e.lines()[-2] == "… and 1125899906842592 more paths"
    assert e.total == graph["x"].grad
    # each shown path is a real, distinct path of 50 levels × (sin or cos, then the +)
    assert len({tuple(id(x) for x in p.edges) for p in e.paths}) == 32
    assert all(len(p.edges) == 100 for p in e.paths)


def test_astronomically_many_paths_saturate_the_count():
    e = explain(doubling(120), "x", limit=3)
    assert not e.exact and e.count == 10**30 and len(e.paths) == 3
    assert "… and more than 10^30 more paths" in e.text()


def test_limit_and_paths_are_complete_when_under_it():
    graph = doubling(4)
    e = explain(graph, "x")
    assert e.count == 16 and len(e.paths) == 16
    assert sum(p.value for p in e.paths) == pytest.approx(graph["x"].grad, rel=1e-12)
    assert len(explain(graph, "x", limit=5).paths) == 5


def test_unknown_or_constant_nodes_are_one_sentence_errors():
    with pytest.raises(ExplainerError, match=r"no node named 'z'; the graph has: a, b, c, v, u, J"):
        explain(j_abc(), "z")
    with pytest.raises(ExplainerError, match=r"no gradient flows from J to '3': it is a constant"):
        explain(j_abc(), "3")


def test_to_json_has_every_path_and_the_total():
    data = explain(j_abc(), "c").to_json()
    assert data == {
        "output": "J", "wrt": "c", "count": 1, "exact": True, "shown": 1,
        "paths": [{"nodes": ["J", "u", "v", "c"], "symbolic": "3·1·b", "numeric": "3·1·3", "value": 9.0}],
        "total": 9.0, "formula": "3·1·b", "text": "∂J/∂c = 3·1·b = 3·1·3 = 9",
    }


def test_tensor_edges_are_written_as_their_rules():
    x = np.array([1.0, 2.0])
    nodes = [Node(0, "x", "input", None, (), x, np.array([3.0, 3.0])),
             Node(1, "L", "op", "SumBackward0", (0,), np.array(3.0), np.array(1.0))]
    graph = Graph(nodes, [Edge(0, 1, 0, None, "grad · 1ᵀ", True)], 1, [])
    e = explain(graph, "x")
    assert (e.paths[0].symbolic, e.paths[0].numeric, e.paths[0].value) == ("grad · 1ᵀ", None, None)
    assert e.text().splitlines() == ["  ∂L/∂x = ∂L/∂L · 1ᵀ", "∂L/∂x = [3, 3]"]
    assert e.to_json()["total"] == [3.0, 3.0]


OPS = ("add", "mul", "sub", "sin", "tanh", "exp_small")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10**6), st.integers(0, 10**6)),
                min_size=1, max_size=12),
       st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_sum_of_path_products_is_the_backward_gradient(program, values):
    """Random small graphs with shared subexpressions: Σ paths = what backward accumulated."""
    pool = [Scalar(v, f"x{i}") for i, v in enumerate(values)]
    for op, i, j in program:
        p, q = pool[i % len(pool)], pool[j % len(pool)]
        node = {"add": lambda: p + q, "mul": lambda: p * q, "sub": lambda: p - q,
                "sin": lambda: p.sin(), "tanh": lambda: p.tanh(),
                "exp_small": lambda: (p.tanh()).exp()}[op]()
        pool.append(node)
    graph = Graph.build(pool[-1])
    for leaf in graph.leaves():
        e = explain(graph, leaf.name, limit=10**6)
        assert e.count == len(e.paths)
        assert math.fsum(p.value for p in e.paths) == pytest.approx(leaf.grad, rel=1e-9, abs=1e-12)
