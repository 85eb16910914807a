"""`--at` values: numbers, constant expressions and nested lists."""
from __future__ import annotations

import math

import numpy as np
import pytest

from explainer.errors import ExplainerError
from explainer.expr import trace_expression
from explainer.graph import Graph
from explainer.values import ValuesError, parse_values


def test_plain_numbers():
    assert parse_values("a=5,b=3,c=2") == {"a": 5.0, "b": 3.0, "c": 2.0}
    values = parse_values(" a = -1e-3 , b=.5,c=+2.5E2 ")
    assert values == {"a": -0.001, "b": 0.5, "c": 250.0}
    assert all(type(v) is float for v in values.values())


def test_constant_expressions():
    values = parse_values("x1=pi/3,x2=π/6,k=2π,r=sqrt(2),n=-e,p=2^10,h=1/2 + 1/4")
    assert values["x1"] == pytest.approx(math.pi / 3, rel=1e-15)
    assert values["x2"] == pytest.approx(math.pi / 6, rel=1e-15)
    assert values["k"] == pytest.approx(2 * math.pi, rel=1e-15)
    assert values["r"] == pytest.approx(math.sqrt(2), rel=1e-15)
    assert values["n"] == -math.e
    assert values["p"] == 1024.0
    assert values["h"] == 0.75


def test_arrays():
    values = parse_values("x=[[1,2],[3,4]],b=0.5,v=[pi, -1e-3, sqrt(4)]")
    x = values["x"]
    assert isinstance(x, np.ndarray) and x.dtype == np.float64 and x.shape == (2, 2)
    np.testing.assert_array_equal(x, [[1, 2], [3, 4]])
    assert values["b"] == 0.5
    np.testing.assert_allclose(values["v"], [math.pi, -0.001, 2.0], rtol=1e-15)
    assert parse_values("t=[[[1],[2]]]")["t"].shape == (1, 2, 1)
    assert parse_values("s = [ 1 , 2 ] ")["s"].tolist() == [1.0, 2.0]


def test_trailing_comma_and_empty_text():
    assert parse_values("a=1,") == {"a": 1.0}
    assert parse_values("") == {}


def test_cos_square_values_trace_to_the_example():
    out = trace_expression("f = -(cos(x1)^2 + cos(x2)^2)^2", parse_values("x1=pi/3,x2=pi/6"))
    g = Graph.build(out)
    assert out.value == pytest.approx(-1.0, rel=1e-12)
    assert g["x1"].grad == pytest.approx(1.7320508075688772, rel=1e-9)
    assert g["x2"].grad == pytest.approx(1.7320508075688772, rel=1e-9)


@pytest.mark.parametrize("text, message", [
    ("a", "'a' needs a value: write NAME=VALUE, e.g. a=5"),
    ("a=", "'a=' needs a value: write NAME=VALUE, e.g. a=5"),
    ("a=1,a=2", "'a' is given twice"),
    ("sin=3", "'sin' is a function, so it cannot be a variable; rename it"),
    ("1a=3", "'1a' is not a variable name: use a letter, then letters, digits or '_'"),
    ("a.b=3", "'a.b' is not a variable name: use a letter, then letters, digits or '_'"),
    ("a=foo", "the value of 'a' may use numbers, pi, π and e, but not 'foo'"),
    ("a=b", "the value of 'a' may use numbers, pi, π and e, but not 'b'"),
    ("a=1/0", "cannot compute the value of 'a': division by zero: 1 / 0 is undefined"),
    ("a=1e999", "the value of 'a' is too large for a 64-bit float: 1e999"),
    ("a=9^9^9", "cannot compute the value of 'a': overflow: 9 ^ 387420489 is too large for a 64-bit float"),
    ("a=b=3", "the value of 'a' must be one expression, not 'b=3'"),
    ("a=1;2", "the value of 'a' must be one expression, not '1;2'"),
    ("a=__import__('os')", "cannot read the value of 'a' (\"__import__('os')\"): syntax error at column 1: "
                           "unexpected character '_' (names start with a letter)"),
    ("a=[1 2]", "cannot read the value of 'a' ('1 2'): syntax error at column 3: unexpected number '2' "
                "(write '*' to multiply numbers)"),
    ("a=[[1],[2,3]]", "the array of 'a' is ragged: every row needs the same number of entries"),
    ("a=[[1],2]", "the array of 'a' is ragged: every row needs the same number of entries"),
    ("a=[1,,2]", "the array of 'a' has an empty entry before ','"),
    ("a=[1,2,]", "the array of 'a' has an empty entry before ']'"),
    ("a=[]", "the array of 'a' is empty"),
    ("a=[1][2]", "unexpected '[' after the array of 'a'"),
    ("a=[1,2", "a '[' or '(' in the values is never closed"),
    ("a=1]", "']' at position 4 closes nothing"),
    ("a=[1,mean(2)]", "cannot compute the value of 'a': mean(...) needs a tensor argument"),
    ("a=" + "[" * 40 + "1" + "]" * 40, "the array of 'a' has more than 32 dimensions"),
])
def test_errors(text, message):
    with pytest.raises(ValuesError) as info:
        parse_values(text)
    assert isinstance(info.value, ExplainerError)
    assert str(info.value) == message


def test_length_limit():
    with pytest.raises(ValuesError) as info:
        parse_values("a=" + "1" * 20, max_length=10)
    assert str(info.value) == "the values are 22 characters long; the limit is 10"


def test_a_large_array():
    text = "x=[" + ",".join(str(i) for i in range(10_000)) + "]"
    x = parse_values(text)["x"]
    assert x.shape == (10_000,) and x[-1] == 9999.0
