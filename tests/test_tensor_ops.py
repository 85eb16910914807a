"""Every tensor op against torch (float64, rtol 1e-9): values, gradients through broadcasting and
shapes, the registry's `torch=` replay, and torch's grad_fn name."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import explainer.functional as F
import explainer.tensor as T
from explainer.ops import OPS

RTOL = 1e-9
rng = np.random.default_rng(0)


def arr(*shape, low=None):
    a = rng.standard_normal(shape)
    return np.abs(a) + low if low is not None else a


def compare(ours_fn, torch_fn, *arrays, name=True, grad=True):
    """Run both engines on copies of `arrays`; float arrays require grad; backward a random VJP."""
    ours = [T.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    theirs = [torch.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    out, ref = ours_fn(*ours), torch_fn(*theirs)
    assert out.shape == tuple(ref.shape) and out.dtype == np.float64
    np.testing.assert_allclose(out.value, ref.detach().numpy(), rtol=RTOL, atol=1e-12)
    if out.op is not None:   # the registry's torch counterpart replays the same node
        replay = out.op.torch(torch, *[torch.tensor(x.value) for x in out.inputs], **(out.attrs or {}))
        np.testing.assert_allclose(out.value, replay.numpy(), rtol=RTOL, atol=1e-12)
    if name:
        assert out.grad_fn.name() == type(ref.grad_fn).__name__
    if not grad:
        return out
    v = rng.standard_normal(out.shape)
    out.backward(T.tensor(v))
    ref.backward(torch.tensor(v))
    for a, b in zip(ours, theirs):
        if b.requires_grad:
            assert a.grad.shape == a.shape
            np.testing.assert_allclose(a.grad.value, b.grad.numpy(), rtol=RTOL, atol=1e-12)
    return out


BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((3, 1), (1, 5))]


@pytest.mark.parametrize("a_shape,b_shape", BINARY_SHAPES)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow"])
def test_binary_elementwise_broadcasting(op, a_shape, b_shape):
    a = arr(*a_shape, low=0.5) if op == "pow" else arr(*a_shape)
    b = arr(*b_shape, low=0.5) if op == "div" else arr(*b_shape)
    fn = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
          "div": lambda x, y: x / y, "pow": lambda x, y: x ** y}[op]
    compare(fn, fn, a, b)


@pytest.mark.parametrize("scalar", [2, 0.5, -1.5])
def test_operators_with_python_numbers(scalar):
    a = arr(2, 3, low=0.1)
    for fn in (lambda x: x + scalar, lambda x: scalar - x, lambda x: x * scalar,
               lambda x: x / scalar, lambda x: scalar / x, lambda x: x ** scalar,
               lambda x: abs(scalar) ** x, lambda x: -x):
        compare(fn, fn, a, name=False)


# every one-input elementwise op of the registry that torch has as torch.<name>
UNARY = [name for name, op in OPS.items() if op.elementwise and op.arity == 1 and "." not in op.torch_name]


@pytest.mark.parametrize("shape", [(5,), (2, 3), (2, 3, 4)])
@pytest.mark.parametrize("op", UNARY)
def test_unary_elementwise(op, shape):
    a = arr(*shape, low=0.1) if op in ("log", "sqrt") else arr(*shape)
    compare(lambda x: getattr(x, op)(), lambda x: getattr(torch, op)(x), a)


@pytest.mark.parametrize("a_shape,b_shape", [((3, 4), (4, 5)), ((4,), (4,)), ((3, 4), (4,)),
                                             ((4,), (4, 5)), ((2, 3, 4), (4, 5)),
                                             ((2, 3, 4), (1, 4, 2))])
def test_matmul_shapes(a_shape, b_shape):
    compare(lambda x, y: x @ y, lambda x, y: x @ y, arr(*a_shape), arr(*b_shape))


@pytest.mark.parametrize("x_shape,bias", [((5, 3), True), ((3,), True), ((2, 5, 3), True),
                                          ((5, 3), False)])
def test_linear(x_shape, bias):
    arrays = [arr(*x_shape), arr(4, 3)] + ([arr(4)] if bias else [])
    compare(F.linear, TF.linear, *arrays, name=len(x_shape) == 2)


@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), ((0, 2), False), (-1, True),
                                         (1, True)])
@pytest.mark.parametrize("op", ["sum", "mean"])
def test_sum_and_mean(op, dim, keepdim):
    a = arr(2, 3, 4)
    if dim is None:
        compare(lambda x: getattr(x, op)(), lambda x: getattr(x, op)(), a)
    else:
        compare(lambda x: getattr(x, op)(dim, keepdim), lambda x: getattr(x, op)(dim, keepdim), a)


@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, False), (0, True), (-1, False)])
def test_max_sends_gradient_to_the_maximum(dim, keepdim):
    a = arr(3, 4, 2)
    if dim is None:
        compare(lambda x: x.max(), lambda x: x.max(), a)
    else:
        compare(lambda x: x.max(dim, keepdim)[0], lambda x: x.max(dim, keepdim)[0], a)
        np.testing.assert_array_equal(T.tensor(a).max(dim, keepdim).indices.value,
                                      torch.tensor(a).max(dim, keepdim).indices.numpy())


def test_max_of_ties_spreads_evenly_like_torch():
    compare(lambda x: x.max(), lambda x: x.max(), np.array([1.0, 3.0, 3.0, 2.0]))


@pytest.mark.parametrize("shape,new", [((2, 6), (3, 4)), ((2, 6), (-1,)), ((12,), (2, 3, 2)),
                                       ((2, 3, 2), (6, -1))])
def test_reshape_and_view(shape, new):
    compare(lambda x: x.reshape(*new), lambda x: x.reshape(*new), arr(*shape))
    compare(lambda x: x.view(new), lambda x: x.view(new), arr(*shape))


@pytest.mark.parametrize("shape,d0,d1", [((2, 3), 0, 1), ((2, 3, 4), 0, 2), ((2, 3, 4), -1, 1)])
def test_transpose_permute_and_T(shape, d0, d1):
    compare(lambda x: x.transpose(d0, d1), lambda x: x.transpose(d0, d1), arr(*shape))
    dims = tuple(reversed(range(len(shape))))
    compare(lambda x: x.permute(*dims), lambda x: x.permute(*dims), arr(*shape))
    if len(shape) == 2:
        compare(lambda x: x.T, lambda x: x.T, arr(*shape))
        compare(lambda x: x.t(), lambda x: x.t(), arr(*shape))


@pytest.mark.parametrize("key", [1, (slice(None), slice(1, 3)), [0, 0, 2], (Ellipsis, None, 0),
                                 (np.array([True, False, True]),), (slice(None, None, 2), -1)])
def test_indexing_and_slicing(key):
    torch_key = tuple(torch.as_tensor(k) if isinstance(k, np.ndarray) else k for k in key) \
        if isinstance(key, tuple) else key
    compare(lambda x: x[key], lambda x: x[torch_key], arr(3, 4), name=False)


def test_indexing_with_an_integer_tensor_adds_repeated_rows():
    idx = np.array([2, 0, 2, 2])
    compare(lambda x: x[T.tensor(idx)], lambda x: x[torch.tensor(idx)], arr(3, 2))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_and_stack(dim):
    a, b, c = arr(2, 3), arr(2, 3), arr(2, 3)
    compare(lambda *xs: T.stack(xs, dim), lambda *xs: torch.stack(xs, dim), a, b, c)
    shapes = {0: [(1, 3), (2, 3), (4, 3)], 1: [(2, 1), (2, 3), (2, 2)], -1: [(2, 1), (2, 3), (2, 2)]}
    compare(lambda *xs: T.cat(xs, dim), lambda *xs: torch.cat(xs, dim),
            *[arr(*s) for s in shapes[dim]])


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_squeeze_and_unsqueeze(dim):
    a = arr(1, 3, 1)
    if dim is None:
        compare(lambda x: x.squeeze(), lambda x: x.squeeze(), a)
    else:
        compare(lambda x: x.squeeze(dim), lambda x: x.squeeze(dim), a)
        compare(lambda x: x.unsqueeze(dim), lambda x: x.unsqueeze(dim), a)


@pytest.mark.parametrize("dim", [-1, 0, 1])
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_family(op, dim):
    compare(lambda x: getattr(F, op)(x, dim), lambda x: getattr(TF, op)(x, dim), arr(3, 4, 5) * 3)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_and_cross_entropy(reduction):
    target = np.array([1, 0, 4, 4, 2])
    compare(lambda x, t: F.cross_entropy(x, t, reduction=reduction),
            lambda x, t: TF.cross_entropy(x, t, reduction=reduction), arr(5, 5) * 4, target)
    compare(lambda x, t: F.nll_loss(F.log_softmax(x, 1), t, reduction=reduction),
            lambda x, t: TF.nll_loss(TF.log_softmax(x, 1), t, reduction=reduction), arr(5, 5), target)


def test_nll_loss_on_a_single_sample_and_bad_targets():
    compare(lambda x, t: F.nll_loss(x, t), lambda x, t: TF.nll_loss(x, t), arr(4), np.array(2))
    with pytest.raises(T.TensorError, match="Target 7 is out of bounds."):
        F.cross_entropy(T.randn(2, 3), T.tensor([0, 7]))
    with pytest.raises(T.TensorError, match="integer tensor"):
        F.cross_entropy(T.randn(2, 3), T.tensor([0.0, 1.0]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shapes", [((4, 3), (4, 3)), ((5,), (5,)), ((2, 3, 2), (2, 3, 2))])
def test_mse_and_bce_with_logits(reduction, shapes):
    a, b = arr(*shapes[0]), arr(*shapes[1])
    compare(lambda x, y: F.mse_loss(x, y, reduction=reduction),
            lambda x, y: TF.mse_loss(x, y, reduction=reduction), a, b)
    compare(lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=reduction),
            lambda x, y: TF.binary_cross_entropy_with_logits(x, y, reduction=reduction),
            a * 5, 1 / (1 + np.exp(-b)))


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_keeps_its_mask_for_backward_and_replay(p):
    x = T.tensor(arr(200, 50), requires_grad=True)
    y = F.dropout(x, p, generator=T.Generator(1))
    mask = y.attrs["mask"]
    kept = mask != 0
    assert abs(kept.mean() - (1 - p)) < 0.02
    np.testing.assert_allclose(mask[kept], 1 / (1 - p))
    compare(lambda t: T._apply(OPS["dropout"], (t,), {"mask": mask, "p": p}),
            lambda t: t * torch.tensor(mask), x.value)
    assert F.dropout(x, p, training=False) is x


@pytest.mark.parametrize("x_shape,w_shape,stride,padding,bias", [
    ((2, 3, 7, 7), (4, 3, 3, 3), 1, 0, True),
    ((2, 3, 8, 7), (4, 3, 3, 3), 2, 1, True),
    ((1, 2, 6, 9), (3, 2, 2, 3), (2, 1), (1, 0), False),
    ((2, 1, 5, 5), (2, 1, 5, 5), 1, 2, True),
])
def test_conv2d(x_shape, w_shape, stride, padding, bias):
    arrays = [arr(*x_shape), arr(*w_shape)] + ([arr(w_shape[0])] if bias else [])
    compare(lambda *a: F.conv2d(*a, stride=stride, padding=padding) if bias else
            F.conv2d(a[0], a[1], stride=stride, padding=padding),
            lambda *a: TF.conv2d(*a, stride=stride, padding=padding), *arrays)


@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 2, 1), ((2, 3), 1, 0)])
def test_max_pool2d(kernel, stride, padding):
    compare(lambda x: F.max_pool2d(x, kernel, stride, padding),
            lambda x: TF.max_pool2d(x, kernel, stride, padding), arr(2, 3, 6, 7))


def test_float32_stays_float32_through_the_network_ops():
    x = T.randn(2, 1, 6, 6, requires_grad=True)
    w = T.randn(3, 1, 3, 3, requires_grad=True)
    h = F.max_pool2d(F.conv2d(x, w, padding=1).relu(), 2).flatten(1)
    loss = F.cross_entropy(F.linear(h, T.randn(4, 27), T.randn(4)), T.tensor([0, 3]))
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32 and w.grad.dtype == np.float32


@pytest.mark.parametrize("shape", [(), (4,), (2, 3, 2)])
def test_clone_and_dtype_casts_pass_gradients_through(shape):
    a = arr(*shape)
    compare(lambda x: x.clone(), lambda x: x.clone(), a)
    compare(lambda x: x.float().double(), lambda x: x.float().double(), a)
