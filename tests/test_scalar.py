"""The scalar engine: every op's value and gradient, accumulation, domain errors."""
import math

import pytest

from explainer.errors import ExplainerError, ExplainerMathError
from explainer.ops import OPS
from explainer.scalar import Scalar

# op, input values, expected output, expected gradients (by hand)
CASES = [
    ("add", (2.0, 3.0), 5.0, (1.0, 1.0)),
    ("sub", (2.0, 3.0), -1.0, (1.0, -1.0)),
    ("mul", (2.0, 3.0), 6.0, (3.0, 2.0)),
    ("div", (3.0, 2.0), 1.5, (0.5, -0.75)),
    ("pow", (2.0, 3.0), 8.0, (12.0, 8.0 * math.log(2.0))),
    ("pow", (4.0, -0.5), 0.5, (-0.0625, 0.5 * math.log(4.0))),
    ("neg", (2.0,), -2.0, (-1.0,)),
    ("exp", (1.0,), math.e, (math.e,)),
    ("log", (2.0,), math.log(2.0), (0.5,)),
    ("sqrt", (4.0,), 2.0, (0.25,)),
    ("sin", (0.5,), math.sin(0.5), (math.cos(0.5),)),
    ("cos", (0.5,), math.cos(0.5), (-math.sin(0.5),)),
    ("tan", (0.5,), math.tan(0.5), (1 / math.cos(0.5) ** 2,)),
    ("tanh", (0.5,), math.tanh(0.5), (1 - math.tanh(0.5) ** 2,)),
    ("sigmoid", (0.0,), 0.5, (0.25,)),
    ("relu", (-1.0,), 0.0, (0.0,)),
    ("relu", (2.0,), 2.0, (1.0,)),
    ("abs", (-3.0,), 3.0, (-1.0,)),
]


@pytest.mark.parametrize("op, inputs, value, grads", CASES)
def test_each_op_value_and_gradient(op, inputs, value, grads):
    xs = [Scalar(v, f"x{i}") for i, v in enumerate(inputs)]
    y = Scalar.apply(op, *xs)
    y.backward()
    assert y.value == pytest.approx(value, rel=1e-12)
    assert [x.grad for x in xs] == pytest.approx(list(grads), rel=1e-12)


def test_the_hand_computed_cases_are_registry_ops():
    # every op is held to torch in test_registry.py; these are worked by hand, a second opinion
    assert {c[0] for c in CASES} <= {name for name, op in OPS.items() if op.elementwise}


def test_sigmoid_is_stable_far_from_zero():
    assert Scalar.apply("sigmoid", Scalar(-800.0)).value == 0.0
    assert Scalar.apply("sigmoid", Scalar(800.0)).value == 1.0


def test_constants_get_no_gradient_and_python_numbers_mix_in():
    x = Scalar(2.0, "x")
    y = 3 - x / 4 + 2 ** x
    y.backward()
    assert y.value == pytest.approx(3 - 0.5 + 4)
    assert x.grad == pytest.approx(-0.25 + 4 * math.log(2))


def test_backward_accumulates_until_zeroed_like_micrograd():
    x = Scalar(3.0, "x")
    (x * x).backward()
    (x * x).backward()
    assert x.grad == 12.0


@pytest.mark.parametrize("build, message", [
    (lambda: Scalar(1.0) / Scalar(0.0), "division by zero: 1 / 0 is undefined"),
    (lambda: Scalar(-2.0).log(), r"log of a non-positive number: log\(-2\) is undefined"),
    (lambda: Scalar(-4.0).sqrt(), r"square root of a negative number: sqrt\(-4\) is not real"),
    (lambda: Scalar(-8.0) ** (1 / 3), r"power is undefined: \(-8\)\^\(0.333333\) is not a real number"),
    (lambda: Scalar(9.0) ** (9.0 ** 9.0), "overflow: 9 \\^ 387420489 is too large for a 64-bit float"),
    (lambda: Scalar(1000.0).exp(), r"overflow: exp\(1000\) is too large for a 64-bit float"),
])
def test_undefined_arithmetic_is_one_clear_sentence(build, message):
    with pytest.raises(ExplainerMathError, match=message):
        build()


def test_backward_through_an_undefined_derivative_is_one_sentence():
    y = Scalar(0.0, "x").sqrt()
    with pytest.raises(ExplainerMathError, match=r"^the gradient is undefined at √x: its local "
                                                 r"derivative ∂\(√x\)/∂x = 1/\(2·√x\) is infinite or undefined at x = 0$"):
        y.backward()


def test_division_and_power_gradients_follow_torchs_formulas_at_the_edges():
    tiny = Scalar(4.798262367857438e-160, "a")  # a·a is subnormal, (a/a)/a is not
    (tiny / tiny).backward()
    assert tiny.grad == 0.0
    x, y = Scalar(0.0, "x"), Scalar(2.0, "y")
    (x ** y).backward()
    assert (x.grad, y.grad) == (0.0, 0.0)  # torch takes ∂(x^y)/∂y = 0 at x = 0


# -- micrograd and minitorch habits ------------------------------------------------------------------

def test_data_is_micrograds_name_for_value():
    w = Scalar(0.5, "w")
    (w * 3).backward()
    w.data -= 0.1 * w.grad          # micrograd's update step
    assert w.value == w.data == pytest.approx(0.2)


def test_comparisons_are_by_value_and_hashing_stays_by_identity():
    a, b, c = Scalar(2.0, "a"), Scalar(2.0, "b"), Scalar(3.0, "c")
    assert a == b and a != c and a < c and c > a and a <= b and c >= b
    assert a == 2 and 3.0 > a and not (a == "2") and a != None  # noqa: E711
    assert len({a, b}) == 2 and {a: 1, b: 2}[b] == 2   # equal numbers, two nodes
    y = a * b + a          # the walk keys its dicts by node: a and b stay apart
    y.backward()
    assert (a.grad, b.grad) == (3.0, 2.0)


def test_backward_with_a_seed_gradient_scales_every_gradient():
    x = Scalar(3.0, "x")
    y = x * x
    y.backward(0.5)
    assert x.grad == 3.0 and y.grad == 0.5
    x.grad = 0.0
    (x * x).backward(Scalar(2.0))
    assert x.grad == 12.0
    with pytest.raises(ExplainerError, match="backward\\(gradient\\) takes a number or a Scalar, not str"):
        (x * x).backward("1")
