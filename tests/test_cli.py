"""The CLI end to end, as a learner types it (issue 2's must-show list)."""
import json
import re
import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"


def svg_groups(path, kind):
    """The text lines inside each <g class=kind> of a graphviz SVG."""
    root = ET.parse(path).getroot()
    return [[t.text or "" for t in g.iter(f"{SVG}text")]
            for g in root.iter(f"{SVG}g") if g.get("class") == kind]


def numbers(text):
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


def test_render_both_views_of_j_abc(cli, tmp_path):
    run = cli("render", "J = 3(a + bc)", "--at", "a=5,b=3,c=2", "--view", "both", "-o", "j.svg")
    assert run.code == 0, run.err
    nodes = [" ".join(lines) for lines in svg_groups(tmp_path / "j.svg", "node")]
    assert any("J = 33" in n for n in nodes)
    leaf_grads = {}
    for text in nodes:
        for leaf in "abc":
            if re.search(rf"\b{leaf} = ", text):
                leaf_grads[leaf] = numbers(text.split("∂J/∂")[1])[-1]
    assert leaf_grads == {"a": 3, "b": 6, "c": 9}
    edge_locals = [numbers(" ".join(lines))[-1] for lines in svg_groups(tmp_path / "j.svg", "edge")
                   if any("∂" in line for line in lines)]
    assert sorted(edge_locals) == [1, 1, 2, 3, 3]


def test_check_json_of_j_abc(cli):
    run = cli("check", "J = 3(a + bc)", "--at", "a=5,b=3,c=2", "--json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["output"] == "J" and report["ok"] is True
    assert {k: (v["value"], v["grad"]) for k, v in report["nodes"].items() if k in {"a", "b", "c", "J"}} == {
        "J": (33.0, 1.0), "a": (5.0, 3.0), "b": (3.0, 6.0), "c": (2.0, 9.0)}


def test_check_prints_a_table_and_exits_zero(cli):
    run = cli("check", "f = (1 + e^(-x))^(-1)", "--at", "x=0")
    assert run.code == 0, run.err
    assert "torch agrees" in run.out and "0.25" in run.out


def test_explain_text_and_json(cli):
    run = cli("explain", "J = 3(a + bc)", "--at", "a=5,b=3,c=2", "--wrt", "b")
    assert run.code == 0, run.err
    assert "∂J/∂b = 3·1·c = 3·1·2 = 6" in run.out
    run = cli("explain", "J = 3(a + bc)", "--at", "a=5,b=3,c=2", "--wrt", "c", "--json")
    data = json.loads(run.out)
    assert data["output"] == "J" and data["nodes"]["c"]["grad"] == 9.0 and "ok" not in data


def test_demo_writes_a_gallery(cli, tmp_path):
    run = cli("demo", "-o", "out")
    assert run.code == 0, run.err
    index = (tmp_path / "out" / "index.html").read_text()
    assert "J = 3(a + bc)" in index and "∂J/∂b = 3·1·c = 3·1·2 = 6" in index
    assert index.count("<svg") == 6  # three views and one explanation per leaf
    assert "torch.autograd agrees with every gradient" in index
    assert "index.html" in run.out
    # the gallery links the step-through page, which exists, and shows the finite differences
    assert '<a href="steps.html">' in index and (tmp_path / "out" / "steps.html").exists()
    assert "<th>finite differences</th>" in index
    row = index[index.index("<tr><td>a</td>"):].split("</tr>")[0]
    assert row == "<tr><td>a</td><td>5</td><td>3</td><td>3</td><td>3</td>"
    assert "dJ/d" not in index      # one notation: ∂


def test_help_of_every_command_has_an_example(cli):
    for command in ("render", "check", "explain", "demo"):
        run = cli(command, "--help")
        assert run.code == 0 and "Example:" in run.out and "explainer " + command in run.out


HOSTILE = [
    ("__import__('os').system('touch pwned')", ""),
    ("a.__class__", "a=1"),
    ("lambda: 1", ""),
    ("[x for x in ()]", ""),
    ("9**9**9", ""),
    ("3(a + bc", "a=5,b=3,c=2"),
    ("3(a + bc))", "a=5,b=3,c=2"),
    ("J = 3(a + bz)", "a=5,b=3,c=2"),
    ("J = 3(a + bc)", "a=5,b=3"),
    ("log(x)", "x=-1"),
    ("1/x", "x=0"),
]


@pytest.mark.parametrize("expression, at", HOSTILE)
def test_hostile_input_is_one_sentence_and_exit_2(cli, tmp_path, expression, at):
    run = cli("check", expression, "--at", at, timeout=20)
    assert run.code == 2, (run.out, run.err)
    assert "Traceback" not in run.err and run.err.startswith("error: ")
    lines = run.err.splitlines()
    if "syntax error" not in lines[0]:  # a syntax error adds the source line and a caret
        assert len(lines) == 1
    assert not (tmp_path / "pwned").exists()


def test_syntax_error_points_at_the_column(cli):
    run = cli("check", "J = 3(a + bc))", "--at", "a=5,b=3,c=2")
    assert run.code == 2
    lines = run.err.splitlines()
    assert "column 14" in lines[0]
    caret_line = next(line for line in lines if line.strip() == "^")
    source_line = lines[lines.index(caret_line) - 1]
    assert source_line[caret_line.index("^")] == ")"


def test_check_json_with_tensor_values_gives_nested_lists(cli):
    run = cli("check", "out = mean(3(x + 2)^2)", "--at", "x=[[1,2],[3,4]]", "--json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["ok"] is True
    assert report["nodes"]["x"]["value"] == [[1.0, 2.0], [3.0, 4.0]]
    assert report["nodes"]["x"]["grad"] == [[4.5, 6.0], [7.5, 9.0]]
    assert report["nodes"]["out"]["value"] == 64.5


def test_render_tensor_expression_shows_shapes(cli, tmp_path):
    run = cli("render", "y = sum(W @ v + b)", "--at", "W=[[1,2],[3,4]],v=[1,1],b=[0.5,0.5]",
              "--view", "backward", "-o", "t.svg")
    assert run.code == 0, run.err
    text = " ".join(" ".join(lines) for lines in svg_groups(tmp_path / "t.svg", "node"))
    assert "[2, 2]" in text and "∂y/∂W" in text


def test_nan_is_reported_at_its_first_node(cli, tmp_path):
    run = cli("render", "y = sum(log(x))", "--at", "x=[-1,1,2]", "-o", "n.svg")
    assert run.code == 0, run.err
    assert run.err.strip() == ("warning: nan first appears in the forward pass at node 'log(x)' = log(x) "
                               "(1 of 3 elements); what is computed from it means nothing, and the check "
                               "counts it as a mismatch")
    run = cli("check", "y = sum(log(x))", "--at", "x=[-1,1,2]")
    assert run.code == 1 and "not ok: the graph holds inf or nan" in run.out
