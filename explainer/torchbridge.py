"""The bridge to PyTorch, both ways.

`replay(graph)` re-runs one of our graphs op by op in torch.float64 and lets torch.autograd
compute the gradients: the referee for `explainer.check`. `from_torch(output)` reads the graph
torch itself recorded (`output.grad_fn` and its `next_functions`) into our `Graph`, so the same
renderer can draw what torch built.

torch is imported inside the functions, never at module import: the CLI must start fast.
"""
from __future__ import annotations
from explainer.i18n import N_, gettext

import math

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

FREED = N_("torch has already freed this graph's saved tensors (its backward() ran): read it before "
           "calling backward(), or call backward(retain_graph=True)")


class TorchGraph(Graph):
    """A graph read from torch's autograd. Its ops are the registry's, rebuilt in our engine from
    what torch kept, so every view works on it; `node.grad` is torch's gradient wherever torch
    computed one (each grad_fn's output, each leaf), `replayed` our engine's gradient of every
    node, and `torch_ids` the nodes torch gave a gradient: what the check compares."""

    def __init__(self, nodes, edges, output, steps, title="", replayed=None, torch_ids=frozenset(),
                 grad_fns=None):
        super().__init__(nodes, edges, output, steps, title)
        self.replayed = replayed or {}
        self.torch_ids = torch_ids
        self.grad_fns = grad_fns or {}   # node id -> the torch grad_fn class it stands for

    @property
    def dtype(self):
        return np.asarray(self.output_node.value).dtype


def from_torch(output, params=None, inputs: dict | None = None, title: str = "",
               gradients: bool = True, output_name: str | None = None, grad_output=None) -> TorchGraph:
    """Read torch's recorded graph behind `output` into our graph model, op by op.

    Each grad_fn is rebuilt as the registry's op(s) in our tensor engine (see `grad_fns.py`), from
    the leaves and the tensors torch saved for its backward; tensors torch does not differentiate
    (the input batch, a target) become constants. `params` is a dict name -> tensor or an
    `nn.Module` (its `named_parameters()`), `inputs` more names for leaf tensors; other leaves are
    leaf1, leaf2, …. Nodes torch made are named by their grad_fn class (`AddmmBackward0`); the
    output by `output_name` if given. torch's gradients come from one `torch.autograd.grad` call
    (the leaves' `.grad` are left alone), seeded with `grad_output` (what `backward(gradient)`
    was given; ones by default); gradients=False skips it: nodes then have grad None and the graph
    no steps (a forward picture).
    """
    import torch

    if not isinstance(output, torch.Tensor) or output.grad_fn is None:
        raise ExplainerError(gettext("from_torch needs a tensor computed from tensors that require grad (its grad_fn is None): set requires_grad=True on an input or parameter and compute it again"))
    from .graph import topological_order
    from .tensor import enable_grad

    names = _leaf_names(params, inputs)
    root = output.grad_fn
    fns, nexts = _walk(root)
    leaf = [_is_leaf(fn) for fn in fns]
    seed = torch.ones_like(output) if grad_output is None else \
        torch.as_tensor(grad_output).to(output.dtype).reshape(output.shape)
    captured = _gradients(torch, output, fns, leaf, seed) if gradients else {}
    if gradients and not captured:
        raise ExplainerError(gettext(FREED))
    values = _TorchValues(fns, nexts, output)
    made, origin, unknown = _rebuild(fns, nexts, leaf, names, values)
    from . import scopes  # the module call each grad_fn was made in, where record(model) watched

    scopes.tag_rebuilt(made, scopes.torch_groups(params))
    top = made[root][output.output_nr]
    if output_name:
        top.name = output_name
    with enable_grad():
        graph = Graph.build(top, seed=_numpy(seed).astype(top.value.dtype), title=title)
    order = topological_order(top)
    ids = {id(t): i for i, t in enumerate(order)}
    for i, t in enumerate(order):
        if id(t) in unknown:
            graph.nodes[i].value = None
    replayed = {n.id: n.grad for n in graph.nodes}
    torch_ids, grad_fns = set(), {}
    for key, (fn, k) in origin.items():
        i = ids.get(key)
        if i is None:
            continue
        if not _is_leaf(fn):
            grad_fns[i] = type(fn).__name__
        theirs = _torch_grad(fn, k, captured) if gradients else None
        if theirs is not None:
            graph.nodes[i].grad = _numpy(theirs)
            torch_ids.add(i)
    if not gradients:
        for node in graph.nodes:
            node.grad = None
        graph.steps = []
    return TorchGraph(graph.nodes, graph.edges, graph.output, graph.steps, title, replayed,
                      frozenset(torch_ids), grad_fns)


def _set_value(t, array) -> None:
    """Replace our tensor's numbers (the engine keeps them in `.value`, or `.data` in older ones)."""
    try:
        t.value = array
    except AttributeError:
        t.data = array


def _torch_grad(fn, k, captured):
    if _is_leaf(fn):
        got = captured.get(fn)
        return got if got is not None else fn.variable.grad
    outs = captured.get(fn)
    return None if outs is None or k >= len(outs) else outs[k]


def _rebuild(fns, nexts, leaf, names, values):
    """Our engine's tensors for every grad_fn's outputs (`made[fn]`), and which grad_fn output
    each of them stands for (`origin[id(tensor)] = (fn, k)`)."""
    from .grad_fns import READERS, unknown as unreadable_kind
    from .tensor import Tensor, enable_grad

    made, origin, unknown = {}, {}, set()
    leaf_count = 0
    with enable_grad():
        for fn, nf, is_leaf in zip(fns, nexts, leaf):
            if is_leaf:
                var = fn.variable
                name = names.get(id(var))
                if name is None:
                    leaf_count += 1
                    name = f"leaf{leaf_count}"
                t = Tensor(_array(var), requires_grad=True, name=name)
                t.attrs = {"role": "parameter" if id(var) in names.params else "input"}
                made[fn] = [t]
                origin[id(t)] = (fn, 0)
                continue
            kind = type(fn).__name__
            reader = READERS.get(kind)
            if reader is None:
                raise unreadable_kind(kind)
            ins = [None if nxt is None else made[nxt][k] for nxt, k in nf]
            result = reader(_Reader(fn, kind, ins, values, names, unknown))
            outs = result if isinstance(result, list) else [result]
            for k, t in enumerate(outs):
                if any(t is x for x in ins):   # a no-op (t() of a vector): the input stands for it
                    continue
                given = names.computed.get((fn, k))
                if given or len(outs) == 1:
                    t.name = given or kind
                origin[id(t)] = (fn, k)
                if id(t) in unknown:           # torch kept this value: the replay resumes from it
                    theirs = values.get(fn, k)
                    if theirs is not None:
                        _set_value(t, theirs.astype(t.value.dtype, copy=False))
                        unknown.discard(id(t))
            made[fn] = outs
    return made, origin, unknown


class _Reader:
    """What a grad_fn reader sees: the grad_fn, our tensors for its inputs (None for inputs torch
    does not differentiate), and helpers that read torch's saved tensors and apply our ops."""

    def __init__(self, fn, name, ins, values, names, unknown):
        self.fn, self.name, self.ins = fn, name, ins
        self._values, self._names = values, names
        self.unknown = unknown   # ids of our tensors whose values torch did not keep
        meta = fn._input_metadata
        self._dtype = _numpy_dtype(meta[0].dtype) if meta else None

    def saved(self, attr: str, default=...):
        try:
            value = getattr(self.fn, attr)
        except AttributeError:
            if default is ...:
                raise self.unreadable(f"torch kept no {attr[len('_saved_'):]}") from None
            return default
        except RuntimeError:
            raise ExplainerError(gettext(FREED)) from None
        if hasattr(value, "detach"):
            return _array(value)
        return _signed(value)

    def input(self, i: int, attr: str | None, role: str = "input"):
        """Our tensor for input i, or a constant from the tensor torch saved as `attr`."""
        if i < len(self.ins) and self.ins[i] is not None:
            return self.ins[i]
        if attr is None:
            return None
        raw = getattr(self.fn, attr, None) if attr else None
        value = self.saved(attr, None)
        if value is None:
            raise self.unreadable(f"its input {i + 1} is a constant torch did not keep")
        named = self._names.constant(raw) if raw is not None else None
        return self.const(value, named or role)

    def const(self, value, role: str):
        from .tensor import Tensor

        from .format import fmt

        value = np.asarray(value)
        if (value.dtype.kind == "f" or value.ndim == 0) and self._dtype is not None \
                and self._dtype.kind == "f":  # x * 2: torch's wrapped 2 must not widen float32
            value = value.astype(self._dtype, copy=False)
        if role == "constant" and value.size and (value == value.flat[0]).all():
            value = value.reshape(-1)[0].copy()        # worked out as out − x: one number really
        if value.ndim == 0 and role in ("input", "constant"):
            role = fmt(value)                              # a number is named by its value
        return Tensor(np.asarray(value), name=role)        # an array keeps its dtype (a numpy float64
                                                           # scalar would become a float32 tensor)

    def op(self, op_name: str, *inputs, name: str | None = None, **attrs):
        from .tensor import _apply

        with np.errstate(all="ignore"):   # nan from a lost constant is expected
            t = _apply(OPS[op_name], inputs, attrs or None)
        t.name = name or op_name
        if any(id(x) in self.unknown for x in inputs):
            self.unknown.add(id(t))
        return t

    def torch_output(self, k: int = 0):
        """The value torch saw for output k where it kept it, else None."""
        return self._values.get(self.fn, k)

    def lost_constant(self):
        """A constant torch kept nowhere (`x + 1` whose sum no later op saved): nan of the output's
        shape. Its gradient needs no value; values computed from it are unknown (None in the
        graph) until an op whose result torch kept (`_saved_result`) brings them back."""
        from .tensor import Tensor

        t = Tensor(np.full(self.output_shape(0), np.nan, dtype=self.output_dtype(0)),
                   name="constant (not kept by torch)")
        self.unknown.add(id(t))
        return t

    def output_shape(self, k: int = 0) -> tuple:
        return tuple(self.fn._input_metadata[k].shape)

    def output_dtype(self, k: int = 0):
        return _numpy_dtype(self.fn._input_metadata[k].dtype)

    def unreadable(self, why: str) -> ExplainerError:
        from .grad_fns import unreadable

        return unreadable(self.name, why)


class _TorchValues:
    """The values torch saw for grad_fn outputs: saved as a later op's input (`_saved_self`, …),
    as the op's own `_saved_result`, or the output itself. Collected on first use only: just an
    add or subtract with a constant operand needs them."""

    def __init__(self, fns, nexts, output):
        self._fns, self._nexts, self._output = fns, nexts, output
        self._known = None

    def get(self, fn, k: int):
        if self._known is None:
            self._known = self._collect()
        value = self._known.get((fn, k))
        return None if value is None else _array(value)

    def _collect(self) -> dict:
        from .grad_fns import SAVED_INPUTS

        known = {(self._output.grad_fn, self._output.output_nr): self._output}
        for fn, nf in zip(self._fns, self._nexts):
            try:
                result = getattr(fn, "_saved_result", None)
                if result is not None:
                    known.setdefault((fn, 0), result)
                for attr, index in SAVED_INPUTS.get(type(fn).__name__, {}).items():
                    if index < len(nf) and nf[index][0] is not None:
                        value = getattr(fn, attr, None)
                        if hasattr(value, "detach"):
                            known.setdefault(nf[index], value)
            except RuntimeError:
                raise ExplainerError(gettext(FREED)) from None
        return known


def _signed(value):
    """torch hands saved negative ints (dim=-1) back as unsigned 64-bit integers: undo that,
    inside tuples too."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 2**63:
        return value - 2**64
    if isinstance(value, (tuple, list)):
        return type(value)(_signed(v) for v in value)
    return value


def _numpy_dtype(torch_dtype):
    import torch

    return torch.empty((), dtype=torch_dtype).numpy().dtype


def _array(x) -> np.ndarray:
    """A numpy copy of a torch tensor's numbers (ours to keep: the user's tensor may change)."""
    return x.detach().cpu().numpy().copy()


class _Names(dict):
    """id(leaf tensor) -> name, remembering which ids are parameters; (grad_fn, output_nr) ->
    name for computed tensors the user named; storage address -> name for constants (torch saves
    a view of the input batch, not the tensor the user holds)."""

    def __init__(self):
        super().__init__()
        self.params: set[int] = set()
        self.computed: dict = {}
        self.storage: dict = {}

    def constant(self, tensor) -> str | None:
        name = self.get(id(tensor))
        if name is None and self.storage:
            name = self.storage.get(_address(tensor))
        return name


def _address(tensor):
    try:
        return tensor.untyped_storage().data_ptr(), tensor.dtype
    except (RuntimeError, NotImplementedError):
        return None


def _leaf_names(params, inputs) -> _Names:
    names = _Names()
    if params is not None:
        pairs = params.named_parameters() if hasattr(params, "named_parameters") else params.items()
        for name, tensor in pairs:
            names[id(tensor)] = name
            names.params.add(id(tensor))
    for name, tensor in (inputs or {}).items():
        if getattr(tensor, "grad_fn", None) is not None:
            names.computed.setdefault((tensor.grad_fn, tensor.output_nr), name)
            continue
        names.setdefault(id(tensor), name)
        if not tensor.requires_grad:
            names.storage.setdefault(_address(tensor), name)
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


def _gradients(torch, output, fns, leaf, seed) -> dict:
    """Gradients torch computes, caught with hooks: fn -> the gradients of fn's outputs (a tuple;
    for a leaf's AccumulateGrad, the leaf's gradient). Empty if the graph was freed."""
    captured = {}
    leaf_fns = [fn for fn, is_leaf in zip(fns, leaf) if is_leaf]
    leaves = [fn.variable for fn in leaf_fns]

    def hook_for(fn):
        def hook(grad_inputs, grad_outputs):
            captured[fn] = grad_outputs
        return hook

    handles = [fn.register_hook(hook_for(fn)) for fn, is_leaf in zip(fns, leaf) if not is_leaf]
    try:
        grads = torch.autograd.grad(output, leaves, seed, retain_graph=True,
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
    """The tensor's numbers as numpy (None stays None)."""
    if x is None:
        return None
    return x.detach().cpu().numpy()


# ---------------------------------------------------------------------------------------------
# The check of a torch graph: torch's gradients against our engine's replay of the same ops

FLOAT32_RTOL = 1e-4   # two float32 engines summing in different orders agree to about this


def precision_rtol(graph, rtol: float = 1e-9) -> float:
    """`rtol`, or FLOAT32_RTOL when the graph's values are float32 (a float32 engine cannot agree
    with a float64 replay, or with another float32 engine, to 1e-9)."""
    import numpy as np

    for node in graph.nodes:
        value = node.value
        if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.dtype.itemsize < 8:
            return max(rtol, FLOAT32_RTOL)
    return rtol


def check_torch_graph(graph: TorchGraph, rtol: float = 1e-9):
    """A `CheckReport` with one row per node torch gave a gradient: ours is the gradient our engine
    computed replaying the same ops (`graph.replayed`), torch's is `node.grad`. A float32 graph is
    compared to FLOAT32_RTOL at least. No finite differences: torch and our engine are the two
    opinions here, and a network's leaves are too many to probe."""
    from .check import CheckReport, CheckRow, compare
    from .numerics import first_nonfinite

    if graph.dtype != np.float64:
        rtol = max(rtol, FLOAT32_RTOL)
    rows = []
    for node in graph.nodes:
        if node.id not in graph.torch_ids:
            continue
        ours = graph.replayed.get(node.id)
        error, ok = _compare_same_dtype(ours, node.grad, rtol) or compare(ours, node.grad, rtol)
        rows.append(CheckRow(node.name, node.kind, node.value, ours, node.grad, None, error, ok, None))
    return CheckReport(graph.output_node.name, rows, rtol, first_nonfinite(graph))


def _compare_same_dtype(ours, theirs, rtol):
    """check.compare's verdict, computed in the arrays' own float dtype when they share one: a
    float32 network's 25M-weight gradient is not copied to float64 twice (seconds per check)."""
    if not (isinstance(ours, np.ndarray) and isinstance(theirs, np.ndarray)) or ours.ndim == 0 or \
            ours.dtype != theirs.dtype or ours.dtype.kind != "f" or ours.shape != theirs.shape:
        return None
    if not (np.isfinite(ours).all() and np.isfinite(theirs).all()):
        return math.inf, False
    diff = float(np.abs(ours - theirs).max())
    scale = float(max(np.abs(ours).max(), np.abs(theirs).max()))
    return (diff / scale if scale > 0 else 0.0), diff <= rtol * scale + 1e-12
