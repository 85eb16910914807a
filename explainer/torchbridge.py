"""The bridge to PyTorch, both ways.

`replay(graph)` re-runs one of our graphs op by op in torch.float64 and lets torch.autograd
compute the gradients: the referee for `explainer.check`. `from_torch(output)` reads the graph
torch itself recorded (`output.grad_fn` and its `next_functions`) into our `Graph`, so the same
renderer can draw what torch built.

torch is imported inside the functions, never at module import: the CLI must start fast.
"""
from __future__ import annotations

import numpy as np

from .errors import ExplainerError
from .graph import Edge, Graph, GraphStep, Node
from .ops import OPS


# ---------------------------------------------------------------------------------------------
# Our graph -> torch


def replay(graph: Graph) -> dict:
    """Torch's gradient of the graph's output for every node that wants one, keyed by node id.

    Leaves become float64 tensors (requiring grad when their kind is "input"), op nodes apply the
    registry's torch counterpart to their inputs' tensors. Backward is seeded with the output's
    own gradient in `graph` (1 for scalars, ones or the given vector for tensors), so torch
    answers the same question we did. Nodes no gradient reaches are left out.
    """
    import torch

    tensors = []
    for node in graph.nodes:  # ids are topological positions: inputs come first
        if node.kind == "op":
            xs = [tensors[i] for i in node.inputs]
            t = OPS[node.op].torch(torch, *xs, **node.attrs)
            if t.requires_grad:
                t.retain_grad()
        else:
            t = torch.tensor(node.value, dtype=torch.float64,
                             requires_grad=node.kind == "input")
        tensors.append(t)
    out = tensors[graph.output]
    seed = _seed(torch, graph.output_node, out)
    if not out.requires_grad:  # a constant expression: only d(out)/d(out) = seed is defined
        return {graph.output: seed}
    out.backward(seed)
    return {i: t.grad for i, t in enumerate(tensors) if t.grad is not None}


def _seed(torch, node: Node, out):
    if node.grad is None:
        return torch.ones_like(out)
    return torch.as_tensor(np.asarray(node.grad, dtype=np.float64)).reshape(out.shape)


# ---------------------------------------------------------------------------------------------
# torch's graph -> ours


def from_torch(output, params=None, inputs: dict | None = None, title: str = "",
               gradients: bool = True) -> Graph:
    """Read torch's recorded graph behind `output` into a `Graph`, one node per grad_fn.

    `params` is a dict name -> tensor or an `nn.Module` (its `named_parameters()`), `inputs` more
    names for leaf tensors; leaves torch records (AccumulateGrad) take these names, others are
    called leaf1, leaf2, …. Op nodes are named and labelled by torch's grad_fn class
    (`AddmmBackward0`); their value is known where torch saved it (`_saved_result`) and at the
    output. Gradients come from one `torch.autograd.grad` call (the leaves' `.grad` are left
    alone); if the graph was already freed by a `backward()`, leaves show their `.grad`.
    Tensors that don't require grad (a network's input batch) are not part of torch's graph.
    gradients=False skips that backward pass (and its hook on every grad_fn), for pictures that
    show no gradients (the forward view): nodes then have grad None and the graph no steps.
    """
    import torch

    if not isinstance(output, torch.Tensor) or output.grad_fn is None:
        raise ExplainerError("from_torch needs a tensor computed from tensors that require grad "
                             "(its grad_fn is None): set requires_grad=True on an input or "
                             "parameter and compute it again")
    names = _leaf_names(params, inputs)
    fns, nexts = _walk(output.grad_fn)  # nexts[i]: fns[i].next_functions (torch builds it anew
    ids = {fn: i for i, fn in enumerate(fns)}  # on every read: read once)
    leaf = [_is_leaf(fn) for fn in fns]
    captured = _gradients(torch, output, fns, leaf) if gradients else {}

    from . import scopes  # which module call made each grad_fn, where record(model) watched

    groups = scopes.torch_groups(params)
    op_names = scopes.torch_names(fns, leaf, groups)
    leaf_count = 0
    raw_names = []
    for fn, is_leaf, op_name in zip(fns, leaf, op_names):
        if is_leaf:
            var = fn.variable
            name = names.get(id(var))
            if name is None:
                leaf_count += 1
                name = f"leaf{leaf_count}"
            raw_names.append(name)
        else:
            raw_names.append(op_name)
    unique = _numbered(raw_names)

    nodes, edges = [], []
    for i, fn in enumerate(fns):
        grad = captured.get(fn) if gradients else None
        if leaf[i]:
            var = fn.variable
            if gradients and grad is None and var.grad is not None:
                grad = var.grad
            nodes.append(Node(id=i, name=unique[i], kind="input", op=None, inputs=(),
                              value=_numpy(var), grad=_numpy(grad),
                              attrs={"role": "parameter" if id(var) in names.params else "input"}))
        else:
            value = output if fn is output.grad_fn else _saved_result(fn)
            op = type(fn).__name__
            kept = tuple([ids[nxt] for nxt, _ in nexts[i] if nxt is not None])
            nodes.append(Node(id=i, name=unique[i], kind="op", op=op, inputs=kept,
                              value=_numpy(value), grad=_numpy(grad), group=groups.get(fn)))
            edges += [Edge(src=src, dst=i, index=index, local=None, text=op, grad=True)
                      for index, src in enumerate(kept)]
    # the backward walk in torch's terms: outputs first (reverse topological order)
    graph_steps = []
    for i in range(len(fns) - 1, -1, -1):
        contributions = captured.get(("in", fns[i]))
        if contributions is None:
            continue
        kept = [(pos, nxt) for pos, (nxt, _) in enumerate(nexts[i]) if nxt is not None]
        graph_steps += [GraphStep(node=i, input=ids[nxt], index=index, upstream=nodes[i].grad,
                                  local=None, contribution=_numpy(contributions[pos]))
                        for index, (pos, nxt) in enumerate(kept) if contributions[pos] is not None]
    return Graph(nodes, edges, ids[output.grad_fn], graph_steps, title)


def _numbered(names: list[str]) -> list[str]:
    """Repeated names get #2, #3, … in order of appearance (one dict lookup per name: a
    3,000-deep chain of SinBackward0 stays linear)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def _saved_result(fn):
    """The op's output where torch kept it for backward (exp, tanh, relu, log_softmax, …)."""
    try:
        return getattr(fn, "_saved_result", None)
    except RuntimeError:  # freed by an earlier backward()
        return None


class _Names(dict):
    """id(leaf tensor) -> name, remembering which ids are parameters."""

    def __init__(self):
        super().__init__()
        self.params: set[int] = set()


def _leaf_names(params, inputs) -> _Names:
    names = _Names()
    if params is not None:
        pairs = params.named_parameters() if hasattr(params, "named_parameters") else params.items()
        for name, tensor in pairs:
            names[id(tensor)] = name
            names.params.add(id(tensor))
    for name, tensor in (inputs or {}).items():
        names.setdefault(id(tensor), name)
    return names


def _is_leaf(fn) -> bool:
    return hasattr(fn, "variable")  # AccumulateGrad holds the leaf tensor


def _walk(root) -> tuple[list, list]:
    """Every grad_fn behind `root`, inputs before users (iterative DFS over next_functions, in
    their order, so the numbering is the same on every run), and each one's next_functions."""
    order, nexts, seen = [], [], {root}
    first = root.next_functions
    stack = [(root, first, iter(first))]
    while stack:
        fn, nf, pending = stack[-1]
        for nxt, _ in pending:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                more = nxt.next_functions
                stack.append((nxt, more, iter(more)))
                break
        else:
            stack.pop()
            order.append(fn)
            nexts.append(nf)
    return order, nexts


def _gradients(torch, output, fns, leaf) -> dict:
    """Gradients torch computes, caught with hooks: fn -> d(output)/d(fn's output) and
    ("in", fn) -> what fn sends to each of its next_functions. Empty if the graph was freed."""
    captured = {}
    leaf_fns = [fn for fn, is_leaf in zip(fns, leaf) if is_leaf]
    leaves = [fn.variable for fn in leaf_fns]

    def hook_for(fn):
        def hook(grad_inputs, grad_outputs):
            if len(grad_outputs) == 1:
                captured[fn] = grad_outputs[0]
            captured[("in", fn)] = grad_inputs
        return hook

    handles = [fn.register_hook(hook_for(fn)) for fn, is_leaf in zip(fns, leaf) if not is_leaf]
    try:
        grads = torch.autograd.grad(output, leaves, torch.ones_like(output), retain_graph=True,
                                    allow_unused=True)
    except RuntimeError:  # saved tensors already freed by an earlier backward()
        return {}
    finally:
        for handle in handles:
            handle.remove()
    for fn, g in zip(leaf_fns, grads):
        captured[fn] = g
    return captured


def _numpy(x):
    """The tensor's numbers as numpy. A 0-d tensor (every node of a scalar network) goes through
    `.item()`: 5-20x cheaper than detach().cpu().numpy(), which dominated from_torch's time."""
    if x is None:
        return None
    if x.dim() == 0:
        dtype = _NUMPY_DTYPES.get(x.dtype)
        if dtype is None:
            dtype = _NUMPY_DTYPES[x.dtype] = x.detach().cpu().numpy().dtype
        return np.array(x.item(), dtype=dtype)
    return x.detach().cpu().numpy()


_NUMPY_DTYPES: dict = {}  # torch dtype -> numpy dtype, learnt from the first tensor of each

