"""EXAMPLES.md section B, run in our tensor engine and in torch side by side."""
import numpy as np
import pytest
import torch

import explainer.nn as nn
import explainer.tensor as T
from explainer.graph import Graph

ENGINES = {"ours": T, "torch": torch}


def as_numpy(t):
    return t.detach().numpy()


@pytest.mark.parametrize("engine", ENGINES)
def test_mean_of_square(engine):
    tt = ENGINES[engine]
    x = tt.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward()
    assert out.item() == 27.0
    np.testing.assert_array_equal(as_numpy(x.grad), np.full((2, 2), 4.5))
    assert [type(t.grad_fn).__name__ for t in (y, z, out)] == ["AddBackward0", "MulBackward0",
                                                             "MeanBackward0"]


@pytest.mark.parametrize("engine", ENGINES)
def test_mean_of_square_2(engine):
    tt = ENGINES[engine]
    x = tt.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=tt.float64, requires_grad=True)
    (3 * (x + 2) * (x + 2)).mean().backward()
    np.testing.assert_allclose(as_numpy(x.grad), [[4.5, 6.0], [7.5, 9.0]], rtol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_vjp(engine):
    tt = ENGINES[engine]
    x = tt.tensor([1.0, 2.0, 3.0], dtype=tt.float64, requires_grad=True)
    y = x * 2
    while y.detach().norm() < 1000:
        y = y * 2
    np.testing.assert_allclose(as_numpy(y), 512 * np.array([1.0, 2.0, 3.0]))
    y.backward(tt.tensor([0.1, 1.0, 0.0001], dtype=tt.float64))
    np.testing.assert_allclose(as_numpy(x.grad), [51.2, 512.0, 0.0512], rtol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_grad_fn_behaviour(engine):
    tt = ENGINES[engine]
    a = tt.randn(2, 2)
    a = (a * 3) / (a - 1)
    assert a.requires_grad is False
    a.requires_grad_(True)
    assert a.requires_grad is True
    b = (a * a).sum()
    assert type(b.grad_fn).__name__ == "SumBackward0" and a.grad_fn is None
    x = tt.ones(3, requires_grad=True)
    assert (x ** 2).requires_grad
    with tt.no_grad():
        assert not (x ** 2).requires_grad
    d = x.detach()
    assert not d.requires_grad and bool((d == x).all() if engine == "torch" else (d == x).value.all())
    with pytest.raises(RuntimeError, match="Use tensor.detach\\(\\).numpy\\(\\) instead"):
        x.numpy()
    for expected in (2.0, 4.0, 6.0):            # accumulating until zeroed
        (x * 2).sum().backward()
        np.testing.assert_array_equal(as_numpy(x.grad), [expected] * 3)
    x.grad.zero_()
    (x * 5).sum().backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [5.0] * 3)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        tt.arange(5, requires_grad=True)        # one of the tutorials' bugs


@pytest.mark.parametrize("engine", ENGINES)
def test_mse_arange(engine):
    tt, lib = ENGINES[engine], (nn if engine == "ours" else torch.nn)
    pred = tt.arange(5.0, requires_grad=True)
    loss = lib.MSELoss()(pred, tt.ones(5))
    loss.backward()
    assert loss.item() == pytest.approx(3.0)
    np.testing.assert_allclose(as_numpy(pred.grad), [-0.4, 0.0, 0.4, 0.8, 1.2], rtol=1e-6)


def test_mean_of_square_graph_explains_each_step():
    x = T.ones(2, 2, requires_grad=True, dtype=T.float64)
    x.name = "x"
    y = x + 2
    y.name = "y"
    z = y * y * 3
    z.name = "z"
    out = z.mean()
    out.name = "out"
    graph = Graph.build(out, seed=np.ones_like(out.value))
    assert graph.output_node.name == "out" and float(graph["out"].value) == 27.0
    np.testing.assert_allclose(graph["x"].grad, np.full((2, 2), 4.5))
    np.testing.assert_allclose(graph["y"].grad, np.full((2, 2), 4.5))
    texts = {e.text for e in graph.edges}
    assert "grad / n broadcast to the shape of z" in texts and "grad · y" in texts
