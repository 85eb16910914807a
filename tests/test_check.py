"""The torch check: ours vs torch.autograd vs finite differences, on every case in check_cases."""
from __future__ import annotations

import json
import math
import tracemalloc

import numpy as np
import pytest
import torch

from check_cases import CASES, Case
from explainer.check import check
from explainer.expr import trace_expression
from explainer.graph import Graph
from explainer.ops import OPS
from explainer.scalar import Scalar

def build(text: str, **values) -> Graph:
    return Graph.build(trace_expression(text, values))


@pytest.fixture(scope="module")
def graphs() -> list[Graph]:
    return [Graph.build(trace_expression(case.text, dict(case.values))) for case in CASES]


# ---------------------------------------------------------------------------------------------
# Every case agrees with torch at 1e-9; finite differences differ exactly at the kinks


@pytest.mark.parametrize("case", CASES, ids=[c.text[:40] for c in CASES])
def test_case_agrees_with_torch(case: Case):
    graph = Graph.build(trace_expression(case.text, dict(case.values)))
    report = check(graph, rtol=1e-9)
    assert report.ok, report.to_json()
    assert {row.name for row in report.rows} >= set(case.values)
    for name in case.values:
        row = report[name]
        assert row.torch == pytest.approx(row.ours, rel=1e-9, abs=1e-12)
        assert row.fd is not None
    fd_verdicts = [report[name].fd_ok for name in case.values]
    if case.kink:
        assert not all(fd_verdicts), "a central difference across a kink should be flagged"
    else:
        assert all(fd_verdicts), report.to_json()


def test_cases_use_every_elementwise_op(graphs):
    in_module = {name for name, op in OPS.items() if op.elementwise}
    assert {"add", "pow", "neg", "exp", "relu", "abs"} <= in_module
    used = {node.op for graph in graphs for node in graph.nodes if node.kind == "op"}
    assert in_module <= used, f"never exercised: {sorted(in_module - used)}"


def test_cases_use_negative_and_fractional_powers(graphs):
    exponents = set()
    for graph in graphs:
        for node in graph.nodes:
            if node.op == "pow" and graph.nodes[node.inputs[1]].kind == "const":
                exponents.add(graph.nodes[node.inputs[1]].value)
    assert any(e < 0 for e in exponents)
    assert any(e != int(e) for e in exponents)
    assert any(e < 0 and e != int(e) for e in exponents)


def test_cases_fan_out_from_two_to_five(graphs):
    uses = set()
    for graph in graphs:
        count = {n.id: 0 for n in graph.nodes}
        for edge in graph.edges:
            count[edge.src] += 1
        uses |= {count[leaf.id] for leaf in graph.leaves()}
    assert {2, 3, 4, 5} <= uses


def test_cases_nest_twenty_deep(graphs):
    def depth(graph: Graph) -> int:  # longest path from a leaf, one pass in topological order
        d = [0] * len(graph)
        for node in graph.nodes:
            d[node.id] = 1 + max((d[i] for i in node.inputs), default=-1)
        return d[graph.output]

    assert max(depth(g) for g in graphs) >= 25
    assert len(CASES) >= 60


# ---------------------------------------------------------------------------------------------
# Mismatches are reported


def test_corrupted_gradient_is_a_mismatch():
    graph = build("J = 3(a + bc)", a=5.0, b=3.0, c=2.0)
    graph["b"].grad = 6.0 * (1 + 1e-6)
    report = check(graph)
    assert not report.ok
    assert [row.name for row in report.mismatches] == ["b"]
    assert report["b"].torch == 6.0
    assert report["b"].error == pytest.approx(1e-6, rel=1e-3)
    assert report.to_json()["nodes"]["b"]["ok"] is False
    assert report.to_json()["ok"] is False


def test_corrupted_intermediate_and_tiny_error_within_tolerance():
    graph = build("v = bc; u = a + v; J = 3u", a=5.0, b=3.0, c=2.0)
    graph["u"].grad = 3.0 * (1 + 1e-11)  # inside rtol 1e-9
    assert check(graph).ok
    graph["v"].grad = -3.0
    report = check(graph)
    assert [row.name for row in report.mismatches] == ["v"]


def test_nan_gradient_is_a_mismatch_even_where_torch_is_nan_too():
    graph = build("x^y", x=2.0, y=3.0)
    graph["x"].grad = math.nan
    report = check(graph)
    assert not report["x"].ok and report["x"].error == math.inf
    assert report.to_json()["nodes"]["x"]["grad"] is None  # valid JSON: no NaN literal
    json.dumps(report.to_json(), allow_nan=False)
    # ∂(x^y)/∂y needs ln x: at x = -2 both engines say nan, and that is still flagged
    report = check(build("x^y", x=-2.0, y=3.0))
    assert not report["y"].ok and math.isnan(report["y"].torch)
    assert report["x"].ok


def test_missing_gradient_is_a_mismatch():
    graph = build("a*b", a=2.0, b=4.0)
    graph["a"].grad = None
    report = check(graph)
    assert not report["a"].ok and report["b"].ok


def test_constant_expression_checks_trivially():
    report = check(build("3*2"))
    assert report.ok
    assert [(row.name, row.ours, row.torch) for row in report.rows] == [("f", 1.0, 1.0)]


# ---------------------------------------------------------------------------------------------
# The report's shape


def test_json_and_table_of_j_abc():
    report = check(build("J = 3(a + bc)", a=5.0, b=3.0, c=2.0))
    data = report.to_json()
    assert data["output"] == "J" and data["ok"] is True
    assert data["nodes"]["J"] == {"value": 33.0, "grad": 1.0, "torch": 1.0, "fd": None,
                                  "error": 0.0, "ok": True, "fd_ok": None}
    assert data["nodes"]["a"]["fd"] == pytest.approx(3.0, rel=1e-8)
    assert data["nodes"]["a"]["fd_ok"] is True
    assert "3" not in data["nodes"]  # constants are not rows
    from rich.console import Console

    console = Console(width=160, record=True, color_system=None)
    console.print(report.table())
    text = console.export_text()
    assert "all gradients agree with torch" in text
    rows = [line.split() for line in text.splitlines() if line.strip().endswith("ok")]
    lines = {row[0]: row for row in rows}
    assert lines["c"][1:5] == ["2", "9", "9", "9"]
    assert lines["J"][1:5] == ["33", "1", "1", "—"]


def test_table_shows_the_digits_of_a_mismatch():
    graph = build("a*b", a=2.0, b=4.0)
    graph["a"].grad = 4.0000001
    from rich.console import Console

    console = Console(width=160, record=True, color_system=None)
    console.print(check(graph).table())
    text = console.export_text()
    assert "4.0000001" in text and "MISMATCH" in text and "1 gradient(s) disagree" in text
    assert "finite differences differ" not in text


def test_table_explains_a_kink():
    from rich.console import Console

    console = Console(width=200, record=True, color_system=None)
    console.print(check(build("relu(x)", x=0.0)).table())
    text = console.export_text()
    assert "finite differences differ at x: usually a kink" in text
    assert "fd ≠" in text and "MISMATCH" not in text


# ---------------------------------------------------------------------------------------------
# EXAMPLES.md section A


def test_j_abc_every_value_and_gradient():
    graph = build("v = bc; u = a + v; J = 3u", a=5.0, b=3.0, c=2.0)
    report = check(graph)
    assert report.ok
    expected = {"J": (33.0, 1.0), "u": (11.0, 3.0), "v": (6.0, 3.0),
                "a": (5.0, 3.0), "b": (3.0, 6.0), "c": (2.0, 9.0)}
    for name, (value, grad) in expected.items():
        row = report[name]
        assert (row.value, row.ours, row.torch) == (value, grad, grad), name
    local = {(graph.nodes[e.src].name, graph.nodes[e.dst].name): e.local for e in graph.edges}
    assert local[("u", "J")] == 3.0 and local[("a", "u")] == 1.0 and local[("v", "u")] == 1.0
    assert local[("b", "v")] == 2.0 and local[("c", "v")] == 3.0


def test_sigmoid_chain_four_local_derivatives():
    report = check(build("f = (1 + e^(-x))^(-1)", x=0.0))
    assert report["f"].value == 0.5
    assert report["x"].ours == 0.25 and report["x"].torch == 0.25
    split = build("c = -x; b = e^c; a = 1 + b; f = a^(-1)", x=0.0)
    assert check(split).ok
    locals_ = [e.local for e in split.edges if e.grad and split.nodes[e.dst].name in "fabc"
               and split.nodes[e.src].name in "abcx"]
    assert sorted(locals_) == [-1.0, -0.25, 1.0, 1.0]  # f'(a)=-1/a², a'(b)=1, b'(c)=e^c, c'(x)=-1
    assert math.prod(locals_) == 0.25 == split["x"].grad


@pytest.mark.parametrize("text, wrt, formula", [
    ("x^5", "x", lambda x, y: 5 * x ** 4),
    ("x*y", "x", lambda x, y: y),
    ("5e^x", "x", lambda x, y: 5 * math.exp(x)),
    ("5 ln x", "x", lambda x, y: 5 / x),
])
@pytest.mark.parametrize("x, y", [(1.3, -0.7), (2.5, 4.0)])
def test_basic_rules(text, wrt, formula, x, y):
    values = {"x": x, "y": y} if "y" in text else {"x": x}
    report = check(build(text, **values))
    assert report.ok
    assert report[wrt].ours == pytest.approx(formula(x, y), rel=1e-12)
    assert report[wrt].torch == pytest.approx(formula(x, y), rel=1e-12)


COS_SQUARE = "f = -(cos(x1)^2 + cos(x2)^2)^2"


def test_cos_square_at_the_tutorial_point():
    report = check(build(COS_SQUARE, x1=math.pi / 3, x2=math.pi / 6))
    assert report.ok
    assert report["f"].value == pytest.approx(-1.0, abs=1e-12)
    assert report["x1"].ours == pytest.approx(1.7320508, abs=1e-7)
    assert report["x2"].ours == pytest.approx(1.7320508, abs=1e-7)
    assert report["x1"].torch == pytest.approx(2 * math.sin(2 * math.pi / 3), rel=1e-12)


def test_cos_square_sgd_ten_updates_match_torch():
    lr, x = 0.1, {"x1": math.pi / 3, "x2": math.pi / 6}
    ours = []  # (f, x1, x2) before each update, then after the last: 11 printed steps
    for step in range(11):
        graph = build(COS_SQUARE, **x)
        assert check(graph).ok
        ours.append((graph["f"].value, x["x1"], x["x2"]))
        if step < 10:
            x = {name: value - lr * graph[name].grad for name, value in x.items()}

    t = torch.tensor([math.pi / 3, math.pi / 6], dtype=torch.float64, requires_grad=True)
    theirs = []
    for step in range(11):
        f = -(torch.cos(t) ** 2).sum() ** 2
        theirs.append((f.item(), *t.tolist()))
        if step < 10:
            f.backward()
            with torch.no_grad():
                t -= lr * t.grad
            t.grad.zero_()

    assert len(ours) == len(theirs) == 11
    for mine, torchs in ((ours[0], theirs[0]), (ours[-1], theirs[-1])):
        assert mine == pytest.approx(torchs, rel=1e-9, abs=1e-12)
    assert ours[0][0] == pytest.approx(-1.0)
    assert -4.0 < ours[-1][0] < ours[0][0]  # descending towards x = 0, where f = -(1 + 1)² = -4


# ---------------------------------------------------------------------------------------------
# Deep chains: iterative everywhere, memory linear


def sin_chain(ops: int):
    """x, then alternately ·k (one shared constant near 1) and sin, `ops` operations in all."""
    x = Scalar(0.5, "x")
    k = Scalar(1.0001, requires_grad=False)
    y = x
    for _ in range(ops // 2):
        y = (y * k).sin()
    return y


def chain_check(ops: int):
    graph = Graph.build(sin_chain(ops))
    assert len(graph) == ops + 2
    return check(graph)


def test_chain_deeper_than_the_recursion_limit():
    report = chain_check(6_000)
    assert report.ok
    assert report["x"].fd_ok
    assert report["x"].torch == pytest.approx(report["x"].ours, rel=1e-9)


def traced_peak(ops: int):
    """(report, peak bytes Python allocated while tracing, building and checking the chain)."""
    tracemalloc.start()
    try:
        report = chain_check(ops)
        return report, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_chain_of_100k_ops_checks_with_linear_memory():
    chain_check(1_000)  # torch's lazy imports happen here, not inside the first measurement
    _, peak_small = traced_peak(10_000)
    big, peak_big = traced_peak(100_000)
    assert big.ok and len(big.rows) == 100_001
    assert big["x"].torch == pytest.approx(big["x"].ours, rel=1e-9)
    assert big["x"].fd_ok
    assert 0 < big["x"].ours < 1e-6  # 50,000 factors k·cos(·) shrink the gradient
    assert peak_big / peak_small < 15, (peak_small, peak_big)


# ---------------------------------------------------------------------------------------------
# Tensors and the finite-difference caps


def test_tensor_graph_mean_of_square():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    report = check(Graph.build(trace_expression("y = x + 2; z = y*y*3; out = mean(z)", {"x": x}),
                               seed=np.ones(())))
    assert report.ok
    np.testing.assert_allclose(report["x"].torch, [[4.5, 6.0], [7.5, 9.0]], rtol=1e-12)
    np.testing.assert_allclose(report["x"].fd, [[4.5, 6.0], [7.5, 9.0]], rtol=1e-7)
    assert report["x"].fd_ok
    assert report.to_json()["nodes"]["x"]["torch"] == [[4.5, 6.0], [7.5, 9.0]]


def test_finite_differences_probe_at_most_32_elements_of_a_tensor():
    a = np.linspace(-1.0, 1.0, 48).reshape(6, 8)  # no element sits on relu's kink
    report = check(Graph.build(trace_expression("sum(relu(A) * sin(A))", {"A": a}),
                               seed=np.ones(())))
    row = report["A"]
    assert report.ok and row.fd_ok
    probed = ~np.isnan(row.fd)
    assert probed.sum() == 32 and probed.flat[0] and probed.flat[-1]
    np.testing.assert_allclose(row.fd[probed], np.asarray(row.ours)[probed], rtol=1e-6)
    nodes = report.to_json()["nodes"]["A"]["fd"]
    assert sum(v is None for line in nodes for v in line) == 16


def test_finite_differences_probe_at_most_32_leaves_evenly():
    names = [f"w{i}" for i in range(40)]
    text = " + ".join(f"{i + 1}*sin({n})" for i, n in enumerate(names))
    report = check(build(text, **{n: 0.1 * i for i, n in enumerate(names)}))
    assert report.ok
    probed = [n for n in names if report[n].fd is not None]
    assert len(probed) == 32 and probed[0] == "w0" and probed[-1] == "w39"
    assert all(report[n].fd_ok for n in probed)
    assert all(report[n].fd_ok is None for n in names if n not in probed)
    assert report["w39"].fd == pytest.approx(40 * math.cos(3.9), rel=1e-7)


def test_two_layer_net_agrees_normwise_and_finite_differences_allow_for_a_big_loss():
    # a sum-of-squares loss ≈ 2e7, as in the tutorial's two-layer-manual: a difference quotient
    # is then only good to about ε·2e7/h ≈ 0.004 in absolute terms, which must not be flagged
    rng = np.random.default_rng(0)
    values = {"x": 2 * rng.normal(size=(64, 200)), "w1": rng.normal(size=(200, 40)),
              "w2": rng.normal(size=(40, 10)), "y": rng.normal(size=(64, 10))}
    graph = Graph.build(trace_expression("sum((x @ w1 @ w2 - y)^2)", values), seed=np.ones(()))
    report = check(graph)
    assert graph.output_node.value > 1e7
    assert report.ok and max(row.error for row in report.rows) < 1e-13
    assert all(report[name].fd_ok for name in values)
    # one element of w1's gradient off by a millionth of the largest is caught
    grad = graph["w1"].grad
    grad.flat[17] += 1e-6 * np.abs(grad).max()
    report = check(graph)
    assert [row.name for row in report.mismatches] == ["w1"]
    assert report["w1"].error == pytest.approx(1e-6, rel=1e-3)
