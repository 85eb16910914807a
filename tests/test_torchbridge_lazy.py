"""from_torch's cheaper paths: gradients=False (no backward pass) and 0-d values read by .item()."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from explainer.render import to_dot
from explainer.torchbridge import from_torch


def _scalar_net():
    w = torch.tensor(0.5, requires_grad=True)            # float32 on purpose: the dtype must stay
    b = torch.tensor(-1.25, dtype=torch.float64, requires_grad=True)
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    y = torch.tanh(w.double() * x.sum() + b)
    return y, {"w": w, "b": b}, {"x": x}


def test_without_gradients_the_graph_is_the_same_but_has_none():
    y, params, inputs = _scalar_net()
    full = from_torch(y, params, inputs=inputs)
    bare = from_torch(y, params, inputs=inputs, gradients=False)
    assert [(n.name, n.kind, n.op, n.inputs) for n in bare.nodes] == \
        [(n.name, n.kind, n.op, n.inputs) for n in full.nodes]
    assert all(n.grad is None for n in bare.nodes) and bare.steps == []
    assert full["b"].grad == pytest.approx(1 - np.tanh(0.5 * 6.0 - 1.25) ** 2, rel=1e-12)
    assert len(full.steps) == len(full.edges)
    for a, b in zip(full.nodes, bare.nodes):
        assert (a.value is None) == (b.value is None)
        if a.value is not None:
            np.testing.assert_array_equal(a.value, b.value)
    # the forward picture shows no gradients, so both give the same DOT source
    assert to_dot(bare, "forward").source == to_dot(full, "forward").source
    # leaves already holding .grad from a backward() do not leak into a gradient-free graph
    y.backward(retain_graph=True)
    assert from_torch(y, params, inputs=inputs, gradients=False)["w"].grad is None


def test_zero_dim_values_are_zero_dim_arrays_of_the_tensors_dtype():
    y, params, inputs = _scalar_net()
    graph = from_torch(y, params, inputs=inputs)
    w, b, out = graph["w"], graph["b"], graph.output_node
    assert isinstance(w.value, np.ndarray) and w.value.shape == () and w.value.dtype == np.float32
    assert w.value == np.float32(0.5) and w.grad.dtype == np.float32
    assert w.grad == pytest.approx(6.0 * (1 - np.tanh(1.75) ** 2), rel=1e-6)
    assert b.value.dtype == np.float64 and b.value == -1.25
    assert out.value.shape == () and out.value == np.tanh(0.5 * 6.0 - 1.25)
    assert graph["x"].value.shape == (3,) and graph["x"].grad.shape == (3,)
