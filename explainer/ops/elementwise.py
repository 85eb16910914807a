"""Elementwise ops, shared by the scalar and the tensor engine.

Each entry: the forward formula, the local derivative ∂out/∂x_i (elementwise), its text, and
torch's counterpart. The tensor engine multiplies the local derivative by the upstream gradient
and sums over broadcast dimensions; the scalar engine just multiplies.
"""
from .registry import Op, register


def _torch(fn: str):
    return lambda t, *xs, **_: getattr(t, fn)(*xs)


def unary(name, symbol, forward, local, text, grad_fn=None, torch_name=None):
    return register(Op(
        name=name, arity=1, symbol=symbol,
        forward=forward, local=local, text=(text,),
        torch=_torch(torch_name or name),
        grad_fn=grad_fn or f"{name.capitalize()}Backward0",
    ))


def binary(name, symbol, forward, local, text, grad_fn):
    return register(Op(
        name=name, arity=2, symbol=symbol,
        forward=forward, local=local, text=text,
        torch=_torch(name), grad_fn=grad_fn,
    ))


binary("add", "+", lambda m, x, y: x + y, lambda m, xs, out: (1.0, 1.0), ("1", "1"), "AddBackward0")
binary("sub", "−", lambda m, x, y: x - y, lambda m, xs, out: (1.0, -1.0), ("1", "-1"), "SubBackward0")
binary("mul", "×", lambda m, x, y: x * y, lambda m, xs, out: (xs[1], xs[0]), ("{1}", "{0}"), "MulBackward0")
# ∂(x/y)/∂y = -x/y² computed as torch does, -(x/y)/y: y·y can underflow where x/y does not
binary("div", "÷", lambda m, x, y: x / y,
       lambda m, xs, out: (1.0 / xs[1], -out / xs[1]), ("1/{1}", "-{0}/{1}²"), "DivBackward0")
# ∂(x^y)/∂y needs ln x: 0 at x = 0 (as torch), undefined (nan) below, which only matters when
# the exponent itself requires a gradient.
binary("pow", "^", lambda m, x, y: m.pow(x, y),
       lambda m, xs, out: (xs[1] * m.pow(xs[0], xs[1] - 1.0), out * m.pow_log(xs[0])),
       ("{1}·{0}^({1}-1)", "{out}·ln {0}"), "PowBackward1")

unary("neg", "−", lambda m, x: -x, lambda m, xs, out: (-1.0,), "-1")
unary("exp", "exp", lambda m, x: m.exp(x), lambda m, xs, out: (out,), "exp({0})")
unary("log", "ln", lambda m, x: m.log(x), lambda m, xs, out: (1.0 / xs[0],), "1/{0}")
unary("sqrt", "√", lambda m, x: m.sqrt(x), lambda m, xs, out: (0.5 / out,), "1/(2√{0})")
unary("sin", "sin", lambda m, x: m.sin(x), lambda m, xs, out: (m.cos(xs[0]),), "cos {0}")
unary("cos", "cos", lambda m, x: m.cos(x), lambda m, xs, out: (-m.sin(xs[0]),), "-sin {0}")
unary("tan", "tan", lambda m, x: m.tan(x), lambda m, xs, out: (1.0 + out * out,), "1 + tan²{0}")
unary("tanh", "tanh", lambda m, x: m.tanh(x), lambda m, xs, out: (1.0 - out * out,), "1 - tanh²{0}")
unary("sigmoid", "σ", lambda m, x: m.sigmoid(x), lambda m, xs, out: (out * (1.0 - out),),
      "σ({0})·(1 - σ({0}))")
unary("relu", "relu", lambda m, x: m.relu(x), lambda m, xs, out: (m.step(xs[0]),), "[{0} > 0]",
      grad_fn="ReluBackward0")
unary("abs", "|·|", lambda m, x: m.abs(x), lambda m, xs, out: (m.sign(xs[0]),), "sign {0}")
