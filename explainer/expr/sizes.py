"""Expressions of a chosen size: what the big-graph tests and benchmarks draw and time."""
from __future__ import annotations


def flat_sum(terms: int) -> tuple[str, dict[str, float]]:
    """`y = tanh(w0*x0 + w1*x1 + …)` and values for it: 4 nodes a term (w, x, the product, the +),
    small weights so that tanh stays away from its flat ends and every gradient is visible."""
    text = "y = tanh(" + " + ".join(f"w{i}*x{i}" for i in range(terms)) + ")"
    values = {}
    for i in range(terms):
        values[f"w{i}"] = ((i * 37) % 100 - 50) / 1000
        values[f"x{i}"] = ((i * 53) % 100 - 50) / 100
    return text, values
