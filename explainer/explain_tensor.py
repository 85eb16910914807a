"""Tensor explanations as maths: one vector-Jacobian rule per edge, with shapes, and the fused
rules a course names (softmax cross-entropy).

    ∂L/∂W1 = ∂L/∂h · xᵀ   [3×1]·[1×2]
    ∂L/∂z = softmax(z)·sum(y) - y = softmax(z) - y   (softmax cross-entropy: y sums to 1)

A rule is the registry's text for the op with `grad` written as the gradient arriving
(∂L/∂out) and every operand written by the formula printer (names the user typed, or the
sub-expression: never t1).
"""
from __future__ import annotations
from explainer.i18n import _

import re

import numpy as np

from .expr.printer import to_text
from .formulas import references
from .ops import OPS

_GRAD = re.compile(r"(?<![A-Za-z_])grad(?![a-z_])")   # `gradᵀ` too: ᵀ is a letter to \b


def _shape(value) -> tuple:
    return tuple(getattr(value, "shape", ()))


def shape_text(shape) -> str:
    return "[" + "×".join(str(int(d)) for d in shape) + "]" if shape else "[]"


def _grouped(text: str) -> str:
    atom = re.fullmatch(r"[\w\[\],.]+|\w+\([^()]*\)|\[[^\[\]]*\]", text)
    return text if atom else f"({text})"


def names(graph) -> list[str]:
    cached = getattr(graph, "_printed", None)
    if cached is None:
        cached = graph._printed = [to_text(r) for r in references(graph)]
    return cached


def partial(graph, output: str, node_id: int) -> str:
    return f"∂{_grouped(output)}/∂{_grouped(names(graph)[node_id])}"


def rule(graph, edge, output: str) -> str:
    """`∂L/∂src = <rule in terms of ∂L/∂dst>  [shapes]` for one tensor edge."""
    dst, src = graph.nodes[edge.dst], graph.nodes[edge.src]
    printed = names(graph)
    upstream = partial(graph, output, dst.id)
    head = partial(graph, output, src.id)
    op = OPS.get(dst.op)
    if op is None:     # a node read from torch: its edge's text, or its grad_fn's name
        if edge.text:
            return f"{head} = {_with_upstream(edge.text, upstream)}"
        return _("{head} = VJP of {op}({upstream})").format(head=head, op=dst.op, upstream=upstream)
    operands = [printed[i] for i in dst.inputs]
    if op.elementwise:
        local = edge.text
        local = _GRAD.sub("", local).strip(" ·,") if local else ""
        from .formulas import _template, _substitute, references as refs
        template = _template(dst.op, edge.index)
        if template is not None:
            r = refs(graph)
            slots = dict(zip([f"𝑋{k}" for k in range(8)], [r[i] for i in dst.inputs]))
            slots["𝑋out"] = r[dst.id]
            local = to_text(_substitute(template, slots))
        elif op.text:   # relu's [x > 0], |x|'s sign x: the registry's words, operands printed
            shown = op.rules()
            local = shown[min(edge.index, len(shown) - 1)].format(*operands, out=printed[dst.id])
        text = {"1": upstream, "-1": f"-{upstream}"}.get(local, f"{upstream} ⊙ {_grouped(local)}")
        if _shape(src.value) != _shape(dst.value):
            text = _("{text}, summed to {shape}").format(text=text, shape=shape_text(_shape(src.value)))
        return f"{head} = {text}"
    shown = op.rules()   # in the language in force: "grad broadcast to the shape of {0}"
    template = shown[0] if op.arity == -1 else shown[edge.index]
    index_names = [printed[edge.src]] if op.arity == -1 else operands
    text = template.format(*(_grouped(n) for n in index_names), out=_grouped(printed[dst.id]))
    return f"{head} = {_with_upstream(text, upstream)}  {_shapes(graph, dst, edge)}"


def _with_upstream(text: str, upstream: str) -> str:
    """The registry's `grad` written as the gradient arriving: grad · Wᵀ → ∂L/∂h · Wᵀ."""
    text = _GRAD.sub("\0", text)
    return text.replace("\0ᵀ", f"({upstream})ᵀ").replace("\0", upstream)


def _shapes(graph, dst, edge) -> str:
    """The shapes of the rule's factors: `[3×1]·[1×2]` for a matrix product, else in → out."""
    up = _shape(dst.value)
    inputs = [_shape(graph.nodes[i].value) for i in dst.inputs]
    t = lambda s: s[:-2] + (s[-1], s[-2]) if len(s) >= 2 else s  # noqa: E731
    if dst.op == "matmul" and all(len(s) >= 2 for s in inputs) and len(up) >= 2:
        factors = (up, t(inputs[1])) if edge.index == 0 else (t(inputs[0]), up)
        return "·".join(shape_text(s) for s in factors)
    if dst.op == "linear" and edge.index < 2 and len(up) == 2:
        factors = (up, inputs[1]) if edge.index == 0 else (t(up), inputs[0])
        return "·".join(shape_text(s) for s in factors)
    return f"{shape_text(up)} → {shape_text(inputs[edge.index] if edge.index < len(inputs) else ())}"


def fused(graph, path_edges, output: str) -> str | None:
    """Softmax cross-entropy written as a course writes it, when the path is
    -sum(y ⊙ log_softmax(z)) (or its mean), or a cross_entropy op."""
    nodes = graph.nodes
    ops = [nodes[e.dst].op for e in path_edges]
    if ops and ops[-1] == "cross_entropy":
        z, y = (names(graph)[i] for i in nodes[path_edges[-1].dst].inputs)
        return f"∂{_grouped(output)}/∂{_grouped(z)} = (softmax({z}) - onehot({y}))/N"
    if len(ops) < 3 or ops[-1] != "log_softmax" or ops[-2] != "mul":
        return None
    rest = [op for op in ops[:-2]]
    if not rest or rest[-1] not in ("sum", "mean") or any(op not in ("neg", "sum", "mean") for op in rest) \
            or rest.count("neg") != 1:
        return None
    mul = nodes[path_edges[-2].dst]
    other = nodes[mul.inputs[1 - path_edges[-2].index]]
    z = names(graph)[path_edges[-1].src]
    y = names(graph)[other.id]
    scale = "/N" if "mean" in rest else ""
    text = f"∂{_grouped(output)}/∂{_grouped(z)} = " + (f"(softmax({z})·sum({y}) - {y})/N" if scale
                                                         else f"softmax({z})·sum({y}) - {y}")
    targets = np.asarray(other.value, dtype=np.float64)
    if targets.size and np.allclose(targets.sum(axis=-1), 1) and np.isin(targets, (0, 1)).all():
        # y is a one-hot row: y = onehot(class), sum(y) = 1
        short = f"(softmax({z}) - {y})/N" if scale else f"softmax({z}) - {y}"
        return f"{text} = {short}   " + _("(softmax cross-entropy, {y} = onehot(class))").format(y=y)
    return text + "   " + _("(softmax cross-entropy)")


def lines(graph, path_edges, output: str, total_text: str) -> list[str]:
    """The derivation along one path: a rule per edge from the output down, then the fused rule
    where one is known, then the value."""
    out = [rule(graph, e, output) for e in path_edges]
    known = fused(graph, path_edges, output)
    if known:
        out.append(known)
    return out
