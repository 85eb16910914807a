"""Round trip: every formula the explainer prints, pasted back into the expression language after
the original statements, evaluates at the traced point to the number printed beside it — and the
chain-rule sum of products to the gradient torch computes.

Random programs (hypothesis: every elementwise op of the registry, statements with and without
targets) and every example of EXAMPLES.md section A; the formulas come from the graph (node
definitions, edge labels), `explain`, the SVG labels and the step-through page's frames.
"""
from __future__ import annotations

import html
import math
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from explainer.api import trace
from explainer.errors import ExplainerError
from explainer.expr.printer import to_text
from explainer.formulas import definition, is_typeable
from roundtrip import LEAVES, close, close_printed, evaluate_with, expressions

TRIED = {"programs": 0, "formulas": 0}


# -- the random programs ------------------------------------------------------------------------

@st.composite
def programs(draw):
    """1–3 statements, each over the leaves and the statements before it; the last one assigned
    to L or left bare (the output `f`)."""
    count = draw(st.integers(1, 3))
    names = list(LEAVES)
    lines = []
    for k in range(count):
        tree = draw(expressions(names=tuple(names), max_leaves=8))
        last = k == count - 1
        target = None if last and draw(st.booleans()) else ("L" if last else f"s{k + 1}")
        text = to_text(tree)
        lines.append(text if target is None else f"{target} = {text}")
        if target:
            names.append(target)
    values = {name: draw(st.sampled_from([0.3, 0.7, 1.25, 1.9, 2.5])) for name in LEAVES}
    return "\n".join(lines), values


def traced_or_skip(program, values):
    try:
        t = trace(program, values)
    except ExplainerError:   # a domain error at this point (ln of a negative, 0/0): not this test
        assume(False)
    assume(t.nonfinite is None)
    return t


def assert_round_trip(program: str, values: dict, t, torch=True):
    """Node definitions, edge formulas and the chain-rule sums of one traced program."""
    graph = t.graph
    for node in graph.nodes:
        tree = definition(graph, node)
        if tree is None or not _scalar(node.value):
            continue
        text = to_text(tree)
        assert close(evaluate_with(program, values, text), node.value), (program, node.name, text)
        TRIED["formulas"] += 1
    for edge in graph.edges:
        if not edge.grad or edge.local is None or not math.isfinite(edge.local):
            continue
        value = evaluate_with(program, values, edge.text)
        assert close(value, edge.local, rtol=1e-9, atol=1e-9), (program, edge.text, edge.local)
        TRIED["formulas"] += 1
    report = t.check() if torch else None
    for leaf in graph.leaves():
        if leaf.grad is None:
            continue
        e = t.explain(leaf.name)
        formula = e.formula()
        assert formula is not None
        value = evaluate_with(program, values, formula)
        scale = 1 + sum(abs(p.value) for p in e.paths)
        assert close(value, e.total, rtol=1e-9, atol=1e-9 * scale), (program, leaf.name, formula)
        if report is not None:
            assert close(value, report[leaf.name].torch, rtol=1e-9, atol=1e-9 * scale)
        TRIED["formulas"] += 1
    TRIED["programs"] += 1


def _scalar(value) -> bool:
    return value is not None and getattr(value, "ndim", 0) == 0


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(programs())
def test_random_programs_round_trip(case):
    program, values = case
    t = traced_or_skip(program, values)
    assert_round_trip(program, values, t, torch=TRIED["programs"] % 4 == 0)


# -- EXAMPLES.md section A ----------------------------------------------------------------------

NEURON_PATHS = ("a1 = x1 w11 + x2 w21; a2 = x1 w12 + x2 w22; h1 = sigmoid(a1); h2 = sigmoid(a2)\n"
                "b1 = h1 v11 + h2 v21; b2 = h1 v12 + h2 v22; g1 = sigmoid(b1); g2 = sigmoid(b2)\n"
                "out = g1 u1 + g2 u2")
SECTION_A = [
    ("J = 3(a + bc)", dict(a=5, b=3, c=2)),                                        # j-abc
    ("v = bc; u = a + v; J = 3u", dict(a=5, b=3, c=2)),
    ("c = -x; b = e^c; a = 1 + b; f = a^(-1)", dict(x=0)),                          # sigmoid-chain
    ("f = (1 + e^(-x))^(-1)", dict(x=1.5)),
    ("f = sigmoid(x)", dict(x=1.5)),
    ("f = x^5", dict(x=2)), ("f = x y", dict(x=2, y=3)),                            # basic-rules
    ("f = 5e^x", dict(x=1)), ("f = 5 ln x", dict(x=2)),
    ("f = x^5 + x y + 5e^x + 5 ln x", dict(x=2, y=3)),
    (NEURON_PATHS, dict(x1=1.0, x2=0.5, w11=0.27, w12=-0.91, w21=0.55, w22=0.03, v11=-0.4,  # neuron-paths
                        v12=0.61, v21=0.74, v22=-0.22, u1=0.9, u2=-0.35)),
    ("f = -(cos(x1)^2 + cos(x2)^2)^2", dict(x1=math.pi / 3, x2=math.pi / 6)),       # cos-square
    # the issue's own examples
    ("p = sigmoid(w x + b); L = -(y ln p + (1 - y) ln(1 - p))", dict(w=0.5, x=1.5, b=-0.2, y=1)),
    ("q = a/(b - c) - a/c^2", dict(a=1, b=3, c=2)),
    ("v = exp(u)/(1 + y^2)", dict(u=1, y=2)),
    ("s = exp(z1) + exp(z2); L = -ln(exp(z1)/s)", dict(z1=1.0, z2=2.0)),
]


@pytest.mark.parametrize("program, values", SECTION_A, ids=[p.split("\n")[0][:30] for p, _ in SECTION_A])
def test_section_a_round_trips(program, values):
    assert_round_trip(program, values, trace(program, values))


def test_the_neuron_paths_model_writes_the_same_chain_rule_as_its_expression():
    from explainer.models import get_model

    model = trace(get_model("neuron-paths").build())
    text = model.explain("W1[1,2]").text()
    # two paths, summed: x1·f'(a2)·(W2[2,1]·f'(b1)·W3[1,1] + …) written out edge by edge
    assert text.count("σ(a2)·(1 - σ(a2))") == 2 and " + " in text and "t1" not in text


# -- the pictures and the step-through page -----------------------------------------------------

_TEXT = re.compile(r"<text[^>]*>(.*?)</text>")


def label_claims(svg: str):
    """(formula, printed number) for every label line `… = formula = number` or `name = number`."""
    for line in (html.unescape(x) for x in _TEXT.findall(svg)):
        parts = line.split(" = ")
        if len(parts) < 2 or not _is_number(parts[-1]):
            continue
        head = parts[0]
        if head.startswith("∂"):
            if len(parts) == 3:
                yield parts[1], parts[2]
        elif len(parts) == 2 and "[" not in head:
            yield head, parts[1]


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


@pytest.mark.parametrize("program, values", SECTION_A[:6] + SECTION_A[-4:],
                         ids=[p.split("\n")[0][:30] for p, _ in SECTION_A[:6] + SECTION_A[-4:]])
def test_every_label_in_the_svg_reads_back_to_its_number(program, values):
    pytest.importorskip("graphviz")
    import shutil
    if shutil.which("dot") is None:
        pytest.skip("graphviz's dot is not installed")
    t = trace(program, values)
    claims = list(label_claims(t.render(view="both")))
    assert len(claims) >= len(t.graph.edges) // 2
    for formula, number in claims:
        assert close_printed(evaluate_with(program, values, formula), number), (formula, number)
        TRIED["formulas"] += 1


@pytest.mark.parametrize("program, values", SECTION_A, ids=[p.split("\n")[0][:30] for p, _ in SECTION_A])
def test_every_step_of_the_animate_page_reads_back(program, values):
    from explainer.render.animate import frames

    t = trace(program, values)
    checked = 0
    for frame in frames(t.graph):
        for text, _ in frame["lines"]:
            for formula, number in _frame_claims(text):
                assert close_printed(evaluate_with(program, values, formula), number, formula), (text, formula)
                checked += 1
    TRIED["formulas"] += checked
    assert checked >= len(t.graph.edges)


def _frame_claims(line: str):
    """`J = 3·(a + bc)` (a definition: checked against the value on the next line),
    `J = 3·11 = 33`, `local gradient  ∂v/∂b = c = 2`."""
    body = line.split("  ", 1)[1] if line.startswith(("local gradient  ", "local rule  ")) else line
    parts = body.split(" = ")
    if len(parts) >= 3 and _is_number(parts[-1]):
        for formula in parts[1:-1]:
            if "∂" not in formula and "?" not in formula:   # ∂J/∂u · ∂u/∂v names, not values
                yield formula, parts[-1]


def test_zz_counts(capsys):
    """The closing note: how many programs and formulas the suite tried (run after the others)."""
    with capsys.disabled():
        print(f"\nround trip: {TRIED['programs']} programs, {TRIED['formulas']} formulas read back")
    if TRIED["programs"]:
        assert TRIED["formulas"] > TRIED["programs"]
