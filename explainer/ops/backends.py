"""Two backends for the same formulas: `MATH` on Python floats (fast for the scalar engine) and
`NUMPY` on arrays (the tensor engine). An op's forward and local rules are written once against
this small vocabulary."""
from __future__ import annotations

import math

import numpy as np


class MATH:
    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    sqrt = staticmethod(math.sqrt)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    tan = staticmethod(math.tan)
    tanh = staticmethod(math.tanh)
    pow = staticmethod(math.pow)
    abs = staticmethod(abs)
    nan = math.nan

    @staticmethod
    def sigmoid(x):
        # two branches so that neither exp can overflow
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        z = math.exp(x)
        return z / (1.0 + z)

    @staticmethod
    def relu(x):
        return x if x > 0 else 0.0

    @staticmethod
    def step(x):
        return 1.0 if x > 0 else 0.0

    @staticmethod
    def sign(x):
        return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)

    @staticmethod
    def pow_log(x):
        """ln x as ∂(x^y)/∂y = x^y·ln x needs it: torch takes that partial as 0 at x = 0."""
        return math.log(x) if x > 0 else (0.0 if x == 0 else math.nan)


class NUMPY:
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sqrt = staticmethod(np.sqrt)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    tan = staticmethod(np.tan)
    tanh = staticmethod(np.tanh)
    pow = staticmethod(np.power)
    abs = staticmethod(np.abs)
    sign = staticmethod(np.sign)
    nan = np.nan

    @staticmethod
    def sigmoid(x):
        # exp of -|x| never overflows; pick the branch per element
        z = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))

    @staticmethod
    def relu(x):
        return np.maximum(x, 0)

    @staticmethod
    def step(x):
        return (x > 0).astype(np.result_type(x, np.float32))

    @staticmethod
    def pow_log(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(x > 0, np.log(np.where(x > 0, x, 1)), np.where(x == 0, 0.0, np.nan))
