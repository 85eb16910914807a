"""Three opinions on every gradient: ours, torch.autograd's, and central finite differences.

`check(graph)` replays the graph in torch (float64) and compares node by node; `ok` means we
agree with torch to `rtol`. Finite differences re-evaluate the graph forward from the op registry
with one leaf nudged — only for leaves, at most `MAX_LEAVES` leaves and `MAX_ELEMENTS` elements of
each, picked evenly, so the cost stays linear in the graph's size. They are a third opinion:
where they disagree (a relu kink, |x| at 0) the report flags it but `ok` is about torch.
"""
from __future__ import annotations
from explainer.i18n import N_, _

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .format import fmt
from .graph import Graph, to_jsonable
from .ops import OPS
from .ops.backends import MATH, NUMPY

MAX_LEAVES = 32        # leaves probed by finite differences
CELL_DIGITS = 5        # significant digits of every number in the table: -2.3096e-17 fits 80 columns
MISMATCH_DIGITS = 10   # … and of a row that disagrees, enough to see a difference at 1e-9
MAX_ELEMENTS = 32      # elements probed per tensor leaf
FD_STEP = 1e-6         # relative step h = FD_STEP · max(1, |x|)
FD_RTOL = 1e-5         # finite differences that far off are flagged
FD_NOISE = 100         # … beyond this many ulps of the output per step (rounding in f(x ± h))


@dataclass(slots=True)
class CheckRow:
    name: str
    kind: str            # "input" or "op"
    value: Any
    ours: Any            # None where our walk gave no gradient
    torch: Any
    fd: Any              # None for intermediates and unprobed leaves; tensors: nan where unprobed
    error: float         # largest relative difference ours vs torch (inf: missing, nan or inf)
    ok: bool             # ours agrees with torch
    fd_ok: bool | None   # finite differences agree with ours (None: not probed)


@dataclass
class CheckReport:
    output: str
    rows: list[CheckRow]
    rtol: float
    nonfinite: Any = None    # numerics.NonFinite: the first nan/inf in our forward or backward pass

    @property
    def ok(self) -> bool:
        """Torch agrees with every gradient, and no nan or inf appeared anywhere (a nan that torch
        reproduces is still a mismatch: the numbers mean nothing)."""
        return self.nonfinite is None and all(row.ok for row in self.rows)

    @property
    def mismatches(self) -> list[CheckRow]:
        return [row for row in self.rows if not row.ok]

    def __getitem__(self, name: str) -> CheckRow:
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(name)

    def to_json(self) -> dict:
        """`{"output": "J", "ok": true, "nodes": {"J": {"value", "grad", "torch", "fd", "error",
        "ok", "fd_ok"}}, "nonfinite": null}` as a JSON-ready dict: tensors as nested lists, nan/inf
        (and unprobed finite-difference elements) as null; `nonfinite` names the first nan/inf as
        {"node", "where", "kind", "message"}."""
        trouble = self.nonfinite
        return {
            "output": self.output,
            "ok": self.ok,
            "nonfinite": None if trouble is None else {
                "node": trouble.node.name, "where": trouble.where, "kind": trouble.kind,
                "message": trouble.message},
            "nodes": {row.name: {
                "value": _plain(row.value), "grad": _plain(row.ours), "torch": _plain(row.torch),
                "fd": _plain(row.fd), "error": _plain(row.error), "ok": row.ok,
                "fd_ok": row.fd_ok,
            } for row in self.rows},
        }

    def table(self):
        """A rich Table: one line per node, mismatches in red, finite-difference flags in yellow."""
        from rich import box
        from rich.table import Table

        verdict = _("all gradients agree with torch") if self.ok else \
            _("{count} gradient(s) disagree with torch").format(count=len(self.mismatches))
        if self.nonfinite is not None:
            verdict = _("{kind} in the graph, {verdict}").format(kind=self.nonfinite.kind, verdict=verdict)
        # fits 80 columns: light rules, and numbers that wrap inside their cell instead of being cut
        table = Table(title=_("gradients of {output}: {verdict} (rtol {rtol:g})").format(
                          output=self.output, verdict=verdict, rtol=self.rtol),
                      box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
        table.add_column(_("node"), overflow="fold", min_width=6)
        probed = any(row.fd is not None for row in self.rows)   # torch graphs have none
        for column in (N_("value"), N_("ours"), "torch") + ((N_("fin. diff"),) if probed else ()) + \
                (N_("rel. err"), N_("check")):
            table.add_column(_(column), justify="right", no_wrap=True)
        for row in self.rows:
            verdict = _("ok") if row.ok else _("[bold red]MISMATCH[/]")
            if row.fd_ok is False:
                verdict += "\n" + _("[yellow]fd ≠[/]")
            digits = CELL_DIGITS if row.ok else MISMATCH_DIGITS   # a mismatch shows where it is
            fd = ("—" if row.fd is None else _cell(row.fd, digits),) if probed else ()
            table.add_row(row.name, _cell(row.value), _cell(row.ours, digits), _cell(row.torch, digits),
                          *fd, f"{row.error:.1e}", verdict, style=None if row.ok else "red")
        differing = [row.name for row in self.rows if row.fd_ok is False]
        captions = []
        if self.nonfinite is not None:
            captions.append(_("[bold red]MISMATCH: {message}[/]").format(message=self.nonfinite.message))
        if differing:
            captions.append(_("finite differences differ at {names}: usually a kink (relu or |x| at 0), where torch "
                              "and we take the derivative 0 and a central difference averages both sides; `ok` "
                              "follows torch").format(names=", ".join(differing)))
        if captions:
            table.caption = "\n".join(captions)
        return table


# torch's own words for `y.backward()` on a vector y
NON_SCALAR = "grad can be implicitly created only for scalar outputs"


def require_scalar_output(graph: Graph, python: bool = False) -> None:
    """Refuse, as torch does, to start a backward pass from a non-scalar output without being told
    the vector v to start from (the check would otherwise compare the gradients of sum(output)).
    The sentence names the command line's --grad-output, or trace()'s grad_output= (`python`)."""
    out = graph.output_node
    shape = getattr(out.value, "shape", ())
    size = int(np.prod(shape)) if shape else 1
    if size != 1:
        from .errors import ExplainerError

        sentence = (_("{NON_SCALAR}: {out_name} has shape {list_shape}; trace it with the gradient to start from, one number per element: trace(…, grad_output=[{ones}]) (torch: {out_name}.backward(v))")
                    if python else
                    _("{NON_SCALAR}: {out_name} has shape {list_shape}; give the gradient to start from, one number per element, e.g. --grad-output \"[{ones}]\" (torch: {out_name}.backward(v))"))
        ones = ", ".join(["1"] * min(size, 3)) + (", …" if size > 3 else "")
        raise ExplainerError(sentence.format(NON_SCALAR=NON_SCALAR, out_name=out.name, list_shape=list(shape), ones=ones))


def check(graph: Graph, rtol: float = 1e-9) -> CheckReport:
    """Compare every gradient in `graph` with torch.autograd's and (leaves) finite differences."""
    from .numerics import first_nonfinite
    from .torchbridge import TorchGraph, check_torch_graph, replay

    if isinstance(graph, TorchGraph):  # read from torch: torch's gradients against our replay
        return check_torch_graph(graph, rtol)
    theirs = replay(graph)
    probes = finite_differences(graph)
    rows = []
    for node in graph.nodes:
        if node.kind == "const" or (node.grad is None and node.id not in theirs):
            continue  # no gradient flows here in either engine (a constant subexpression)
        torch_grad = theirs.get(node.id)
        if torch_grad is not None:
            torch_grad = torch_grad.item() if torch_grad.ndim == 0 else torch_grad.numpy()
        error, ok = compare(node.grad, torch_grad, rtol)
        fd, slack = probes.get(node.id, (None, None))
        fd_ok = None if fd is None else fd_agrees(node.grad, fd, slack)
        rows.append(CheckRow(node.name, node.kind, node.value, node.grad, torch_grad, fd,
                             error, ok, fd_ok))
    return CheckReport(graph.output_node.name, rows, rtol, first_nonfinite(graph))


def compare(ours, theirs, rtol: float) -> tuple[float, bool]:
    """(relative error, agreement): max|o - t| ≤ rtol·max(max|o|, max|t|) + 1e-12.

    For a tensor the scale is its largest element, not each element's own size: a matmul sums
    many terms, and an element that cancels to nearly 0 legitimately differs in its last digits
    between two summation orders (4e-9 relative on the tutorial's 64×1000 two-layer net) while
    the tensor as a whole agrees to 1e-15. A missing gradient, a shape difference or any nan/inf
    is a mismatch.
    """
    if ours is None or theirs is None:
        return math.inf, ours is None and theirs is None
    if isinstance(ours, float) and isinstance(theirs, float):  # the scalar engine: skip numpy
        if not (math.isfinite(ours) and math.isfinite(theirs)):
            return math.inf, False
        diff, scale = abs(ours - theirs), max(abs(ours), abs(theirs))
    else:
        o, t = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
        if o.shape != t.shape or not (np.isfinite(o).all() and np.isfinite(t).all()):
            return math.inf, False
        if o.size == 0:
            return 0.0, True
        diff = float(np.abs(o - t).max())
        scale = float(max(np.abs(o).max(), np.abs(t).max()))
    # plain Python types: a 0-d tensor's gradient is a numpy float64, whose comparison gives np.bool_
    return float(diff / scale if scale > 0 else 0.0), bool(diff <= rtol * scale + 1e-12)


def fd_agrees(ours, fd, slack=0.0) -> bool | None:
    """Whether the probed finite differences match our gradient to FD_RTOL, plus `slack`: the
    rounding noise of each difference quotient (a big output over a small step is only good to
    ε·|f|/h in absolute terms, e.g. a sum-of-squares loss of 6e7)."""
    if ours is None:
        return False
    o, f = np.asarray(ours, dtype=np.float64), np.asarray(fd, dtype=np.float64)
    probed = ~np.isnan(f)
    if not probed.any():
        return None  # nothing probed, or the nudged forward pass was undefined
    o, f = np.broadcast_to(o, f.shape)[probed], f[probed]
    if not np.isfinite(o).all() or not np.isfinite(f).all():
        return False
    slack = np.broadcast_to(np.asarray(slack, dtype=np.float64), probed.shape)[probed]
    allowed = FD_RTOL * np.maximum(np.abs(o), np.abs(f)) + slack + 1e-12
    return bool((np.abs(o - f) <= allowed).all())


# ---------------------------------------------------------------------------------------------
# Finite differences from the registry's forward formulas


def finite_differences(graph: Graph) -> dict[int, Any]:
    """Central differences d(seed · output)/d(leaf) for up to MAX_LEAVES leaves, keyed by id,
    each with its rounding noise: `{id: (fd, noise)}`.

    Scalars give floats; tensors arrays of the leaf's shape with nan at unprobed elements.
    A leaf whose nudged forward pass is undefined (a domain edge) gets nan.
    """
    numeric = any(isinstance(n.value, np.ndarray) for n in graph.nodes)
    backend = NUMPY if numeric else MATH
    base = [_float64(n.value) for n in graph.nodes]
    seed = graph.output_node.grad
    seed = 1.0 if seed is None else seed
    probes = {}
    for leaf in spread(graph.leaves(), MAX_LEAVES):
        downstream = _downstream(graph, leaf.id)
        value = np.asarray(leaf.value, dtype=np.float64)
        fd = np.full(value.shape, np.nan)
        noise = np.zeros(value.shape)
        for flat in spread(range(value.size), MAX_ELEMENTS):
            index = np.unravel_index(flat, value.shape)
            x = float(value[index])
            h = FD_STEP * max(1.0, abs(x))
            sides = []
            for nudged in (x + h, x - h):
                if value.ndim == 0:  # a 0-d tensor stays an array: tensor ops (softmax) need one
                    moved = nudged if backend is MATH else np.array(nudged)
                else:
                    moved = value.copy()
                    moved[index] = nudged
                sides.append(_objective(graph, backend, base, downstream, leaf.id, moved, seed))
            step = (x + h) - (x - h)  # the step as rounded
            fd[index] = (sides[0] - sides[1]) / step
            noise[index] = FD_NOISE * np.finfo(np.float64).eps * max(map(abs, sides)) / step
        probes[leaf.id] = (float(fd), float(noise)) if fd.ndim == 0 else (fd, noise)
    return probes


def _float64(value):
    """Float arrays in float64, as torch's replay has them, whatever the graph was traced in."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float64, copy=False)
    return value


def spread(items, limit: int) -> list:
    """At most `limit` of `items`, evenly spaced and always the same ones."""
    items = list(items)
    if len(items) <= limit:
        return items
    picks = np.linspace(0, len(items) - 1, limit).round().astype(int)
    return [items[i] for i in dict.fromkeys(picks.tolist())]


def _downstream(graph: Graph, leaf_id: int) -> list[int]:
    """Ids of the op nodes that depend on `leaf_id`, in topological order (one linear pass)."""
    touched = [False] * len(graph.nodes)
    touched[leaf_id] = True
    found = []
    for node in graph.nodes[leaf_id + 1:]:
        if node.kind == "op" and any(touched[i] for i in node.inputs):
            touched[node.id] = True
            found.append(node.id)
    return found


def _objective(graph, backend, base, downstream, leaf_id, leaf_value, seed) -> float:
    """sum(seed · output) with the leaf set to `leaf_value`; nan where the arithmetic fails."""
    values = list(base)
    values[leaf_id] = leaf_value
    try:
        with np.errstate(all="ignore"):
            for i in downstream:
                node = graph.nodes[i]
                values[i] = OPS[node.op].forward(backend, *(values[j] for j in node.inputs),
                                                 **node.attrs)
            return float(np.sum(np.asarray(seed, dtype=np.float64) * values[graph.output]))
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.nan


# ---------------------------------------------------------------------------------------------
# Presentation helpers


def _plain(x):
    """JSON-safe: floats, nested lists; nan and inf become None."""
    if x is None:
        return None
    if isinstance(x, np.ndarray) or hasattr(x, "tolist"):
        return _plain_list(to_jsonable(x))
    x = float(x)
    return x if math.isfinite(x) else None


def _plain_list(x):
    if isinstance(x, list):
        return [_plain_list(v) for v in x]
    return _plain(x)


def _cell(x, digits: int = CELL_DIGITS) -> str:
    """A number with its magnitude (9.99542e-17, not 9.9954…), the same digits in every column; a
    small tensor one element a line, a big one summarised. Disagreements show in `rel. error`."""
    if x is None:
        return "—"
    if getattr(x, "size", 1) > 8:
        shown = np.asarray(x, dtype=np.float64)
        # compact (1×128×28×28, then the largest magnitude) so that three such columns and the
        # node's name fit 80 columns
        return f"{'×'.join(map(str, shown.shape))}\n|·|≤{fmt(np.nanmax(np.abs(shown)), min(digits, 3))}"
    if getattr(x, "ndim", 0):
        return "\n".join(fmt(v, digits) for v in np.asarray(x).ravel())
    return fmt(x, digits)
