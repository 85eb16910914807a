"""Every op of the registry, read from the registry: its samples, the surfaces made from it (Scalar
and Tensor methods, functional, the expression language, the docs' op table), and its values and
gradients against torch in float64 at 1e-9 — through the scalar engine, the tensor engine and
the expression language. A new op needs no edit here: it is tested because it is registered."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import explainer.functional as F
import explainer.tensor as T
from explainer.check import check
from explainer.expr import FUNCTIONS, trace_expression
from explainer.graph import EngineNode, Graph
from explainer.ops import OPS, functions
from explainer.ops.backends import MATH, NUMPY
from explainer.ops.table import markdown
from explainer.scalar import Scalar

RTOL, ATOL = 1e-9, 1e-12
ELEMENTWISE = [op for op in OPS.values() if op.elementwise]
STRUCTURAL = [op for op in OPS.values() if not op.elementwise]


def cases(ops):
    """(op, sample) pairs, with readable test ids: `leaky_relu-1`."""
    return [pytest.param(op, s, id=f"{op.name}-{i}") for op in ops for i, s in enumerate(op.samples)]


def close(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours, dtype=np.float64),
                               theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs,
                               rtol=RTOL, atol=ATOL)


def torch_reference(op, inputs, attrs, seed=None):
    """torch's value and input gradients for the registry's torch replay of `op`, float64."""
    tensors = [torch.tensor(np.asarray(x), requires_grad=np.asarray(x).dtype.kind == "f")
               for x in inputs]
    out = op.torch(torch, *tensors, **attrs)
    out.backward(torch.ones_like(out) if seed is None else torch.tensor(seed))
    return out, [t.grad if t.requires_grad else None for t in tensors]


# -- the registry itself ---------------------------------------------------------------------------

@pytest.mark.parametrize("op", OPS.values(), ids=list(OPS))
def test_every_op_has_samples_and_declares_what_its_rules_take(op):
    assert op.samples, f"{op.name} has no samples to be tested at"
    assert op.grad_fn.endswith(("Backward0", "Backward1")) and op.text
    forward = inspect.signature(op.forward).parameters
    for name, _ in op.params:      # every declared parameter is one the forward takes
        assert name in forward, f"{op.name}: parameter {name} is not an argument of its forward"
    for s in op.samples:
        assert set(s.attrs) <= set(forward), (op.name, s.attrs)
    if op.elementwise:
        assert len(op.text) == op.arity and all(len(s.inputs) == op.arity for s in op.samples)


def test_the_math_and_numpy_backends_offer_the_same_vocabulary():
    def names(backend):
        return {n for n in vars(backend) if not n.startswith("_")}
    assert names(MATH) == names(NUMPY)


@pytest.mark.parametrize("op, sample", cases(ELEMENTWISE))
def test_each_elementwise_rule_gives_the_same_numbers_on_both_backends(op, sample):
    attrs = op.bind((), sample.attrs) or {}
    xs = [float(x) for x in sample.inputs]
    out = op.forward(MATH, *xs, **attrs)
    arrays = [np.array([x]) for x in xs]
    np.testing.assert_allclose(op.forward(NUMPY, *arrays, **attrs), [out], rtol=1e-15)
    local_math = op.local(MATH, xs, out, **attrs)
    local_numpy = op.local(NUMPY, arrays, np.array([out]), **attrs)
    for a, b in zip(local_math, local_numpy):
        np.testing.assert_allclose(np.broadcast_to(b, (1,)), [a], rtol=1e-15)


def test_parameters_bind_with_defaults_and_refuse_unknown_names():
    op = OPS["leaky_relu"]
    assert op.bind() == {"negative_slope": 0.01}
    assert op.bind((0.2,)) == op.bind((), {"negative_slope": 0.2}) == {"negative_slope": 0.2}
    with pytest.raises(Exception, match="has no parameter 'slope'; its parameters: negative_slope"):
        op.bind((), {"slope": 0.2})
    with pytest.raises(Exception, match=r"takes at most 1 parameter \(negative_slope\), got 2"):
        op.bind((0.1, 0.2))
    assert OPS["exp"].bind() is None


# -- surfaces made from the registry -------------------------------------------------------------

@pytest.mark.parametrize("op", functions(), ids=[op.name for op in functions()])
def test_every_function_is_a_method_of_both_engines_a_functional_and_an_expression_function(op):
    assert callable(getattr(Scalar, op.name)) and callable(getattr(T.Tensor, op.name))
    assert callable(getattr(F, op.name))
    assert hasattr(T, op.name) == ("." not in op.torch_name)     # torch.exp, not torch.leaky_relu
    assert FUNCTIONS[op.name].method == op.name
    assert FUNCTIONS[op.name].params == op.params
    for alias in op.aliases:
        assert FUNCTIONS[alias].method == op.name
    assert op.name in getattr(Scalar, op.name).__doc__


def test_torch_names_resolve_in_torch_and_name_every_op_once():
    from explainer.ops import torch_names

    names = torch_names()
    assert len(names) == len(OPS) and names["nn.functional.leaky_relu"] is OPS["leaky_relu"]
    for dotted in names:
        target = torch
        for part in dotted.split("."):
            target = getattr(target, part)   # raises if torch has no such name
        assert callable(target)


def test_the_docs_op_table_has_a_row_per_op_with_its_parameters():
    table = markdown()
    for op in OPS.values():
        assert f"| `{op.name}` |" in table
    row = next(line for line in table.splitlines() if line.startswith("| `leaky_relu` |"))
    assert "negative_slope=0.01" in row and "LeakyReluBackward0" in row
    assert "leaky_relu(x, 0.2)" in row


def test_engine_nodes_satisfy_the_walks_protocol():
    x = Scalar(1.0, "x")
    assert isinstance(x.exp(), EngineNode)
    assert isinstance(T.tensor([1.0], requires_grad=True).exp(), EngineNode)


# -- values and gradients against torch -----------------------------------------------------------

@pytest.mark.parametrize("op, sample", cases(ELEMENTWISE))
def test_scalar_engine_equals_torch(op, sample):
    attrs = op.bind((), sample.attrs) or {}
    xs = [Scalar(v, f"x{i}") for i, v in enumerate(sample.inputs)]
    out = Scalar.apply(op.name, *xs, **sample.attrs)
    out.backward()
    ref, grads = torch_reference(op, [np.float64(v) for v in sample.inputs], attrs)
    close(out.value, ref)
    for x, g in zip(xs, grads):
        close(x.grad, g)
    if op.function:   # the method made from the registry gives the same node
        via_method = getattr(Scalar(sample.inputs[0]), op.name)(**sample.attrs)
        assert via_method.value == out.value and via_method.attrs == out.attrs


def spread(value: float, shape: tuple) -> np.ndarray:
    """An array around `value` (same sign, same side of every kink the samples avoid)."""
    n = int(np.prod(shape))
    return (value * (1 + 0.1 * np.linspace(-1, 1, n))).reshape(shape)


@pytest.mark.parametrize("op, sample", cases(ELEMENTWISE))
def test_tensor_engine_equals_torch_elementwise_with_broadcasting(op, sample):
    shapes = [(2, 3), (3,)][:op.arity]
    arrays = [spread(v, shape) for v, shape in zip(sample.inputs, shapes)]
    attrs = op.bind((), sample.attrs) or {}
    xs = [T.tensor(a, requires_grad=True) for a in arrays]
    if op.function:
        out = getattr(xs[0], op.name)(**sample.attrs)
    else:
        out = T._apply(op, tuple(xs), attrs or None)
    seed = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(T.tensor(seed))
    ref, grads = torch_reference(op, arrays, attrs, seed)
    close(out.data, ref)
    assert out.grad_fn.name() == type(ref.grad_fn).__name__ == op.grad_fn
    for x, g in zip(xs, grads):
        close(x.grad.data, g)


@pytest.mark.parametrize("op, sample", cases(STRUCTURAL))
def test_tensor_engine_equals_torch_structural(op, sample):
    attrs = {**op.defaults, **sample.attrs}
    xs = [T.tensor(np.array(a), requires_grad=np.asarray(a).dtype.kind == "f") for a in sample.inputs]
    out = T._apply(op, tuple(xs), attrs or None)
    seed = np.random.default_rng(2).standard_normal(out.shape)
    out.backward(T.tensor(seed))
    ref, grads = torch_reference(op, sample.inputs, attrs, seed)
    assert out.shape == tuple(ref.shape)
    close(out.data, ref)
    for x, g in zip(xs, grads):
        if g is not None:
            assert x.grad.shape == x.shape
            close(x.grad.data, g)


# -- through the expression language --------------------------------------------------------------

EXPRESSIBLE = [p for p in cases(OPS.values()) if p.values[0].written(p.values[1]) is not None]


def test_every_function_and_operator_can_be_written_in_the_expression_language():
    written = {p.values[0].name for p in EXPRESSIBLE}
    assert written == {op.name for op in OPS.values() if op.expression or op.operator}
    assert "leaky_relu" in written


@pytest.mark.parametrize("op, sample", EXPRESSIBLE)
def test_expression_language_equals_torch(op, sample):
    text = "f = " + op.written(sample)
    values = dict(zip("xy", sample.inputs))
    tensors = any(np.ndim(v) for v in values.values())
    if tensors:
        values = {k: np.array(v) for k, v in values.items()}
    root = trace_expression(text, values)
    graph = Graph.build(root, seed=np.ones_like(root.value) if tensors else 1.0)
    attrs = {**op.defaults, **sample.attrs}
    ref, grads = torch_reference(op, [np.float64(v) if not tensors else v for v in sample.inputs],
                                 attrs)
    close(graph["f"].value, ref)
    for name, g in zip("xy", grads):
        if name in values:
            close(graph[name].grad, g)
    assert graph["f"].op == op.name
    if op.elementwise:   # the parameters travel with the node (the pictures and the check read them)
        assert graph["f"].attrs == (op.bind((), sample.attrs) or {})
    if not tensors:   # the torch check replays the same node, parameters included
        assert check(graph).ok


# -- the docs page: building a layer from existing ops --------------------------------------------

def _python_block(page: str, starts_with: str) -> str:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / page).read_text(encoding="utf-8")
    blocks = text.split("```python\n")[1:]
    return next(b.split("```", 1)[0] for b in blocks if b.startswith(starts_with))


def test_the_lstm_cell_of_the_docs_equals_torchs_lstm_cell():
    namespace: dict = {}
    exec(_python_block("adding-an-op.md", "import explainer.functional as F"), namespace)
    rng = np.random.default_rng(3)
    cell = torch.nn.LSTMCell(3, 4).double()
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    ours = {name: T.tensor(p.detach().numpy().copy(), requires_grad=True)
            for name, p in cell.named_parameters()}
    xs = [T.tensor(a, requires_grad=True) for a in (x, h, c)]
    h1, c1 = namespace["lstm_cell"](*xs, ours["weight_ih"], ours["weight_hh"], ours["bias_ih"],
                                    ours["bias_hh"])
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, h, c)]
    ref_h, ref_c = cell(theirs[0], (theirs[1], theirs[2]))
    close(h1.data, ref_h)
    close(c1.data, ref_c)
    (h1.sum() + (c1 * c1).sum()).backward()
    (ref_h.sum() + (ref_c * ref_c).sum()).backward()
    for a, b in zip(xs, theirs):
        close(a.grad.data, b.grad)
    for name, p in cell.named_parameters():
        close(ours[name].grad.data, p.grad)


def test_the_docs_python_example_prints_what_the_page_says():
    import contextlib
    import io
    import re

    code = _python_block("adding-an-op.md", "from explainer.scalar import Scalar")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})
    promised = re.findall(r"print\(.*\)\s+# (.+)", code)
    assert printed.getvalue().splitlines() == promised
