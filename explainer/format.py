"""How numbers are written everywhere: in pictures, tables, explanations and JSON-free text."""
from __future__ import annotations

import math


def fmt(x, digits: int = 6) -> str:
    """33.0 → "33", 0.25 → "0.25", 1/3 → "0.333333"; arrays as nested lists of the same."""
    if hasattr(x, "ndim") and x.ndim > 0:
        return "[" + ", ".join(fmt(v, digits) for v in x) + "]"
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{digits}g}"
