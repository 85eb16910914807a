"""The docs' op table, written from the registry (docs/build.py puts it on the "Ops" page)."""
from __future__ import annotations

from .registry import OPS, Op


def markdown() -> str:
    """A Markdown page: one row per registered op, in registry order."""
    lines = ["# Ops", "",
             "Every op the engines know, generated from the op registry (`explainer/ops/`) when the "
             "docs are built. A new entry there is a new row here; see "
             "[Adding an op](adding-an-op.md).", "",
             "| op | how you call it | parameters | ∂out/∂input | torch | grad_fn |",
             "|---|---|---|---|---|---|"]
    for op in OPS.values():
        lines.append(f"| `{op.name}` | {_called(op)} | {_params(op)} | {_rule(op)} | "
                     f"{_torch(op)} | `{op.grad_fn}` |")
    return "\n".join(lines) + "\n"


def _called(op: Op) -> str:
    if op.operator and op.arity == 2:
        return f"`x {op.operator} y`"
    if op.operator:
        return f"`{op.operator}x`"
    ways = []
    if op.function:
        ways += [f"`x.{op.name}()`", f"`F.{op.name}(x)`"]
    if op.expression:
        ways.append(f"`{_example(op)}` in an expression")
    if op.aliases:
        ways.append("also " + ", ".join(f"`{a}`" for a in op.aliases))
    return ", ".join(ways) or "as in torch (tensor engine)"


def _example(op: Op) -> str:
    """`leaky_relu(x, 0.2)`: the shortest call, among its samples that give parameters."""
    written = [op.written(s) for s in op.samples if s.attrs and op.written(s)]
    return min(written, key=len) if written else f"{op.name}(x)"


def _params(op: Op) -> str:
    return ", ".join(f"`{name}={default!r}`" for name, default in op.params) or "—"


def _rule(op: Op) -> str:
    names = ["x", "y", "z"] if op.arity != -1 else ["xᵢ"]
    texts = [t.format(*names, out="out", **op.defaults) for t in op.rules()]
    if op.elementwise:
        return "; ".join(f"∂/∂{n}: {t}" for n, t in zip(names, texts)).replace("|", "\\|")
    return "; ".join(texts).replace("|", "\\|")


def _torch(op: Op) -> str:
    return f"`torch.{op.torch_name}`"
