"""The tensor engine's torch semantics: grads, grad_fn, grad mode, dtypes, errors, the graph."""
import numpy as np
import pytest

import explainer.tensor as T
from explainer.errors import ExplainerError
from explainer.graph import Graph
from explainer.tensor import TensorError


def test_mean_of_square_matches_torch_value_and_grad():
    x = T.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    out.backward()
    assert out.item() == 27.0 and out.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 2), 4.5, dtype=np.float32))


def test_grad_fn_names_and_leaves_follow_torch():
    x = T.ones(2, 2, requires_grad=True)
    y = x + 2
    assert x.grad_fn is None and x.is_leaf and not y.is_leaf
    assert [y.grad_fn.name(), (y * y).grad_fn.name(), (y * 3).mean().grad_fn.name(),
            y.sum().grad_fn.name(), y.sum(0).grad_fn.name(), (y ** 2).grad_fn.name(),
            (y ** y).grad_fn.name(), (2 ** y).grad_fn.name(), (2 - y).grad_fn.name(),
            (y @ y).grad_fn.name(), y.T.grad_fn.name(), y.t().grad_fn.name(),
            y.view(4).grad_fn.name(), y[0].grad_fn.name(), y[0:1].grad_fn.name(),
            y[[0, 1]].grad_fn.name(), y.max().grad_fn.name(), y.max(1)[0].grad_fn.name()] == [
        "AddBackward0", "MulBackward0", "MeanBackward0", "SumBackward0", "SumBackward1",
        "PowBackward0", "PowBackward1", "PowBackward2", "RsubBackward1", "MmBackward0",
        "PermuteBackward0", "TBackward0", "ViewBackward0", "SelectBackward0", "SliceBackward0",
        "IndexBackward0", "MaxBackward1", "MaxBackward0"]
    assert type(y.grad_fn).__name__ == "AddBackward0"
    nxt = y.grad_fn.next_functions
    assert type(nxt[0][0]).__name__ == "AccumulateGrad" and nxt[0][0].variable is x
    assert nxt[1][0] is None                    # the constant 2


def test_requires_grad_flags_and_integer_tensors_refused():
    a = T.randn(2, 2)
    assert not a.requires_grad and (a * 2).grad_fn is None
    a.requires_grad_()
    assert a.requires_grad and (a * 2).requires_grad
    with pytest.raises(TensorError, match="Only Tensors of floating point"):
        T.arange(5, requires_grad=True)
    with pytest.raises(TensorError, match="leaf variables"):
        (a * 2).requires_grad = False
    f = T.arange(5.0, requires_grad=True)
    assert f.dtype == np.float32 and f.requires_grad
    assert T.arange(5).dtype == np.int64


def test_no_grad_detach_and_numpy_refusal():
    x = T.ones(3, requires_grad=True)
    with T.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None and T.is_grad_enabled()
    assert (x ** 2).requires_grad
    d = x.detach()
    assert not d.requires_grad and np.shares_memory(d.value, x.value)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad\. "
                                           r"Use tensor\.detach\(\)\.numpy\(\) instead\."):
        x.numpy()
    np.testing.assert_array_equal(x.detach().numpy(), [1, 1, 1])

    @T.no_grad()
    def doubled(t):
        return t * 2
    assert not doubled(x).requires_grad


def test_grads_accumulate_until_zeroed():
    x = T.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 12.0])
    x.grad.zero_()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_shared_gradient_arrays_are_not_aliased_between_leaves():
    a = T.tensor([1.0, 2.0], requires_grad=True)
    b = T.tensor([3.0, 4.0], requires_grad=True)
    v = np.array([1.0, 1.0], dtype=np.float32)
    (a + b).backward(v)                          # add hands the same array to both leaves
    a.grad.zero_()
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(v, [1.0, 1.0])  # the user's gradient is never written to


def test_backward_errors_are_torchs():
    x = T.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(ExplainerError, match="does not require grad"):
        T.ones(3).sum().backward()
    with pytest.raises(TensorError, match="Mismatch in shape"):
        (x * 2).backward(T.ones(2))


def test_vjp_doubling_example():
    x = T.tensor([1.0, 2.0, 3.0], dtype=T.float64, requires_grad=True)
    y = x * 2
    while y.norm().item() < 1000:
        y = y * 2
    y.backward(T.tensor([0.1, 1.0, 0.0001], dtype=T.float64))
    np.testing.assert_allclose(y.detach().numpy(), 512 * np.array([1, 2, 3.0]))
    np.testing.assert_allclose(x.grad.numpy(), [51.2, 512.0, 0.0512], rtol=1e-12)


def test_retain_grad_keeps_non_leaf_gradient():
    x = T.tensor([1.0, -2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [6.0, -12.0])
    np.testing.assert_array_equal(x.grad.numpy(), [18.0, -36.0])


def test_dtypes_are_kept_through_ops():
    f32 = T.randn(3, 4, requires_grad=True)
    f64 = T.randn(3, 4, dtype=T.float64, requires_grad=True)
    for t, dt in ((f32, np.float32), (f64, np.float64)):
        out = ((t * 2.5 + 1) ** 2 / 3).exp().log().sigmoid().tanh().sum(1).mean()
        out.backward()
        assert out.dtype == dt and t.grad.dtype == dt
    assert T.tensor([1.0]).dtype == np.float32 and T.tensor(np.ones(2)).dtype == np.float64
    assert f32.double().dtype == np.float64 and f32.double().grad_fn.name() == "ToCopyBackward0"


def test_constructors_reproducible_with_seed_and_generator():
    T.manual_seed(7)
    a = T.randn(2, 3)
    T.manual_seed(7)
    b = T.randn(2, 3)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    g1, g2 = T.Generator().manual_seed(3), T.Generator().manual_seed(3)
    np.testing.assert_array_equal(T.rand(4, generator=g1).numpy(), T.rand(4, generator=g2).numpy())
    assert T.zeros(2, 3).shape == (2, 3) and T.ones((4,)).numpy().sum() == 4
    arr = np.arange(3.0)
    shared = T.from_numpy(arr)
    arr[0] = 9
    assert shared[0].item() == 9 and T.tensor(arr)[0].item() == 9
    copied = T.tensor(arr)
    arr[1] = 5
    assert copied[1].item() == 1


def test_in_place_updates_follow_torch_rules():
    w = T.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w -= 1
    (w * 4).sum().backward()
    with T.no_grad():
        w -= 0.5 * w.grad
    assert w.requires_grad and w.is_leaf
    np.testing.assert_array_equal(w.value, [-1.0, -1.0])


def test_operators_with_numpy_and_python_on_either_side():
    x = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
    out = (np.array([2.0, 3.0]) * x + 1 - x / 2 + 2 / x - (-x) + x @ np.array([1.0, 1.0])).sum()
    out.backward()
    # d/dx: [2,3] - 1/2 - 2/x² + 1 + 2 (the dot product term counted once per element of the sum)
    np.testing.assert_allclose(x.grad.numpy(), np.array([2, 3]) - 0.5 - 2 / np.array([1, 4.0]) + 1 + 2)


def test_matmul_shape_error_is_one_sentence():
    with pytest.raises(ExplainerError, match=r"matmul: shapes cannot be multiplied \(2x3 and 2x3\)"):
        T.ones(2, 3) @ T.ones(2, 3)
    with pytest.raises(ExplainerError, match=r"shape '\[4\]' is invalid for input of size 6"):
        T.ones(2, 3).view(4)


def test_graph_build_reads_tensor_nodes_and_vjp_texts():
    W = T.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, name="W")
    X = T.tensor(np.ones((2, 3)), name="X")
    b = T.tensor(np.ones(4), requires_grad=True, name="b")
    out = ((X @ W + b) ** 2).sum()
    graph = Graph.build(out, seed=np.ones_like(out.value))
    texts = {(graph.nodes[e.src].name, graph.nodes[e.dst].op): e.text for e in graph.edges}
    assert texts[("X", "matmul")] == "grad · Wᵀ" and texts[("W", "matmul")] == "Xᵀ · grad"
    assert texts[("b", "add")] == "grad, summed over broadcast dims"
    assert texts[("2", "pow")].startswith("grad · ")
    assert graph["X"].kind == "const" and graph["W"].kind == "input"
    expected = 2 * (np.ones((2, 3)) @ np.arange(12.0).reshape(3, 4) + 1)
    np.testing.assert_allclose(graph["W"].grad, np.ones((2, 3)).T @ expected)
    np.testing.assert_allclose(graph["b"].grad, expected.sum(0))
    assert W.grad is None                       # building a graph does not touch .grad


def test_long_chain_backward_is_iterative():
    x = T.tensor([1.0], dtype=T.float64, requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 20000], rtol=1e-9)


def test_repr_looks_like_torch():
    assert repr(T.ones(2, requires_grad=True)) == "tensor([1., 1.], requires_grad=True)"
    assert repr(T.tensor([1.5]) * 1) == "tensor([1.5000])"
    assert repr(T.tensor(27.0, dtype=T.float64)) == "tensor(27., dtype=torch.float64)"
    assert "grad_fn=<MulBackward0>" in repr(T.ones(2, requires_grad=True) * 2)
    assert repr(T.tensor([1, 2])) == "tensor([1, 2])"


def test_item_assignment_clone_and_truth_values():
    x = T.zeros(3)
    x[1] = 5
    np.testing.assert_array_equal(x.value, [0, 5, 0])
    w = T.ones(2, requires_grad=True)
    c = w.clone()
    assert c.grad_fn.name() == "CloneBackward0" and not np.shares_memory(c.value, w.value)
    (c * 3).sum().backward()
    np.testing.assert_array_equal(w.grad.value, [3, 3])
    with pytest.raises(TensorError, match="ambiguous"):
        bool(T.ones(2))
    assert bool(T.tensor(1.0)) and (T.tensor([1, 2]) == T.tensor([1, 3])).sum().item() == 1


def test_grad_mode_switches_like_torch():
    x = T.ones(2, requires_grad=True)
    with T.set_grad_enabled(False):
        assert not (x * 2).requires_grad
        with T.enable_grad():
            assert (x * 2).requires_grad
    assert T.is_grad_enabled()
    T.set_grad_enabled(False)                   # as a statement it takes effect at once
    try:
        assert not T.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        T.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_np_array_of_a_tensor_is_a_copy_but_asarray_shares():
    import numpy as np

    from explainer.tensor import tensor

    t = tensor([1.0, 2.0])
    copied, shared = np.array(t), np.asarray(t)
    t.data[0] = 5.0
    assert copied[0] == 1.0 and shared[0] == 5.0
