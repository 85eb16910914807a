"""The words and numbers written on the pictures: node labels, edge labels, box labels.

Every number goes through `fmt`. Tensors show their shape, and their numbers only while they
are small enough to read (at most `SMALL` elements).
"""
from __future__ import annotations

import re

from ..format import fmt
from ..i18n import N_, _, ngettext
from ..ops import OPS

ROLES = (N_("parameter"),)  # torch's leaves that are parameters (torchbridge), translated as roles
SMALL = 6  # a tensor with more elements than this shows its shape only


_PLAIN_NAME = re.compile(r"[\w\[\],.#]+")


def is_tensor(value) -> bool:
    shape = getattr(value, "shape", None)
    return shape is not None and len(shape) > 0


def shape_text(shape) -> str:
    return "[" + ", ".join(str(int(d)) for d in shape) + "]"


def value_text(value) -> str:
    """A number as `fmt` writes it; a tensor's numbers when small, else its shape."""
    if is_tensor(value) and value.size > SMALL:
        return shape_text(value.shape)
    return fmt(value)


def op_text(op: str | None) -> str:
    """The registry's symbol ("×", "σ"), or the raw name for ops read from torch ("AddmmBackward0")."""
    if op is None:
        return ""
    entry = OPS.get(op)
    return entry.symbol if entry is not None else op


def op_name(op: str | None) -> str:
    """The op as people call it: the registry's name, or torch's grad_fn read as its op
    ("AddmmBackward0" -> "linear")."""
    if op is None or op in OPS:
        return op or ""
    from ..scopes import torch_op

    return torch_op(op)


def is_grad_fn(op: str | None) -> bool:
    """Whether an op name is torch's grad_fn class ("AddmmBackward0"), read from a torch graph."""
    return bool(op) and op not in OPS and "Backward" in op


def grad_fn_of(graph, node) -> str | None:
    """torch's grad_fn behind a node of a torch graph: the graph's record of it where torch's
    ops were rebuilt in ours (`grad_fns`), or the op itself where it is the grad_fn's name."""
    recorded = getattr(graph, "grad_fns", None) or {}
    if node.id in recorded:
        return recorded[node.id]
    return node.op if is_grad_fn(node.op) else None


def partial(out: str, of: str) -> str:
    return f"∂{grouped(out)}/∂{grouped(of)}"


def grouped(name: str) -> str:
    """A name that is a formula ("a + bc") in parentheses, so ∂J/∂(a + bc) reads right."""
    return name if _PLAIN_NAME.fullmatch(name) else f"({name})"


def node_lines(node, output_name: str, view: str) -> list[str]:
    """The lines of a node's label: `name = value` and the op going forward, the accumulated
    gradient going backward, all three in the `both` view. Constants are just their value."""
    if node.kind == "const":
        return [_const_text(node)]
    if node.kind == "input":
        role = _(node.attrs.get("role", N_("input")) if node.attrs else N_("input"))
    else:
        role = op_text(node.op)
    role_lines = [role] if role and role != node.name else []
    if view == "forward":
        return [_value_line(node)] + role_lines
    if view == "both":
        return [_value_line(node)] + role_lines + [grad_line(node, output_name)]
    # backward: the gradient leads; an op keeps its symbol (its local gradients are on the edges)
    lines = [grad_line(node, output_name)] + (role_lines if node.kind == "op" else [])
    if is_tensor(node.value) and not lines[0].endswith(shape_text(node.value.shape)):
        lines.append(shape_text(node.value.shape))
    return lines


def grad_line(node, output_name: str) -> str:
    """`∂J/∂a = 3`; a big tensor's gradient shows only that it has the node's shape."""
    head = partial(output_name, node.name)
    if node.grad is None:
        return _("{head}: no gradient").format(head=head)
    if is_tensor(node.grad) and node.grad.size > SMALL:
        return f"{head}: {shape_text(node.grad.shape)}"
    return f"{head} = {fmt(node.grad)}"


def edge_text(edge, src, dst) -> str | None:
    """The local gradient on an edge: `∂v/∂b = c = 2`, `∂u/∂a = 1`; a tensor edge shows its
    vector-Jacobian rule; an edge into which no gradient flows has no label."""
    if not edge.grad:
        return None
    if edge.local is None and is_grad_fn(edge.text):   # torch's graph: say what flows back
        grad = getattr(src.grad, "shape", None)
        return _("gradient {shape}").format(shape=shape_text(grad)) if grad else None
    if edge.local is None:   # the rule was written in the language in force (Op.rules)
        return _("VJP: {rule}").format(rule=edge.text) if edge.text else None
    number = value_text(edge.local)
    head = partial(dst.name, src.name)
    if not edge.text or edge.text == number:
        return f"{head} = {number}"
    return f"{head} = {edge.text} = {number}"


def box_lines(title: str, members: int) -> list[str]:
    """A collapsed group: its name and how many nodes it stands for."""
    return [title, ngettext("{members} node", "{members} nodes", members).format(members=members)]


def _value_line(node) -> str:
    if node.value is None:
        return node.name
    if is_tensor(node.value):
        shape = shape_text(node.value.shape)
        if node.value.size > SMALL:
            return f"{node.name} {shape}"
        return f"{node.name} {shape} = {fmt(node.value)}"
    return f"{node.name} = {fmt(node.value)}"


def _const_text(node) -> str:
    if node.value is None:
        return node.name
    if is_tensor(node.value):
        return f"{node.name} {shape_text(node.value.shape)}" if node.value.size > SMALL else fmt(node.value)
    return fmt(node.value)
