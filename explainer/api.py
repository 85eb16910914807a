"""The traced object: what `explainer.trace(...)` returns and every view hangs off."""
from __future__ import annotations
from explainer.i18n import _

from pathlib import Path

from .errors import ExplainerError
from .formulas import readable
from .graph import Graph


class Traced:
    """A computation traced into one `Graph`, with its views one method away.

        t = trace("J = 3(a + bc)", a=5, b=3, c=2)
        t["b"].grad        # 6.0
        t.render("j.svg", view="both", explain="b")
        t.check().ok       # torch agrees
        t.explain("b").text()
    """

    def __init__(self, graph: Graph, source: str = "", seed_given: bool = True):
        self.graph = graph
        self.source = source
        self.seed_given = seed_given   # False: a vector output was seeded with ones, only to draw it

    def __getitem__(self, name: str):
        return self.graph[name]

    @property
    def output(self):
        return self.graph.output_node

    @property
    def nonfinite(self):
        """The first nan/inf in the forward or backward pass (a `numerics.NonFinite`), or None.
        Commands print `traced.nonfinite.warning()` before drawing or explaining such a graph."""
        if not hasattr(self, "_nonfinite"):
            from .numerics import first_nonfinite

            self._nonfinite = first_nonfinite(self.graph)
        return self._nonfinite

    def render(self, path: str | Path | None = None, view: str = "both", explain: str | None = None,
               **options):
        """Write a picture to `path` (format from the suffix), or return the SVG text without one.

        options: collapse="neuron"|"layer", max_nodes=2000, depth=1|2|…|"ops" (a network's
        module boxes, opened level by level, or every op), rankdir="TB"|"LR" (default: the
        direction that keeps a network within 3:1)."""
        from . import render

        if path is None:
            return render.svg(self.graph, view=view, explain=explain, **options)
        return render.render(self.graph, path, view=view, explain=explain, **options)

    def check(self, rtol: float = 1e-9):
        """Every gradient against torch.autograd's and finite differences. A vector output needs
        the gradient it starts from (`trace(…, grad_output=v)`), as torch's `y.backward(v)` does."""
        from .check import check, require_scalar_output

        if not self.seed_given:
            require_scalar_output(self.graph, python=True)
        return check(self.graph, rtol=rtol)  # a graph read from torch: torch against our replay

    def explain(self, wrt: str):
        from .explain import explain

        return explain(self.graph, wrt)

    def animate(self, path: str | Path, **options) -> Path:
        """Write the step-through page (forward, then backward one chain-rule step at a time)."""
        from .render.animate import write_page

        return write_page(self.graph, path, **options)

    def to_networkx(self):
        return self.graph.to_networkx()

    def summary(self) -> dict:
        return self.graph.summary()

    def _repr_svg_(self) -> str:
        from . import render

        return render.svg(self.graph, view="both")

    def __repr__(self) -> str:
        out = self.output
        return f"<Traced {out.name} = {out.value!r}, {len(self.graph)} nodes>"


def from_torch(output, model=None, inputs: dict | None = None) -> Traced:
    """torch's own graph behind `output` (a tensor with a grad_fn, e.g. a loss), as a `Traced`.

        loss = F.cross_entropy(net(x), y)
        t = explainer.from_torch(loss, model=net)     # like torchviz's make_dot(loss, params=…)
        t.render("net.svg"); t.check().ok; t.explain("fc1.weight").text()

    `model` is an `nn.Module` (its parameter names label the leaves) or a dict name -> tensor;
    `inputs` names more tensors (`{"x": x}`). Call it before `loss.backward()`: backward frees
    what torch saved, which the reading needs.
    """
    import sys

    return _from_torch(output, model, inputs, sys._getframe(1))


def _from_torch(output, model, inputs, frame, grad_output=None) -> Traced:
    """Read torch's graph; tensors the caller holds in variables give their names to the nodes
    (`loss`, `x`, `hidden`), names in `inputs` and the model's parameter names come first."""
    from .torchbridge import from_torch as read

    held = _tensors_in(frame)
    named = {**held, **(inputs or {})}
    output_name = next((name for name, t in named.items() if t is output), None)
    graph = read(output, model, named, output_name=output_name, grad_output=grad_output)
    return Traced(graph, f"torch graph of {output_name}" if output_name else "torch graph")


def _tensors_in(frame) -> dict:
    """The caller's local variables that hold torch tensors (none of its _private names)."""
    found = {}
    for name, value in (frame.f_locals if frame is not None else {}).items():
        if not name.startswith("_") and _is_torch_tensor(value):
            found.setdefault(name, value)
    return found


def _is_torch_tensor(value) -> bool:
    module = type(value).__module__ or ""
    return module.startswith("torch") and hasattr(value, "grad_fn")


def trace(expression, values: dict | None = None, /, *, model=None, grad_output=None,
          **named_values) -> Traced:
    """Trace `expression` — textbook text like "J = 3(a + bc)", an engine node you built
    (a `Scalar` or `Tensor` output), or a torch tensor (then `model` names its parameters, as in
    `from_torch`) — into a `Traced` graph with every gradient filled in.

    `grad_output` seeds the backward pass of a non-scalar output (the v of the vector-Jacobian
    product vᵀ·J, as torch's `y.backward(v)`); without it a tensor output is seeded with ones."""
    if _is_torch_tensor(expression):
        if values or named_values:
            raise ExplainerError(_("values are only taken with an expression text, not with a torch tensor"))
        import sys

        return _from_torch(expression, model, None, sys._getframe(1), grad_output)
    if model is not None:
        raise ExplainerError(_("model= names a torch graph's parameters; pass a torch tensor with it"))
    values = {**(values or {}), **named_values}
    if isinstance(expression, str):
        import numpy as np

        from .expr import trace_expression

        with np.errstate(all="ignore"):  # a nan or inf is reported by `nonfinite`, not by numpy's warnings
            root = trace_expression(expression, values)
        source = expression
    elif hasattr(expression, "inputs") and hasattr(expression, "input_grads"):
        if values:
            raise ExplainerError(_("values are only taken with an expression text, not with a traced node"))
        root, source = expression, ""
    else:
        raise ExplainerError(_("trace() takes an expression text, a Scalar/Tensor or a torch tensor, not {expression___name__}").format(expression___name__=type(expression).__name__))
    import numpy as np

    from .numerics import gradients_explained

    # numpy's inf/nan warnings are replaced by Traced.nonfinite's report; the scalar engine's float
    # arithmetic raises instead (1/(2√x) at x = 0), which becomes one sentence
    with np.errstate(all="ignore"), gradients_explained(root):
        seed = _seed_for(root.value) if grad_output is None else _checked_seed(root, grad_output)
        graph = Graph.build(root, seed=seed, title=source)
    return Traced(readable(graph), source, seed_given=grad_output is not None)


def _seed_for(value):
    """d(output)/d(output): 1 for a scalar; ones of the output's shape for a tensor."""
    if getattr(value, "ndim", 0):
        import numpy as np

        return np.ones_like(value)
    return 1.0 if not hasattr(value, "dtype") else value.dtype.type(1)


def _checked_seed(root, grad_output):
    """`grad_output` as an array of the output's shape, or one sentence saying why not."""
    import numpy as np

    shape = tuple(getattr(root.value, "shape", ()))
    try:
        seed = np.asarray(grad_output, dtype=np.float64)
    except (TypeError, ValueError):
        raise ExplainerError(_("the gradient of the output must be numbers, e.g. [0.1, 1, 0.0001]")) from None
    if seed.shape != shape:
        raise ExplainerError(_("the gradient of the output has shape {seed_shape} but the output has shape {list_shape}: give one number per element").format(seed_shape=list(seed.shape), list_shape=list(shape)))
    if not np.isfinite(seed).all():
        raise ExplainerError(_("the gradient of the output must be finite numbers"))
    return seed.reshape(shape) if shape else float(seed)
