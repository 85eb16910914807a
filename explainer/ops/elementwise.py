"""Elementwise ops, shared by the scalar and the tensor engine.

Each entry: the forward formula, the local derivative ∂out/∂x_i (elementwise), its text, torch's
counterpart, and the sample points the tests check it at. The tensor engine multiplies the local
derivative by the upstream gradient and sums over broadcast dimensions; the scalar engine just
multiplies. A `unary` op is a function (x.exp(), exp(x) in an expression) unless it is an operator.
"""
from .registry import Op, Sample, register


def samples(*points, **attrs) -> tuple[Sample, ...]:
    """One Sample per point; a point is a number (one input) or a tuple (one number per input)."""
    return tuple(Sample(p if isinstance(p, tuple) else (p,), dict(attrs)) for p in points)


def unary(name, symbol, forward, local, text, samples, grad_fn=None, torch_name=None,
          operator=None, params=(), aliases=(), kinks=()):
    return register(Op(
        name=name, arity=1, symbol=symbol,
        forward=forward, local=local, text=(text,),
        torch_name=torch_name or name,
        grad_fn=grad_fn or "".join(part.capitalize() for part in name.split("_")) + "Backward0",
        function=operator is None, expression=operator is None, operator=operator,
        params=params, aliases=aliases, kinks=kinks, samples=samples,
    ))


def binary(name, symbol, forward, local, text, grad_fn, operator, samples):
    return register(Op(
        name=name, arity=2, symbol=symbol,
        forward=forward, local=local, text=text,
        grad_fn=grad_fn, operator=operator, samples=samples,
    ))


binary("add", "+", lambda m, x, y: x + y, lambda m, xs, out: (1.0, 1.0), ("1", "1"), "AddBackward0",
       "+", samples((1.5, -2.25), (0.3, 0.7)))
binary("sub", "−", lambda m, x, y: x - y, lambda m, xs, out: (1.0, -1.0), ("1", "-1"), "SubBackward0",
       "-", samples((1.5, -2.25), (0.3, 0.7)))
binary("mul", "×", lambda m, x, y: x * y, lambda m, xs, out: (xs[1], xs[0]), ("{1}", "{0}"),
       "MulBackward0", "*", samples((1.5, -2.25), (0.3, 0.7)))
# ∂(x/y)/∂y = -x/y² computed as torch does, -(x/y)/y: y·y can underflow where x/y does not
binary("div", "÷", lambda m, x, y: x / y,
       lambda m, xs, out: (1.0 / xs[1], -out / xs[1]), ("1/{1}", "-{0}/{1}²"), "DivBackward0",
       "/", samples((1.5, -2.25), (0.3, 0.7)))
# ∂(x^y)/∂y needs ln x: 0 at x = 0 (as torch), undefined (nan) below, which only matters when
# the exponent itself requires a gradient.
binary("pow", "^", lambda m, x, y: m.pow(x, y),
       lambda m, xs, out: (xs[1] * m.pow(xs[0], xs[1] - 1.0), out * m.pow_log(xs[0])),
       ("{1}·{0}^({1}-1)", "{out}·ln {0}"), "PowBackward1",
       "^", samples((2.0, 3.0), (4.0, -0.5), (1.3, 1.7)))

unary("neg", "−", lambda m, x: -x, lambda m, xs, out: (-1.0,), "-1", samples(2.0, -0.5), operator="-")
unary("exp", "exp", lambda m, x: m.exp(x), lambda m, xs, out: (out,), "exp({0})", samples(1.0, -0.7))
unary("log", "ln", lambda m, x: m.log(x), lambda m, xs, out: (1.0 / xs[0],), "1/{0}",
      samples(2.0, 0.3), aliases=("ln",))
unary("sqrt", "√", lambda m, x: m.sqrt(x), lambda m, xs, out: (0.5 / out,), "1/(2√{0})",
      samples(4.0, 0.3))
unary("sin", "sin", lambda m, x: m.sin(x), lambda m, xs, out: (m.cos(xs[0]),), "cos {0}",
      samples(0.5, -2.0))
unary("cos", "cos", lambda m, x: m.cos(x), lambda m, xs, out: (-m.sin(xs[0]),), "-sin {0}",
      samples(0.5, -2.0))
unary("tan", "tan", lambda m, x: m.tan(x), lambda m, xs, out: (1.0 + out * out,), "1 + tan²{0}",
      samples(0.5, -1.2))
unary("tanh", "tanh", lambda m, x: m.tanh(x), lambda m, xs, out: (1.0 - out * out,), "1 - tanh²{0}",
      samples(0.5, -1.2))
unary("sigmoid", "σ", lambda m, x: m.sigmoid(x), lambda m, xs, out: (out * (1.0 - out),),
      "σ({0})·(1 - σ({0}))", samples(0.0, 1.3, -2.5))
unary("relu", "relu", lambda m, x: m.relu(x), lambda m, xs, out: (m.step(xs[0]),), "[{0} > 0]",
      samples(2.0, -1.0), kinks=(0.0,))
unary("abs", "|·|", lambda m, x: m.abs(x), lambda m, xs, out: (m.sign(xs[0]),), "sign {0}",
      samples(-3.0, 0.8), kinks=(0.0,))
unary("leaky_relu", "leaky relu",
      lambda m, x, negative_slope: m.relu(x) - negative_slope * m.relu(-x),
      lambda m, xs, out, negative_slope: (m.step(xs[0]) + negative_slope * (1.0 - m.step(xs[0])),),
      "[{0} > 0] + {negative_slope}·[{0} ≤ 0]",
      samples(1.5, -0.8) + samples(-2.0, 0.7, negative_slope=0.2),
      torch_name="nn.functional.leaky_relu", params=(("negative_slope", 0.01),), kinks=(0.0,))
