"""The expression language: parsing textbook notation, tracing it, and every error it can give."""
from __future__ import annotations

import math

import numpy as np
import pytest

from explainer.errors import ExplainerError, ExplainerMathError
from explainer.expr import (FUNCTIONS, ExpressionError, ExpressionLimitError, ExpressionSyntaxError,
                            MissingValueError, UnknownNameError, limits, parse, trace_expression)
from explainer.expr.tree import Binary, Call, Group, Name, Number, Unary
from explainer.graph import Graph
from explainer.scalar import Scalar

ABC = {"a": 5.0, "b": 3.0, "c": 2.0}


def traced(text, **values):
    out = trace_expression(text, values)
    return out, Graph.build(out)


def value(text, **values):
    return trace_expression(text, values).value


def error(text, values=None, **limits_):
    with pytest.raises(ExplainerError) as info:
        trace_expression(text, ABC if values is None else values, **limits_)
    return info.value


# -- the worked examples ---------------------------------------------------------------------------

def test_j_abc_in_textbook_notation():
    out, g = traced("J = 3(a + bc)", **ABC)
    assert isinstance(out, Scalar) and out.name == "J" and out.value == 33
    assert (g["a"].grad, g["b"].grad, g["c"].grad) == (3, 6, 9)
    # unnamed intermediates are called by their source text
    assert g["bc"].value == 6 and g["bc"].op == "mul"
    assert g["a + bc"].value == 11 and g["a + bc"].grad == 3
    assert g["3"].kind == "const"
    assert g.output_node.name == "J"


def test_j_abc_step_by_step_names_every_assignment():
    out, g = traced("v = bc; u = a + v; J = 3u", **ABC)
    assert out.value == 33
    assert [n.name for n in g.nodes if n.kind != "const"] == ["a", "b", "c", "v", "u", "J"]
    assert (g["v"].value, g["u"].value) == (6, 11)
    assert (g["a"].grad, g["b"].grad, g["c"].grad) == (3, 6, 9)
    assert (g["u"].grad, g["v"].grad) == (3, 3)


def test_statements_on_lines_with_comments_and_blank_lines():
    text = "# the EXAMPLES.md j-abc graph\nv = b*c\n\nu = a +\n  v  # not continued: see below\nJ = 3u\n"
    with pytest.raises(ExpressionSyntaxError):
        trace_expression(text, ABC)   # a newline outside parentheses ends `u = a +`
    out, g = traced("v = b*c\nu = (a +\n  v)  # parentheses continue a line\nJ = 3u\n", **ABC)
    assert out.value == 33 and g["u"].value == 11


def test_sigmoid_chain():
    out, g = traced("f = (1 + e^(-x))^(-1)", x=0.0)
    assert out.value == 0.5 and g["x"].grad == 0.25
    # f'(x) = f(1 - f) at another point too
    out, g = traced("f = (1 + e^(-x))^(-1)", x=1.3)
    f = 1 / (1 + math.exp(-1.3))
    assert out.value == pytest.approx(f, rel=1e-12)
    assert g["x"].grad == pytest.approx(f * (1 - f), rel=1e-12)


@pytest.mark.parametrize("text, derivative", [
    ("x^5", lambda x, y: 5 * x ** 4),
    ("x*y", lambda x, y: y),
    ("5e^x", lambda x, y: 5 * math.exp(x)),
    ("5 ln x", lambda x, y: 5 / x),
])
def test_basic_rules(text, derivative):
    x, y = 1.7, -2.3
    out, g = traced(text, x=x, y=y)
    assert out.name == "f"
    assert g["x"].grad == pytest.approx(derivative(x, y), rel=1e-12)


def test_cos_square():
    out, g = traced("f = -(cos(x1)^2 + cos(x2)^2)^2", x1=math.pi / 3, x2=math.pi / 6)
    assert out.value == pytest.approx(-1, rel=1e-12)
    assert g["x1"].grad == pytest.approx(2 * math.sin(2 * math.pi / 3), rel=1e-12)
    assert g["x2"].grad == pytest.approx(2 * math.sin(math.pi / 3), rel=1e-12)
    assert round(g["x1"].grad, 7) == round(g["x2"].grad, 7) == 1.7320508


def test_gradients_match_torch_autograd():
    torch = pytest.importorskip("torch")
    text = "f = sin(x y)^2 + ln(1 + x²) / sqrt(y) - tanh x · sigmoid y + relu(x - y) + abs(y) e^-x"
    x, y = 0.7, 1.9
    _, g = traced(text, x=x, y=y)
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    tf = (torch.sin(tx * ty) ** 2 + torch.log(1 + tx ** 2) / torch.sqrt(ty)
          - torch.tanh(tx) * torch.sigmoid(ty) + torch.relu(tx - ty) + torch.abs(ty) * torch.exp(-tx))
    tf.backward()
    assert g["f"].value == pytest.approx(tf.item(), rel=1e-12)
    assert g["x"].grad == pytest.approx(tx.grad.item(), rel=1e-9)
    assert g["y"].grad == pytest.approx(ty.grad.item(), rel=1e-9)


# -- precedence and notation -----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("-x^2", -9.0),                 # -(x^2)
    ("(-x)^2", 9.0),
    ("2^3^2", 512.0),               # right-associative
    ("2**3**2", 512.0),
    ("x - y - 1", 3 - 2 - 1.0),     # left-associative
    ("x / y / 2", 3 / 2 / 2),
    ("x / y z", 3 / 2 * 4),          # implicit product is as tight as '*', not tighter
    ("1 + x * y", 7.0),
    ("e^-x", math.exp(-3)),
    ("e^-x^2", math.exp(-9)),
    ("2^-1", 0.5),
    ("-2x", -6.0),
    ("2x^2", 18.0),                 # 2·(x^2)
    ("sin x^2", math.sin(9)),       # sin(x^2)
    ("sin(x)^2", math.sin(3) ** 2),
    ("sin x y", math.sin(3) * 2),   # sin(x)·y
    ("ln x + 1", math.log(3) + 1),
    ("2 sin x cos x", math.sin(6)),
    ("x²", 9.0),
    ("x⁻¹", 1 / 3),
    ("x·y", 6.0), ("x×y", 6.0), ("x − y", 1.0), ("x ÷ y", 1.5),
    ("3(x + y)", 15.0),
    ("(x + y)(x - y)", 5.0),
    ("x y z", 24.0),
    ("2(x)(y)", 12.0),
    ("5e^x", 5 * math.exp(3)),
    ("5 ln x", 5 * math.log(3)),
    ("1e-3x", 0.003),
    (".5x", 1.5),
    ("2.5e2", 250.0),
    ("+x", 3.0),
    ("- -x", 3.0),
    ("2 pi", 2 * math.pi), ("2π", 2 * math.pi), ("e", math.e),
    ("2πz", 2 * math.pi * 4),       # π and e count as known letters when splitting

    ("sqrt(x z) + abs(-y) + exp 0", math.sqrt(12) + 2 + 1),
])
def test_precedence_and_notation(text, expected):
    assert value(text, x=3.0, y=2.0, z=4.0) == pytest.approx(expected, rel=1e-12)


def test_syntax_tree_carries_columns_and_spans():
    program = parse("J = 3(a + bc)")
    (statement,) = program.statements
    assert statement.target.id == "J" and statement.target.column == 1
    product = statement.value
    assert isinstance(product, Binary) and product.implicit and product.op == "*"
    assert product.column == 5
    assert isinstance(product.left, Number) and product.left.value == 3.0
    group = product.right
    assert isinstance(group, Group) and group.column == 6
    plus = group.inner
    assert isinstance(plus, Binary) and plus.op == "+" and plus.column == 7
    assert isinstance(plus.right, Name) and plus.right.id == "bc" and plus.right.column == 11
    assert program.text[plus.start:plus.end] == "a + bc"


def test_tree_shapes_for_signs_calls_and_lines():
    (s,) = parse("-x^2").statements
    assert isinstance(s.value, Unary) and isinstance(s.value.operand, Binary)
    (s,) = parse("x^-1").statements
    assert isinstance(s.value.right, Number) and s.value.right.value == -1.0   # -1 is a constant
    (s,) = parse("ln x").statements
    assert isinstance(s.value, Call) and s.value.function == "ln" and s.value.argument.id == "x"
    first, second = parse("a = 1\n  b = a").statements
    assert (second.target.line, second.target.column) == (2, 3)


def test_implicit_product_of_known_letters():
    out, g = traced("J = 2abc", **ABC)
    assert out.value == 60
    assert g["ab"].value == 15 and g["abc"].value == 30   # partial products named by their letters
    assert (g["a"].grad, g["b"].grad, g["c"].grad) == (12, 20, 30)


def test_a_known_multi_letter_name_is_not_split():
    assert value("bc + 1", b=3.0, c=2.0, bc=10.0) == 11


def test_earlier_assignments_take_part_in_splitting():
    assert value("u = a + b; J = uc", **ABC) == 16


def test_constants_unless_the_user_defines_them():
    assert value("e^1") == pytest.approx(math.e, rel=1e-15)
    assert value("e^1", e=2.0) == 2.0
    assert value("pi = 3; 2 pi") == 6.0
    assert value("π") == math.pi
    _, g = traced("f = pi x", x=1.0)
    assert g["f"].grad == 1 and [n.kind for n in g.nodes if n.name != "f"] == ["const", "input"]


def test_bare_expression_output_is_f_and_long_intermediates_are_unnamed():
    out, g = traced("(alpha + beta) * (alpha - beta) + 1", alpha=3.0, beta=1.0)
    assert out.name == "f" and out.value == 9
    # "alpha + beta" is 12 characters: named; the product's text is longer: left for t1, t2, …
    assert g["alpha + beta"].value == 4 and g["alpha - beta"].value == 2
    assert g["t1"].value == 8


def test_assigning_an_existing_node_does_not_rename_it():
    out, g = traced("u = a; J = 2u", **ABC)
    assert out.value == 10 and g["a"].grad == 2
    assert "u" not in [n.name for n in g.nodes]


def test_output_that_is_a_leaf_keeps_its_name():
    out = trace_expression("a", ABC)
    assert out.name == "a" and out.value == 5


def test_whitelist_is_the_registrys_expression_ops_and_their_aliases():
    from explainer.ops import OPS

    expected = {name for op in OPS.values() if op.expression for name in (op.name, *op.aliases)}
    assert set(FUNCTIONS) == expected
    assert {"exp", "ln", "relu", "sum", "softmax"} <= expected
    assert FUNCTIONS["ln"].method == "log"
    assert {f for f, spec in FUNCTIONS.items() if spec.tensor_only} == {
        op.name for op in OPS.values() if op.expression and not op.elementwise}
    assert {"mean", "sum", "softmax", "log_softmax"} <= {f for f, s in FUNCTIONS.items() if s.tensor_only}


# -- errors ------------------------------------------------------------------------------------------

def test_unexpected_closing_parenthesis():
    exc = error("J = 3a)")
    assert isinstance(exc, ExpressionSyntaxError) and exc.column == 7
    assert str(exc) == "syntax error at column 7: unexpected ')'\n  J = 3a)\n        ^"


def test_unclosed_parenthesis_names_the_opening_one():
    exc = error("J = 3(a + (b")
    assert exc.column == 11
    assert str(exc) == "syntax error at column 11: '(' is never closed\n  J = 3(a + (b\n            ^"
    assert error("sin((x)", {"x": 1.0}).column == 4


@pytest.mark.parametrize("text, column, reason", [
    ("__import__('os').system('id')", 1, "unexpected character '_' (names start with a letter)"),
    ("a.__class__", 2, "unexpected character '.' (attribute access is not part of the notation)"),
    ("lambda: 1", 7, "unexpected character ':'"),
    ("[x for x in ()]", 1,
     "unexpected character '[' (brackets are only for array values given with --at)"),
    ("{a}", 1, "unexpected character '{'"),
    ("a + 'b'", 5, "unexpected character \"'\" (the notation has no strings)"),
    ("a % b", 3, "unexpected character '%'"),
    ("2.5.3", 4, "unexpected '.' after the number '2.5'"),
    ("a +", 4, "the expression ends too early"),
    ("a + * b", 5, "unexpected '*'"),
    ("a // b", 4, "unexpected '/'"),
    ("a == b", 4, "unexpected '=' (assign with `name = expression` at the start of a statement)"),
    ("3 3", 3, "unexpected number '3' (write '*' to multiply numbers)"),
    ("()", 2, "unexpected ')'"),
    ("sin", 4, "sin needs an argument, e.g. sin(x)"),
    ("sin()", 5, "sin() needs an argument"),
    ("sin(a, b)", 6, "sin takes one argument"),
    ("(a; b)", 3, "expected ')' to close the '(' at column 1, found ';'"),
    ("sin = 3", 1, "cannot assign to 'sin': it is a function"),
    ("1e999", 1, "number '1e999' is too large for a 64-bit float"),
])
def test_syntax_errors(text, column, reason):
    exc = error(text)
    assert isinstance(exc, ExpressionSyntaxError)
    assert exc.column == column and exc.reason == reason
    first, source, caret = str(exc).split("\n")
    assert first == f"syntax error at column {column}: {reason}"
    assert source == f"  {text}" and caret == "  " + " " * (column - 1) + "^"


def test_syntax_error_on_a_later_line_says_the_line():
    exc = error("a = 1\nb = a +)\n")
    assert (exc.line, exc.column) == (2, 8)
    assert str(exc) == "syntax error at line 2, column 8: unexpected ')'\n  b = a +)\n         ^"


def test_syntax_error_in_a_long_line_shows_a_window():
    text = "x + " * 5000 + ")"
    exc = error(text, {"x": 1.0})
    assert exc.column == 20001
    first, source, caret = str(exc).split("\n")
    assert first == "syntax error at column 20001: unexpected ')'"
    assert len(source) < 100 and source.endswith("x + )") and caret.index("^") == source.index(")")


def test_unknown_name():
    exc = error("foo + a")
    assert isinstance(exc, UnknownNameError) and not isinstance(exc, MissingValueError)
    assert (exc.column, exc.name) == (1, "foo")
    assert str(exc) == f"unknown name 'foo'; known names: a, b, c (functions: {', '.join(FUNCTIONS)})"
    assert ", ln, " in str(exc) and "log_softmax" in str(exc)


@pytest.mark.parametrize("text, name, column", [("a + b * c", "c", 9), ("J = 3(a + bc)", "c", 11),
                                                ("x1 + a", "x1", 1), ("a + w_2", "w_2", 5)])
def test_missing_value(text, name, column):
    exc = error(text, {"a": 5.0, "b": 3.0})
    assert isinstance(exc, MissingValueError) and exc.column == column
    assert str(exc) == f"no value for {name!r}: give it with --at {name}=VALUE (known: a, b)"


def test_a_name_used_before_it_is_assigned():
    exc = error("u = a + v; v = b", {"a": 1.0, "b": 2.0})
    assert str(exc) == "no value for 'v': give it with --at v=VALUE (known: a, b)" and exc.column == 9


@pytest.mark.parametrize("text, message", [
    ("9**9**9", "overflow: 9 ^ 387420489 is too large for a 64-bit float"),
    ("log(-1)", "log of a non-positive number: log(-1) is undefined"),
    ("1/0", "division by zero: 1 / 0 is undefined"),
    ("a / (b - 3)", "division by zero: 5 / 0 is undefined"),
    ("sqrt(-b)", "square root of a negative number: sqrt(-3) is not real"),
])
def test_math_errors(text, message):
    exc = error(text)
    assert isinstance(exc, ExplainerMathError) and str(exc) == message


def test_tensor_functions_need_tensors():
    exc = error("mean(a)")
    assert type(exc) is ExpressionError and exc.column == 1
    assert str(exc) == "mean(...) needs a tensor argument"
    assert str(error("1 + softmax(a b)")) == "softmax(...) needs a tensor argument"
    exc = error("a @ b")
    assert str(exc) == ("'@' (matrix multiplication) needs tensor operands, "
                        "e.g. --at \"W=[[1,2],[3,4]],x=[1,1]\"")


@pytest.mark.parametrize("values, message", [
    ({"sin": 1.0}, "'sin' is a function, so it cannot be a variable; rename it"),
    ({"x y": 1.0}, "'x y' is not a variable name: use a letter, then letters, digits or '_'"),
    ({"__class__": 1.0}, "'__class__' is not a variable name: use a letter, then letters, digits or '_'"),
    ({"a": float("inf")}, "the value of 'a' is not a finite number: inf"),
    ({"a": "5"}, "the value of 'a' is not a number: '5'"),
])
def test_bad_values(values, message):
    assert str(error("1", values)) == message


def test_nothing_is_ever_executed(tmp_path):
    marker = tmp_path / "pwned"
    hostile = [f"__import__('os').system('touch {marker}')", "a.__class__.__bases__",
               "lambda: 1", "[x for x in ()]", "exec('1')", "eval", "open", "globals()"]
    for text in hostile:
        with pytest.raises(ExplainerError):
            trace_expression(text, ABC)
    assert not marker.exists()
    assert str(error("globals")).startswith("unknown name 'globals'; known names: a, b, c")


def test_empty_expression():
    for text in ("", "  ", "; ;\n", "# only a comment"):
        assert str(error(text)) == "the expression is empty; write one such as J = 3(a + bc)"


# -- limits ------------------------------------------------------------------------------------------

def nested(depth: int) -> str:
    return "(" * depth + "x" + ")" * depth


def test_nesting_up_to_the_limit_works():
    assert value(nested(20), x=2.0) == 2.0
    assert value(nested(limits.MAX_DEPTH), x=2.0) == 2.0
    assert value("-" * 150 + "x", x=2.0) == 2.0
    assert value("^".join(["x"] * 100), x=1.0) == 1.0


def test_nesting_past_the_limit():
    exc = error(nested(201), {"x": 1.0})
    assert isinstance(exc, ExpressionLimitError) and exc.column == 202
    assert str(exc) == ("the expression nests more than 200 levels deep at column 202 (parentheses, "
                        "powers, signs and calls count; max_depth)")
    assert error(nested(6), {"x": 1.0}, max_depth=5).column == 7
    assert value(nested(6), x=1.0) == 1.0


def test_module_level_limits_are_the_defaults(monkeypatch):
    monkeypatch.setattr(limits, "MAX_DEPTH", 3)
    monkeypatch.setattr(limits, "MAX_LENGTH", 10)
    monkeypatch.setattr(limits, "MAX_STATEMENTS", 2)
    assert isinstance(error(nested(4), {"x": 1.0}), ExpressionLimitError)
    assert str(error("a + b + c + a")) == "the expression is 13 characters long; the limit is 10 (max_length)"
    exc = error("a; b; c")
    assert str(exc) == "the expression has more than 2 statements (max_statements)" and exc.column == 7
    assert value("a; b", a=1.0, b=2.0) == 2.0


@pytest.mark.parametrize("text", [
    nested(30_000), "-" * 90_000 + "x", "^".join(["x"] * 40_000), "sin " * 20_000 + "x",
    "(" * 99_999,
])
def test_deep_hostile_input_is_rejected_without_recursion_error(text):
    exc = error(text, {"x": 1.0})
    assert isinstance(exc, ExpressionLimitError)
    assert "nests more than 200 levels deep" in str(exc)


def test_a_raised_depth_limit_still_cannot_escape_as_recursion_error():
    exc = error(nested(30_000), {"x": 1.0}, max_depth=1_000_000)
    assert str(exc) == "the expression nests too deeply for Python's recursion limit; lower max_depth"


def test_too_long():
    exc = error("x" * 100_001, {"x": 1.0})
    assert str(exc) == "the expression is 100,001 characters long; the limit is 100,000 (max_length)"


def test_long_flat_product_parses_and_traces():
    text = "*".join(["x"] * 20_000)
    out = trace_expression(text, {"x": 1.0001})
    assert out.name == "f" and out.value == pytest.approx(1.0001 ** 20_000, rel=1e-9)
    out.backward()
    leaf = out
    while leaf.inputs:     # walk down the left spine to the leaf x
        leaf = leaf.inputs[0]
    assert leaf.name == "x"
    assert leaf.grad == pytest.approx(20_000 * 1.0001 ** 19_999, rel=1e-9)


# -- array values ------------------------------------------------------------------------------------

def test_mean_of_square_with_tensor_values():
    tensor = pytest.importorskip("explainer.tensor")
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    out = trace_expression("y = x + 2; z = 3 y y; out = mean(z)", {"x": x})
    assert isinstance(out, tensor.Tensor) and out.name == "out"
    g = Graph.build(out, seed=np.ones_like(out.value))
    assert float(out.value) == pytest.approx((3 * (x + 2) ** 2).mean(), rel=1e-12)
    np.testing.assert_allclose(g["x"].grad, [[4.5, 6.0], [7.5, 9.0]], rtol=1e-12)
    assert g["y"].shape == (2, 2) and g["z"].shape == (2, 2)


def test_matmul_and_scalar_values_mix_with_tensors():
    pytest.importorskip("explainer.tensor")
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    out = trace_expression("h = W @ v + b; L = sum(h²)", {"W": W, "v": np.array([1.0, -1.0]), "b": 0.5})
    g = Graph.build(out, seed=np.ones_like(out.value))
    h = W @ np.array([1.0, -1.0]) + 0.5
    assert float(out.value) == pytest.approx((h ** 2).sum(), rel=1e-12)
    np.testing.assert_allclose(g["W"].grad, np.outer(2 * h, [1.0, -1.0]), rtol=1e-12)
    assert float(g["b"].grad) == pytest.approx((2 * h).sum(), rel=1e-12)
    assert g["W @ v"].shape == (2,)


def test_tensor_shape_errors_are_explainer_errors():
    pytest.importorskip("explainer.tensor")
    with pytest.raises(ExplainerError):
        trace_expression("x + v", {"x": np.ones((2, 2)), "v": np.ones(3)})
