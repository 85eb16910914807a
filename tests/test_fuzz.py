"""Property-based fuzzing of the expression language (issue 7).

Random expressions over every op the language has (+ - * / ^ @, unary minus, implicit products,
exp log ln sqrt sin cos tan tanh sigmoid relu abs, mean sum softmax log_softmax) at random values,
scalars and tensors of random shapes. Each one either
  - traces, and then agrees with torch.autograd (float64, rtol 1e-9) at every node and with
    central finite differences at every probed leaf (except at a relu/|x| kink), or reports the
    first nan/inf it met and checks as a mismatch; or
  - fails with an ExplainerError whose message is one of DOCUMENTED below.
No other exception may escape. Random text (token soup and arbitrary unicode) must only ever
trace or raise ExplainerError.

The default suite tries 200 expressions of each kind (derandomized: the same ones every run);
`pytest -m slow tests/test_fuzz.py` tries 2,000 of each with fresh randomness. Run with -s to see
the counts of outcomes.
"""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainer.api import trace
from explainer.errors import ExplainerError
from explainer.expr import parse

# Every message a user can get from an expression, as the code writes it (start of the sentence).
DOCUMENTED = [
    r"syntax error at (line \d+, )?column \d+: ",
    r"the expression is empty; write one such as J = 3\(a \+ bc\)$",
    r"no value for '.+': give it with --at .+=VALUE \(known: .*\)$",
    r"unknown name '.+'; known names: .* \(functions: .*\)$",
    r"cannot assign",
    # limits
    r"the expression is [\d,]+ characters long; the limit is [\d,]+ \(max_length\)$",
    r"the expression nests more than \d+ levels deep at column \d+ \(parentheses, powers, signs and calls count; max_depth\)$",
    r"the expression has more than [\d,]+ statements \(max_statements\)$",
    r"the exponent .+ at column \d+ is larger than the limit of [\d,]+ \(max_exponent\)$",
    r"the expression builds more than [\d,]+ graph nodes \(reached at column \d+; max_nodes\)$",
    r"'.+' at column \d+ would make a tensor of [\d,]+ elements; the limit is [\d,]+ \(max_elements\)$",
    # arithmetic (the scalar engine refuses undefined numbers)
    r"division by zero: .+ / 0 is undefined$",
    r"log of a non-positive number: log\(.+\) is undefined$",
    r"square root of a negative number: sqrt\(.+\) is not real$",
    r"power is undefined: \(.+\)\^\(.+\) is not a real number$",
    r"overflow: .+ is too large for a 64-bit float$",
    r"the gradient is undefined at .+: its local derivative ∂.+/∂.+ = .+ is infinite or undefined at .*$",
    # tensors
    r"cannot compute '.+' at column \d+: .+$",
    r"'@' \(matrix multiplication\) needs tensor operands, e\.g\. .+$",
    r"\w+\(\.\.\.\) needs a tensor argument$",
    r"matmul: shapes cannot be multiplied \(.+ and .+\)$",
    r"\w+ cannot be applied to tensors of shape .+$",
]
_DOCUMENTED = re.compile("|".join(f"(?:{p})" for p in DOCUMENTED))

UNARY = ["exp", "log", "ln", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs"]
REDUCE = ["mean", "sum", "softmax", "log_softmax"]
KINKS = {"relu", "abs"}
OUTCOMES: Counter = Counter()
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")


@pytest.fixture(scope="module", autouse=True)
def _print_counts():
    yield
    if OUTCOMES:
        print("\nfuzz outcomes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(OUTCOMES.items()))
              + f" (total {sum(OUTCOMES.values()):,})")


# ---------------------------------------------------------------------------------------------
# Strategies: expression text built from a random tree


def _expressions(leaves: list[str], tensor: bool):
    leaf = st.sampled_from(leaves) | st.sampled_from(["2", "0.5", "3", "1e-3", "pi", "e", "-1"])

    def grow(children):
        binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "^", " "] + (["@"] if tensor else [])),
                           children).map(_binary)
        power = st.tuples(children, st.sampled_from(["2", "3", "-1", "0.5", "1.5", "-2", "²", "⁻¹"])).map(_power)
        call = st.tuples(st.sampled_from(UNARY + (REDUCE if tensor else [])), children).map(
            lambda fx: f"{fx[0]}({fx[1]})")
        negate = children.map(lambda x: f"-({x})")
        return binary | power | call | negate

    return st.recursive(leaf, grow, max_leaves=10)


def _binary(parts) -> str:
    left, op, right = parts
    if op == " ":   # an implicit product: 2x, (a)(b)
        return f"({left})({right})"
    return f"({left}) {op} ({right})"


def _power(parts) -> str:
    base, exponent = parts
    if exponent in ("²", "⁻¹"):
        return f"({base}){exponent}"
    return f"({base})^{exponent}" if not exponent.startswith("-") else f"({base})^({exponent})"


_numbers = st.one_of(
    st.floats(-4, 4, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.0, math.pi / 2]),
)


@st.composite
def scalar_cases(draw):
    text = draw(_expressions(["a", "b", "c", "ab", "bc"], tensor=False))
    values = {name: draw(_numbers) for name in "abc"}
    return text, values


SHAPES = [(), (3,), (2, 3), (3, 2), (1, 3), (2, 1), (3, 3)]


@st.composite
def tensor_cases(draw):
    text = draw(_expressions(["x", "y", "W", "s"], tensor=True))
    values = {}
    for name in ("x", "y", "W"):
        shape = draw(st.sampled_from(SHAPES))
        size = int(np.prod(shape))
        values[name] = np.array(draw(st.lists(_numbers, min_size=size, max_size=size)), dtype=np.float64).reshape(shape)
    values["s"] = draw(_numbers)   # a plain number among tensors: a 0-d tensor
    return text, values


# ---------------------------------------------------------------------------------------------
# The property


def _kink_at_zero(graph) -> bool:
    """A relu or |x| whose input has an element at (or within rounding of) its kink."""
    for node in graph.nodes:
        if node.op in KINKS:
            x = np.abs(np.asarray(graph.nodes[node.inputs[0]].value, dtype=np.float64))
            if (x <= 1e-6 * max(1.0, float(np.max(x, initial=0.0)))).any():
                return True
    return False


def _difference_quotients(graph, row, steps, relative_to_x: bool = False) -> np.ndarray:
    """Central differences of the leaf `row` (every element) for each relative step in `steps`:
    h = step·max(1, |x|) as the check takes it, or h = step·|x| (for a tiny x: log(c²) at c = 1e-130)."""
    from explainer.check import _downstream, _float64, _objective
    from explainer.ops.backends import MATH, NUMPY

    leaf = graph[row.name]
    numeric = any(isinstance(n.value, np.ndarray) for n in graph.nodes)
    backend = NUMPY if numeric else MATH
    base = [_float64(n.value) for n in graph.nodes]
    down = _downstream(graph, leaf.id)
    seed = graph.output_node.grad
    value = np.asarray(leaf.value, dtype=np.float64)
    estimates = []
    for h_rel in steps:
        per = np.full(value.shape, np.nan)
        for flat in range(value.size):
            index = np.unravel_index(flat, value.shape)
            x = float(value[index])
            h = h_rel * (abs(x) if relative_to_x and x != 0 else max(1.0, abs(x)))
            sides = []
            for nudged in (x + h, x - h):
                moved = (nudged if backend is MATH else np.array(nudged)) if value.ndim == 0 else value.copy()
                if value.ndim:
                    moved[index] = nudged
                sides.append(_objective(graph, backend, base, down, leaf.id, moved, seed))
            per[index] = (sides[0] - sides[1]) / ((x + h) - (x - h))
        estimates.append(per)
    return np.array(estimates)


def _fd_explained(graph, row) -> str | None:
    """Why the check's one-step difference quotient may miss our gradient, or None if nothing does.

    The check uses one step (1e-6 relative) and a tight tolerance, so its quotient misses where the
    truncation error h²·f'''/6 beats 1e-12 (x³ + x³ at 0 gives 2e-12, not 0) or where the function
    is ill-conditioned (tan near π/2). Richardson extrapolation of two larger steps removes the h²
    term: if that lands on our gradient, ours is right; if the quotients for four steps disagree
    among themselves, no difference quotient is trustworthy there."""
    output = float(np.max(np.abs(np.asarray(graph.output_node.value, dtype=np.float64))))
    for relative_to_x in (False, True):
        d = _difference_quotients(graph, row, (1e-4, 5e-5), relative_to_x)
        richardson = (4 * d[1] - d[0]) / 3
        ours = np.broadcast_to(np.asarray(row.ours, dtype=np.float64), richardson.shape)
        allowed = 1e-6 * np.maximum(np.abs(ours), np.abs(richardson)) + 1e-8 * max(1.0, output)
        if np.isfinite(richardson).all() and (np.abs(ours - richardson) <= allowed).all():
            return "truncation" if not relative_to_x else "step too big for a tiny x"
    estimates = _difference_quotients(graph, row, (1e-4, 1e-5, 1e-6, 1e-7))
    if not np.isfinite(estimates).all():
        return "domain edge"   # a nudge crosses a domain edge: no trustworthy difference quotient
    spread = np.abs(estimates.max(axis=0) - estimates.min(axis=0))
    scale = np.maximum(np.abs(estimates).max(axis=0), 1.0)
    return "ill-conditioned" if (spread > 1e-5 * scale).any() else None


def check_expression(text: str, values: dict) -> str:
    """Trace `text` at `values` and hold it to the property; returns the outcome's name."""
    try:
        traced = trace(text, values)
    except ExplainerError as error:
        message = str(error).splitlines()[0]
        assert _DOCUMENTED.match(message), f"undocumented message for {text!r} at {values}: {message!r}"
        return "refused"
    report = traced.check()
    if report.nonfinite is not None:
        assert report.ok is False
        assert traced.nonfinite.node.name == report.nonfinite.node.name
        return "nan/inf reported"
    bad = [(row.name, row.ours, row.torch) for row in report.rows if not row.ok]
    assert report.ok, f"{text!r} at {values}: torch disagrees at {bad}"
    differing = [row for row in report.rows if row.fd_ok is False]
    if not differing:
        return "agrees"
    if _kink_at_zero(traced.graph):
        return "agrees (fd at a relu/abs kink)"
    reasons = set()
    for row in differing:
        reason = _fd_explained(traced.graph, row)
        assert reason, f"{text!r} at {values}: finite differences disagree at {row.name}: ours {row.ours}, fd {row.fd}"
        reasons.add(reason)
    return f"agrees (fd: {', '.join(sorted(reasons))})"


DEFAULT = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(max_examples=2000, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _record(kind: str, outcome: str) -> None:
    OUTCOMES[f"{kind}: {outcome}"] += 1


@DEFAULT
@given(scalar_cases())
def test_scalar_expressions_trace_and_agree_or_fail_clearly(case):
    _record("scalar", check_expression(*case))


@DEFAULT
@given(tensor_cases())
def test_tensor_expressions_trace_and_agree_or_fail_clearly(case):
    _record("tensor", check_expression(*case))


@pytest.mark.slow
@SLOW
@given(scalar_cases())
def test_scalar_expressions_slow(case):
    _record("scalar (slow)", check_expression(*case))


@pytest.mark.slow
@SLOW
@given(tensor_cases())
def test_tensor_expressions_slow(case):
    _record("tensor (slow)", check_expression(*case))


# ---------------------------------------------------------------------------------------------
# Random text: only a trace or an ExplainerError, never another exception

TOKENS = ["a", "b", "c", "bc", "x", "2", "3.5", "1e3", "1e999", ".5", "+", "-", "*", "/", "^", "**", "(", ")",
          "=", ";", "\n", ",", " ", "·", "×", "−", "²", "⁻¹", "@", "sin", "log", "ln", "exp", "sqrt", "relu",
          "mean", "π", "e", "#", ".", "[", "]", "'", "_", "J =", "__import__", "lambda", "\t", "(", ")"]


@st.composite
def token_soup(draw):
    return "".join(draw(st.lists(st.sampled_from(TOKENS), min_size=0, max_size=30)))


def _text_property(text: str) -> str:
    try:
        parse(text)
    except ExplainerError as error:
        assert _DOCUMENTED.match(str(error).splitlines()[0]), repr(str(error))
        return "refused by the parser"
    return check_expression(text, {"a": 1.5, "b": -0.5, "c": 2.0, "x": 0.25})


@DEFAULT
@given(token_soup() | st.text(max_size=40))
def test_random_text_traces_or_raises_a_documented_error(text):
    _record("text", _text_property(text))


@pytest.mark.slow
@SLOW
@given(token_soup() | st.text(max_size=60))
def test_random_text_slow(text):
    _record("text (slow)", _text_property(text))
