"""The formula printer: precedence, associativity, signs, symbols — and every wrong formula the
issue found, as a regression test with the right text."""
import math

import pytest
from hypothesis import given, settings

from explainer.api import trace
from explainer.errors import ExplainerError
from explainer.expr import parse, trace_expression
from explainer.expr.printer import exact_number, function_symbol, to_text
from explainer.expr.tree import Binary, Call, Name, Number, Unary
from explainer.formulas import references
from roundtrip import canon, expressions, reparsed, tensor_calls


def printed(text: str) -> str:
    return to_text(parse(text).output.value)


@pytest.mark.parametrize("source, text", [
    ("J = 3(a + bc)", "3·(a + bc)"),
    ("a - (b - c)", "a - (b - c)"),
    ("a - b - c", "a - b - c"),
    ("a/(b c)", "a/(b·c)"),
    ("(a^b)^c", "(a^b)^c"),
    ("a^b^c", "a^b^c"),
    ("-a b", "-a·b"),
    ("-(a b)", "-(a·b)"),
    ("a (-b)", "a·(-b)"),
    ("2 * -0.97", "2·(-0.97)"),
    ("(-2)^2", "(-2)²"),
    ("-2^2", "-2²"),
    ("x^-1", "x^(-1)"),
    ("e^-x", "e^(-x)"),
    ("sqrt(x)^2", "(√x)²"),
    ("sqrt(c - c)", "√(c - c)"),
    ("sigmoid(w x + b)", "σ(w·x + b)"),
    ("sigmoid(-0.19)", "σ(-0.19)"),
    ("log x + ln(1 - p)", "ln(x) + ln(1 - p)"),
    ("abs(x)", "abs(x)"),
    ("tanh²x", "tanh(x)²"),
    ("-3", "-3"),
])
def test_brackets_follow_the_grammar(source, text):
    assert printed(source) == text
    assert canon(reparsed(text)) == canon(parse(source).output.value)


def test_symbols_come_from_the_registry_and_read_back():
    assert [function_symbol(f) for f in ("sigmoid", "sqrt", "log", "ln", "exp", "abs", "sum")] == \
        ["σ", "√", "ln", "ln", "exp", "abs", "sum"]
    values = {"x": 0.3, "y": 2.0}
    pasted = trace_expression("f = σ(x)·√y × ln(y) + x² − x⁻¹", values).value
    plain = 1 / (1 + math.exp(-0.3)) * math.sqrt(2) * math.log(2) + 0.09 - 1 / 0.3
    assert pasted == pytest.approx(plain, rel=1e-15)


def test_sigma_alone_is_still_a_variable():
    assert trace_expression("f = 2σ", {"σ": 1.5}).value == 3.0


def test_exact_numbers_read_back_exactly():
    for x in (2.0, 0.1, 1 / 3, -1e-7, 6.02e23, math.pi):
        assert float(exact_number(x)) == x


@settings(max_examples=400, deadline=None, derandomize=True)
@given(expressions())
def test_print_then_parse_gives_the_same_tree(tree):
    text = to_text(tree)
    assert canon(reparsed(text)) == canon(tree), text


@settings(max_examples=100, deadline=None, derandomize=True)
@given(expressions(names=("z", "y"), calls=tensor_calls()))
def test_tensor_calls_print_and_parse_back(tree):
    text = to_text(tree)
    assert canon(reparsed(text)) == canon(tree), text


def test_deep_sums_print_without_recursion():
    tree = Name(0, 0, 0, 0, "a")
    for _ in range(50_000):
        tree = Binary(0, 0, 0, 0, "+", tree, Name(0, 0, 0, 0, "a"))
    assert to_text(tree).count("a") == 50_001


# -- the wrong formulas, each with the right text --------------------------------------

LOGISTIC = "p = sigmoid(w x + b); L = -(y ln p + (1 - y) ln(1 - p))"


def test_logistic_loss_divides_by_the_whole_of_one_minus_p():
    t = trace(LOGISTIC, w=0.5, x=1.5, b=-0.2, y=1)
    text = t.explain("w").text()
    assert "1/(1 - p)" in text and "(1/1 - p)" not in text
    assert "σ(w·x + b)" in text
    edge = next(e for e in t.graph.edges if t.graph.nodes[e.dst].name == "ln(1 - p)")
    assert edge.text == "1/(1 - p)"


def test_softmax_cross_entropy_divides_by_the_quotient():
    t = trace("s = exp(z1) + exp(z2); L = -ln(exp(z1)/s)", z1=1.0, z2=2.0)
    texts = {e.text for e in t.graph.edges}
    assert "1/(exp(z1)/s)" in texts and "1/exp(z1)/s" not in texts


def test_quotient_rule_squares_the_whole_denominator():
    t = trace("q = a/(b - c) - a/c^2", a=1, b=3, c=2)
    text = t.explain("c").text()
    assert "-a/(b - c)²" in text and "(-a/b - c²)" not in text


def test_one_over_the_whole_sum():
    t = trace("v = exp(u)/(1 + y^2)", u=1, y=2)
    texts = {e.text for e in t.graph.edges}
    assert "1/(1 + y²)" in texts and "(1/1 + y^2)" not in texts


def test_no_internal_names_in_formulas_or_errors():
    t = trace("f = 2x + 2y + 2x y", x=1.0, y=3.0)
    words = [n.name for n in t.graph.nodes] + [e.text for e in t.graph.edges] + [t.explain("x").text()]
    assert not any("#" in w for w in words)
    long = trace("f = sin(x y + x/y) * cos(x - y)^2", x=1.0, y=3.0)
    names = [n.name for n in long.graph.nodes]
    assert not any(n.startswith("t") and n[1:].isdigit() for n in names), names
    with pytest.raises(ExplainerError) as error:
        trace("r = sqrt(c - c) + c", c=2.0)
    assert str(error.value) == ("the gradient is undefined at √(c - c): its local derivative "
                                "∂(√(c - c))/∂(c - c) = 1/(2·√(c - c)) is infinite or undefined at c - c = 0")
    assert "'t1'" not in str(error.value)


def test_negative_numbers_are_bracketed_once():
    t = trace("f = sigmoid(x - 0.69)", x=0.5)
    text = t.explain("x").text()
    assert "σ((-" not in text and "· -" not in text and "·-" not in text
    numeric = text.split(" = ")[2]
    assert numeric.startswith("0.") or numeric.startswith("(")
    assert to_text(Binary(0, 0, 0, 0, "*", Name(0, 0, 0, 0, "a"), Number(0, 0, 0, 0, -0.97))) == "a·(-0.97)"
    assert to_text(Call(0, 0, 0, 0, "sigmoid", Number(0, 0, 0, 0, -0.19))) == "σ(-0.19)"
    assert to_text(Unary(0, 0, 0, 0, "-", Number(0, 0, 0, 0, -1.0))) == "-(-1)"


def test_references_use_typed_names_or_the_sub_expression():
    t = trace("v = bc; u = a + v; J = 3u", a=5, b=3, c=2)
    refs = {n.name: to_text(r) for n, r in zip(t.graph.nodes, references(t.graph))}
    assert refs["u"] == "u" and refs["v"] == "v" and refs["a"] == "a" and refs["J"] == "J"
    split = trace("J = 3(a + bc)", a=5, b=3, c=2)
    refs = {n.name: to_text(r) for n, r in zip(split.graph.nodes, references(split.graph))}
    assert refs["bc"] == "bc" and refs["a + bc"] == "a + bc"
    bare = trace("3(a + bc)", a=5, b=3, c=2)
    assert to_text(references(bare.graph)[bare.graph.output]) == "3·(a + bc)"


def test_the_explained_formula_pastes_into_check_and_gives_the_printed_value(cli):
    """`explain … --wrt w` for the logistic loss, its formula pasted into `check "r = <formula>"`
    after the original statements: the same number, as a student would do it."""
    import json

    at = "w=0.5,x=1.5,b=-0.2,y=1"
    explained = cli("explain", LOGISTIC, "--at", at, "--wrt", "w")
    assert explained.code == 0, explained.err
    line = explained.out.strip()
    assert "\n" not in line                     # one line: copied whole
    head, formula, numbers, total = line.split(" = ")
    assert head == "∂L/∂w" and total == "-0.548797"
    checked = cli("check", f"{LOGISTIC}; r = {formula}", "--at", at, "--json")
    assert checked.code == 0, checked.err
    report = json.loads(checked.out)
    assert report["output"] == "r" and report["ok"]
    assert f"{report['nodes']['r']['value']:.6g}" == total
    # the numbers line reads back too, to its six digits
    again = json.loads(cli("check", f"r = {numbers}", "--json").out)
    assert abs(again["nodes"]["r"]["value"] - float(total)) < 1e-5


def test_step_seven_of_the_step_through_page_keeps_the_brackets():
    from explainer.render.animate import frames

    fs = frames(trace("J = 3(a + bc)", a=5, b=3, c=2).graph)
    step = fs[7]                       # the intro, then 3, a, b, c, bc, a + bc, J
    assert step["title"] == "Forward: compute J"
    assert [line for line, _ in step["lines"]] == ["J = 3·(a + bc)", "J = 3·11 = 33"]


def test_the_edge_label_of_the_logistic_loss_in_the_svg():
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("graphviz's dot is not installed")
    import html

    svg = html.unescape(trace(LOGISTIC, w=0.5, x=1.5, b=-0.2, y=1).render(view="backward"))
    assert "∂(ln(1 - p))/∂(1 - p) = 1/(1 - p) = 2.73325" in svg
    assert "1/1 - p" not in svg and "t1" not in svg
