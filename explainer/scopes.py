"""Which module call made each node: the module path every network view groups by.

A `Call` is one call of one module: its attribute path (`fc1`, `conv.0`; "" for the model
itself), its type (`Linear`), which call of that module it is (an RNN cell called at every time
step), its parameters and the shapes that went in and came out. A node's `group` is a `Scope`:
a plain string, "MnistNet/fc1" (so every view that clusters by group keeps working), that also
carries the chain of calls from the outermost to the innermost (`scope.calls`).

Our engine: `Module.__call__` calls `enter`/`leave` around `forward`. torch: `record(model)`
registers forward pre/post hooks on every sub-module for the length of a `with` block, and
`from_torch(output, model)` reads what they found (`torch_groups`).

Nodes are tagged after the call returns, walking back from its outputs to its inputs: every node
on the way that no inner call has claimed belongs to this call. The walk stops at the call's
inputs, at leaves and at nodes another call made, so its cost is the call's own nodes.
"""
from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass, field

from .tensor import Tensor, is_grad_enabled


@dataclass(eq=False)
class Call:
    """One call of one module."""

    path: str                  # "fc1", "conv.0"; "" for the model (the outermost call)
    kind: str                  # the module's class name: "Linear"
    index: int = 1             # 1 for the first call of this module, 2 for the second, …
    parent: "Call | None" = None
    params: list = field(default_factory=list)   # [(full name "fc1.weight", shape, key), …]
    in_shapes: list = field(default_factory=list)
    out_shapes: list = field(default_factory=list)
    children: int = 0          # how many calls were made inside this one
    stops: set | None = field(default=None, repr=False)   # id() of its inputs, while it runs

    @property
    def label(self) -> str:
        """What people read: the attribute path (the class name for the model), "#2" for a
        second call of the same module."""
        base = self.path or self.kind
        return base if self.index == 1 else f"{base} #{self.index}"

    @property
    def chain(self) -> list["Call"]:
        calls, call = [], self
        while call is not None:
            calls.append(call)
            call = call.parent
        return calls[::-1]


class Scope(str):
    """A group string ("MnistNet/fc1") that also knows its calls (`calls`, outermost first)."""

    calls: tuple

    def __new__(cls, innermost: Call, outer: "Scope | None" = None):
        """`outer`, the scope of the call this one is made in, saves walking the chain again."""
        if outer is None:
            chain = tuple(innermost.chain)
            scope = super().__new__(cls, "/".join(c.label for c in chain))
        else:
            chain = outer.calls + (innermost,)
            scope = super().__new__(cls, f"{outer}/{innermost.label}")
        scope.calls = chain
        return scope

    def around(self, group: str) -> "Scope":
        """A group a layer gave its own nodes ("t 1 / gates" inside an LSTM), inside this call."""
        inner = str.__new__(Scope, f"{self}/{group}")
        inner.calls = self.calls
        return inner


def calls_of(node) -> tuple:
    """The calls a graph node was made in, outermost first; () outside any module."""
    return getattr(node.group, "calls", ())


# ---------------------------------------------------------------------------------------------
# Bookkeeping shared by both engines


class _Stack:
    """The calls in progress (innermost last) and how often each module was called so far."""

    def __init__(self, names: dict | None = None):
        self.calls: list[tuple[Call, Scope, object]] = []
        self.counts: dict[int, int] = {}
        self.names = names   # id(module) -> path, where the model was given (torch)

    def push(self, module, children_of, lazy: bool = False) -> tuple[Call, Scope | None]:
        """Start a call; its Scope is made now, or (lazy) only once a node needs it."""
        top = self._top()
        parent = top[0] if top else None
        path = self._path(module, top, children_of)
        key = id(module)
        self.counts[key] = self.counts.get(key, 0) + 1
        call = Call(path, type(module).__name__, self.counts[key], parent)
        if parent is not None:
            parent.children += 1
        scope = None if lazy else Scope(call, top[1] if top else None)
        self.calls.append([call, scope, module])
        return call, scope

    def scope(self, entry) -> Scope:
        """The entry's Scope, made (with those of the calls around it) where it was left lazy."""
        if entry[1] is None:
            missing = [entry]
            for outer in reversed(self.calls):
                if outer is None or outer is entry:
                    continue
                if outer[1] is not None:
                    break
                missing.append(outer)
            for e in reversed(missing):
                parent = e[0].parent
                outer_scope = next((o[1] for o in self.calls if o is not None and o[0] is parent), None)
                e[1] = Scope(e[0], outer_scope)
        return entry[1]

    def _top(self):
        """The innermost call being recorded (None marks a call made without gradients)."""
        for entry in reversed(self.calls):
            if entry is not None:
                return entry
        return None

    def _path(self, module, top, children_of) -> str:
        if self.names is not None and id(module) in self.names:
            return self.names[id(module)]
        if top is None:
            return ""
        parent, parent_module = top[0], top[2]
        for name, child in children_of(parent_module):
            if child is module:
                return f"{parent.path}.{name}" if parent.path else name
        return type(module).__name__   # a module kept outside the parent's attributes

    def pop(self):
        return self.calls.pop()


def _claim(outputs, stops: set, scope: Scope, inputs_of, get, put) -> None:
    """Give `scope` to every node between the call's outputs and its inputs (`stops`, by id)
    that no inner call claimed; nodes of other calls end the walk."""
    own = scope.calls[-1]
    stack, seen, inside = list(outputs), set(), {}
    while stack:
        node = stack.pop()
        if id(node) in seen or id(node) in stops:
            continue
        seen.add(id(node))
        inputs = inputs_of(node)
        if not inputs:
            continue
        group = get(node)
        if group is None:
            put(node, scope)
        elif not isinstance(group, Scope):   # the layer grouped its own nodes: keep that inside
            if group not in inside:
                inside[group] = scope.around(group)
            put(node, inside[group])
        elif own not in group.calls:
            continue            # made before this call, by another module
        stack.extend(inputs)


def _tensors(obj, kind) -> list:
    """The tensors in a module's arguments or result (tuples and lists of them too)."""
    if type(obj) is kind:
        return [obj]
    if type(obj) is tuple and all(type(x) is kind for x in obj):   # forward(x): the usual case
        return list(obj)
    found, stack = [], [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, kind):
            found.append(x)
        elif isinstance(x, (tuple, list)):
            stack.extend(reversed(x))       # popped in their own order
        elif isinstance(x, dict):
            stack.extend(reversed(list(x.values())))
    return found


# ---------------------------------------------------------------------------------------------
# Our engine: Module.__call__ calls enter() before forward and leave() after it

_ours = _Stack()


_keys = itertools.count(1)


def param_key(p) -> int:
    """A parameter's mark, kept in its attrs and so in its graph node's: two models' `0.weight`
    (a GAN's generator and discriminator) stay apart in the picture."""
    if p.attrs is None:
        p.attrs = {}
    key = p.attrs.get("param")
    if key is None:
        key = p.attrs["param"] = next(_keys)
    return key


def enter(module, args) -> None:
    if not is_grad_enabled():      # no graph is recorded (eval under no_grad): nothing to tag
        _ours.calls.append(None)
        return
    call, _ = _ours.push(module, _children, lazy=True)
    inputs = _tensors(args, Tensor)
    call.in_shapes = [t.data.shape for t in inputs]
    call.stops = {id(t) for t in inputs}
    for key, p in module._parameters.items():
        if p is None:
            continue
        if p.name is None:   # a parameter is named as torch names it, for every view to show
            p.name = f"{call.path}.{key}" if call.path else key
        call.params.append((p.name, p.data.shape, param_key(p)))


def leave(module, args, out) -> None:
    """Pop the call and claim its nodes; always called, also when forward raised."""
    entry = _ours.calls[-1]
    try:
        if entry is None or out is None:
            return
        call = entry[0]
        outputs = _tensors(out, Tensor)
        call.out_shapes = [t.data.shape for t in outputs]
        stops, call.stops = call.stops, None
        if any(t.inputs for t in outputs):     # a graph was recorded: its nodes get the scope
            _claim(outputs, stops, _ours.scope(entry), _inputs_of, _group_of, _set_group)
    finally:
        _ours.calls.pop()
        if not _ours.calls:
            _ours.counts.clear()   # the next call of the model counts from 1 again


def as_call(module, forward, *args):
    """`forward(*args)` recorded as a call of `module` (a forward written out step by step, to
    name its intermediates, still draws as that module holding its children)."""
    enter(module, args)
    out = None
    try:
        out = forward(*args)
    finally:
        leave(module, args, out)
    return out


def _children(module):
    return module._modules.items()


def _inputs_of(tensor):
    return tensor.inputs


def _group_of(tensor):
    return tensor.group


def _set_group(tensor, scope) -> None:
    tensor.group = scope


# ---------------------------------------------------------------------------------------------
# torch: forward hooks while `record(model)` is active; from_torch reads them back

_recordings: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # model -> {grad_fn: Scope}


class record:
    """`with record(model): loss = criterion(model(x), y)` remembers which module call made
    each of torch's grad_fn nodes; `from_torch(loss, model)` then groups the picture by them."""

    def __init__(self, model):
        self.model = model
        self.groups: dict = {}
        self._handles = []

    def __enter__(self):
        import torch

        names = {id(m): name for name, m in self.model.named_modules()}
        stack = _Stack(names)
        groups = self.groups

        def pre(module, args):
            call, _ = stack.push(module, lambda m: m.named_children())
            call.in_shapes = [tuple(t.shape) for t in _tensors(args, torch.Tensor)]
            call.params = [(f"{call.path}.{k}" if call.path else k, tuple(p.shape), None)
                           for k, p in module.named_parameters(recurse=False)]

        def post(module, args, out):
            call, scope, _ = stack.pop()
            outputs = _tensors(out, torch.Tensor)
            call.out_shapes = [tuple(t.shape) for t in outputs]
            stops = {id(t.grad_fn) for t in _tensors(args, torch.Tensor) if t.grad_fn is not None}
            fns = [t.grad_fn for t in outputs if t.grad_fn is not None]
            _claim(fns, stops, scope, _torch_inputs, groups.get, groups.__setitem__)

        for _, m in self.model.named_modules():
            self._handles.append(m.register_forward_pre_hook(pre))
            self._handles.append(m.register_forward_hook(post))
        _recordings[self.model] = groups
        return self

    def __exit__(self, *exc):
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        return False


def _torch_inputs(fn) -> list:
    if hasattr(fn, "variable"):     # AccumulateGrad: a leaf
        return []
    return [nxt for nxt, _ in fn.next_functions if nxt is not None]


def tag_rebuilt(made: dict, groups: dict) -> None:
    """Where torch's graph is rebuilt in our engine (grad_fn -> the tensors made for it), every
    op made for a grad_fn (one, or several for a fused LSTM layer) takes the module call that
    grad_fn was recorded in; the walk stops at what other grad_fns made."""
    outputs = {fn: [t for t in (ts if isinstance(ts, (list, tuple)) else (ts,)) if t is not None]
               for fn, ts in made.items()}
    owner = {id(t): fn for fn, ts in outputs.items() for t in ts}
    for fn, ts in outputs.items():
        group = groups.get(fn)
        if group is None:
            continue
        for t in ts:   # named by the module call, not by torch's class ("AddmmBackward0")
            if getattr(t, "name", None) == type(fn).__name__ and not _is_torch_leaf(fn):
                t.name = None
        _claim(ts, _OthersMade(owner, fn), group, lambda t: t.inputs, lambda t: t.group, _set_group)


def _is_torch_leaf(fn) -> bool:
    return hasattr(fn, "variable")


class _OthersMade:
    """`id(t) in stops`: t was made for another grad_fn (no set per grad_fn: linear overall)."""

    def __init__(self, owner: dict, fn):
        self.owner, self.fn = owner, fn

    def __contains__(self, key) -> bool:
        other = self.owner.get(key)
        return other is not None and other is not self.fn


def torch_groups(model) -> dict:
    """grad_fn -> Scope, as recorded by the last `record(model)`; {} where none was."""
    if model is None:
        return {}
    try:
        return _recordings.get(model, {})
    except TypeError:   # a dict of parameters, not a module
        return {}


# ---------------------------------------------------------------------------------------------
# torch's grad_fn names as the ops people call

_TORCH_OPS = {"addmm": "linear", "mm": "matmul", "bmm": "matmul", "t": "transpose",
              "convolution": "conv2d", "max_pool2d_with_indices": "max_pool2d",
              "unsafe_view": "view", "unsafe_split": "split", "mse_loss": "mse_loss",
              "binary_cross_entropy_with_logits": "bce_with_logits", "rsub": "sub",
              "native_batch_norm": "batch_norm", "leaky_relu": "leaky_relu"}


def torch_op(grad_fn_name: str) -> str:
    """"AddmmBackward0" -> "linear", "NllLossBackward0" -> "nll_loss", "TBackward0" -> "transpose"."""
    import re

    base = re.sub(r"Backward\d*$", "", grad_fn_name)
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", base).lower()
    snake = snake.replace("2_d", "2d").replace("1_d", "1d").replace("3_d", "3d")
    return _TORCH_OPS.get(snake, snake)


def torch_names(fns, leaf, groups: dict) -> list:
    """The name of each op node of a torch graph: the module call that made it where it made
    one op ("fc1"), "fc1.relu" where it made several, else the op ("nll_loss"); None for leaves."""
    counts: dict = {}
    for fn, is_leaf in zip(fns, leaf):
        group = groups.get(fn)
        if not is_leaf and group is not None:
            counts[group] = counts.get(group, 0) + 1
    names = []
    for fn, is_leaf in zip(fns, leaf):
        if is_leaf:
            names.append(None)
            continue
        op, group = torch_op(type(fn).__name__), groups.get(fn)
        calls = getattr(group, "calls", ())
        path = calls[-1].path if calls else ""
        if not path or path.rsplit(".", 1)[-1].isdigit():
            names.append(op)
        else:
            names.append(calls[-1].label if counts[group] == 1 else f"{calls[-1].label}.{op}")
    return names
