"""The step-through page: its frames (Python) and the page around them. The page's script is
driven in headless chromium by tests/test_browser.py."""
from __future__ import annotations

import json
import re
import shutil

import pytest
import typer
from typer.testing import CliRunner

from explainer.errors import ExplainerError
from explainer.graph import Graph
from explainer.render.animate import formula, frames, page, write_page
from explainer.scalar import Scalar
from graphs import j_abc

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")



def page_data(text: str) -> dict:
    match = re.search(r'<script type="application/json" id="explainer-data">(.*?)</script>', text, re.S)
    return json.loads(match.group(1))


def test_forward_frames_visit_every_node_in_topological_order():
    graph = j_abc(title="J = 3(a + bc)")
    fs = frames(graph)
    forward = [f for f in fs if f["phase"] == "forward"]
    assert [f["node"] for f in forward] == list(range(len(graph.nodes)))
    v = forward[graph["v"].id]
    assert [line for line, _ in v["lines"]] == ["v = b·c", "v = 3·2 = 6"]
    assert v["edges"] == [[graph["b"].id, graph["v"].id], [graph["c"].id, graph["v"].id]]
    J = forward[graph["J"].id]
    assert J["lines"][1][0] == "J = 3·11 = 33"


def test_backward_frames_follow_the_walk_in_reverse_topological_order():
    graph = j_abc(title="J = 3(a + bc)")
    fs = frames(graph)
    backward = [f for f in fs if f["phase"] == "backward"]
    seed, steps = backward[0], backward[1:]
    assert seed["node"] == graph.output and seed["grads"] == [[graph.output, "∂J/∂J = 1", "∂J/∂J = 1"]]
    assert len(steps) == len(graph.steps) == 5
    assert [f["node"] for f in steps] == [s.node for s in graph.steps]
    assert all(x["node"] >= y["node"] for x, y in zip(steps, steps[1:]))  # reverse topological
    names = [(graph.nodes[f["node"]].name, graph.nodes[f["target"]].name) for f in steps]
    assert names == [("J", "u"), ("u", "a"), ("u", "v"), ("v", "b"), ("v", "c")]
    into_b = steps[3]
    assert into_b["lines"][0][0] == "local gradient  ∂v/∂b = c = 2"
    assert into_b["lines"][1][0] == "chain rule  ∂J/∂b = ∂J/∂v · ∂v/∂b = 3·2 = 6"
    assert into_b["grads"] == [[graph["b"].id, "∂J/∂b = 6", "∂J/∂b = ?"]]
    assert into_b["edges"] == [[graph["b"].id, graph["v"].id]]


def test_quiz_text_hides_the_numbers_the_student_works_out():
    steps = [f for f in frames(j_abc(title="J = 3(a + bc)")) if f["phase"] == "backward"][1:]
    local, chain = steps[4]["lines"]  # v into c: ∂v/∂c = b = 3, 3 · 3 = 9
    assert local[1] == "local gradient  ∂v/∂c = ?"
    assert chain[1] == "chain rule  ∂J/∂c = ∂J/∂v · ∂v/∂c = 3·? = ?"
    assert "9" not in chain[1] and "= b" not in local[1]


def test_last_frame_holds_every_leafs_gradient():
    graph = j_abc(title="J = 3(a + bc)")
    done = frames(graph)[-1]
    assert done["phase"] == "done"
    # every gradient, shown in both the plain and the quiz slot: the end reveals everything
    assert done["grads"] == [[graph[n].id, f"∂J/∂{n} = {g}", f"∂J/∂{n} = {g}"]
                             for n, g in (("a", 3), ("b", 6), ("c", 9), ("v", 3), ("u", 3), ("J", 1))]
    assert [line for line, _ in done["lines"][:3]] == ["∂J/∂a = 3", "∂J/∂b = 6", "∂J/∂c = 9"]
    assert sorted(done["leaves"]) == [graph[n].id for n in "abc"]


def test_a_node_used_twice_shows_the_running_sum_over_its_paths():
    x = Scalar(3, "x")
    y = x * x
    y.name = "y"
    graph = Graph.build(y)
    steps = [f for f in frames(graph) if f["phase"] == "backward"][1:]
    assert [f["target"] for f in steps] == [graph["x"].id, graph["x"].id]
    assert steps[0]["lines"][1][0] == "chain rule  ∂y/∂x = ∂y/∂y · ∂y/∂x = 1·3 = 3"
    assert steps[1]["lines"][1][0] == "chain rule  ∂y/∂y · ∂y/∂x = 1·3 = 3"
    assert steps[1]["lines"][2] == ["sum over paths  ∂y/∂x = 3 + 3 = 6", "sum over paths  ∂y/∂x = 3 + ? = ?"]
    assert steps[1]["grads"][0][1] == "∂y/∂x = 6" == f"∂y/∂x = {graph['x'].grad:g}"


def test_formula_writes_each_kind_of_op():
    assert formula("mul", ["b", "c"]) == "b × c"
    assert formula("exp", ["c"]) == "exp(c)"
    assert formula("neg", ["x"]) == "−x"
    assert formula("abs", ["x"]) == "|x|"
    assert formula("AddmmBackward0", ["b", "x", "W"]) == "AddmmBackward0(b, x, W)"


@needs_dot
def test_page_is_self_contained_and_carries_the_frames():
    graph = j_abc(title="J = 3(a + bc)")
    text = page(graph, quiz=True, theme="dark")
    assert '<html lang="en" data-theme="dark">' in text
    assert "<title>J = 3(a + bc) — step through</title>" in text
    for node in graph.nodes:  # the forward picture, highlighted by these titles
        assert f"<title>n{node.id}</title>" in text
    assert "<title>n4&#45;&gt;n5</title>" in text
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing fetched from a network
    data = page_data(text)
    assert data["quiz"] is True and data["output"] == "J"
    assert data["frames"] == json.loads(json.dumps(frames(graph)))
    assert [n["name"] for n in data["nodes"]] == [n.name for n in graph.nodes]
    assert 'id="quiz" checked' in text


@needs_dot
def test_page_json_cannot_close_its_script_element(tmp_path):
    x = Scalar(2, "x")
    y = x * x
    y.name = "</script><b>"
    text = write_page(Graph.build(y), tmp_path / "p.html").read_text(encoding="utf-8")
    data_block = text.split('id="explainer-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data_block
    assert page_data(text)["output"] == "</script><b>"


def test_bad_theme_and_too_big_graphs_are_one_sentence():
    with pytest.raises(ExplainerError, match="unknown theme 'blue'; choose one of: light, dark"):
        page(j_abc(title="J = 3(a + bc)"), theme="blue")
    with pytest.raises(ExplainerError, match="the graph has 7 nodes, too many to step through"):
        page(j_abc(title="J = 3(a + bc)"), max_nodes=5)


@needs_dot
def test_animate_command_writes_the_page(tmp_path):
    from explainer.commands import animate

    app = typer.Typer()
    animate.register(app)
    app.command("noop")(lambda: None)  # two commands keep `animate` a subcommand
    out = tmp_path / "j.html"
    result = CliRunner().invoke(app, ["animate", "J = 3(a + bc)", "--at", "a=5,b=3,c=2", "-o", str(out),
                                      "--theme", "dark"])
    assert result.exit_code == 0, result.output
    assert "5 backward steps" in " ".join(result.output.split())
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["frames"][-1]["lines"][:3] == [["∂J/∂a = 3", None], ["∂J/∂b = 6", None], ["∂J/∂c = 9", None]]


def test_animate_cli_refuses_a_non_html_output(cli):
    run = cli("animate", "J = 3(a + bc)", "--at", "a=5,b=3,c=2", "-o", "j.svg")
    if "No such command" in run.err:
        pytest.skip("cli.py does not wire the animate command yet")
    assert run.code == 2
    assert run.err.strip() == "error: the page is HTML: give -o a name ending in .html, not 'j.svg'"


def test_tensor_steps_show_the_vector_jacobian_rule_and_the_sum():
    import numpy as np

    from explainer import trace

    graph = trace("y = x + 2; z = 3 y y; out = mean(z)", x=np.array([[1.0, 2.0], [3.0, 4.0]])).graph
    fs = frames(graph)
    into_y = [f for f in fs if f["phase"] == "backward" and f["target"] == graph["y"].id]
    assert len(into_y) == 2  # y is used twice: 3·y and ·y
    assert into_y[1]["lines"][1][0] == "chain rule  ∂out/∂y += VJP(∂out/∂(3 y)) = [[2.25, 3], [3.75, 4.5]]"
    assert into_y[1]["lines"][2][0] == ("sum over paths  ∂out/∂y = [[2.25, 3], [3.75, 4.5]] + "
                                        "[[2.25, 3], [3.75, 4.5]] = [[4.5, 6], [7.5, 9]]")
    assert fs[-1]["grads"][0] == [graph["x"].id, "∂out/∂x = [[4.5, 6], [7.5, 9]]", "∂out/∂x = [[4.5, 6], [7.5, 9]]"]
    assert fs[0]["phase"] == "intro" and fs[0]["node"] is None
