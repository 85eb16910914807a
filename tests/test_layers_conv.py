"""LeakyReLU, BatchNorm1d/2d, Conv2d (stride, dilation, groups) and ConvTranspose2d against torch:
output, input gradient, every parameter gradient and every buffer at 1e-9 in float64."""
import math

import numpy as np
import pytest
import torch

import explainer.functional as F
import explainer.nn as nn
import explainer.tensor as T
from explainer.errors import ExplainerError
from layer_check import compare, copy_from_torch, step


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# -- LeakyReLU -------------------------------------------------------------------------------------

@pytest.mark.parametrize("slope", [0.01, 0.2, 1.5])
def test_leaky_relu_equals_torch_including_its_gradient_at_zero(slope):
    x = arr(4, 6)
    x[0, :3] = 0.0                                      # torch's gradient at 0 is the slope
    ours, theirs = copy_from_torch(nn.LeakyReLU(slope), torch.nn.LeakyReLU(slope))
    result = step(ours, theirs, [("grad", x)])
    compare(ours, theirs, result)
    assert repr(ours) == repr(theirs)
    x = T.tensor([0.0, -2.0, 3.0], requires_grad=True)
    y = F.leaky_relu(x, slope)
    y.sum().backward()
    np.testing.assert_allclose(y.value, [0.0, -2.0 * slope, 3.0])
    np.testing.assert_allclose(x.grad.value, [slope, slope, 1.0])     # torch's choice at 0: slope


# -- BatchNorm -------------------------------------------------------------------------------------

BN_CASES = [
    ("BatchNorm2d", (8, 3, 5, 4), {}),
    ("BatchNorm2d", (4, 2, 3, 3), {"momentum": None}),
    ("BatchNorm2d", (6, 3, 2, 2), {"affine": False}),
    ("BatchNorm2d", (5, 4, 3, 2), {"eps": 1e-3, "momentum": 0.3}),
    ("BatchNorm1d", (16, 5), {}),
    ("BatchNorm1d", (6, 3, 7), {"momentum": None}),
    ("BatchNorm1d", (9, 4), {"track_running_stats": False}),
    ("BatchNorm2d", (3, 2, 4, 4), {"bias": False}),
]


@pytest.mark.parametrize("layer,shape,kwargs", BN_CASES)
def test_batch_norm_trains_then_evaluates_like_torch(layer, shape, kwargs):
    channels = shape[1]
    ours, theirs = copy_from_torch(getattr(nn, layer)(channels, **kwargs),
                                   getattr(torch.nn, layer)(channels, **kwargs))
    if ours.affine:                                   # not torch's ones and zeros: a real test
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(arr(channels, seed=7) + 1))
            if theirs.bias is not None:
                theirs.bias.copy_(torch.tensor(arr(channels, seed=8)))
        ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    for k in range(4):                                 # several steps move the running stats
        ours.zero_grad()
        theirs.zero_grad()
        compare(ours, theirs, step(ours, theirs, [("grad", 3 * arr(*shape, seed=k) + k)], seed=k))
    if ours.track_running_stats:
        assert int(ours.num_batches_tracked.item()) == 4
        assert not np.allclose(ours.running_var.value, 1)
    ours.eval()
    theirs.eval()
    ours.zero_grad()
    theirs.zero_grad()
    compare(ours, theirs, step(ours, theirs, [("grad", arr(*shape, seed=9))], seed=9))
    assert repr(ours) == repr(theirs)


def test_batch_norm_eval_uses_the_running_statistics_not_the_batch():
    bn = nn.BatchNorm1d(2).double()
    bn.running_mean.value[...] = [1.0, -1.0]
    bn.running_var.value[...] = [4.0, 0.25]
    bn.eval()
    y = bn(T.tensor(np.array([[3.0, 0.0], [1.0, -1.0]])))
    np.testing.assert_allclose(y.value, [[2 / math.sqrt(4 + 1e-5), 1 / math.sqrt(0.25 + 1e-5)],
                                        [0.0, 0.0]], rtol=1e-12)
    assert int(bn.num_batches_tracked.item()) == 0


def test_batch_norm_state_dict_loads_torch_buffers_and_float32_matches_torch():
    theirs = torch.nn.BatchNorm2d(3)
    x = torch.randn(4, 3, 5, 5, generator=torch.Generator().manual_seed(0)) * 2 + 1
    theirs(x)
    ours = nn.BatchNorm2d(3)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert ours.running_mean.dtype == np.float32 and ours.num_batches_tracked.dtype == np.int64
    np.testing.assert_array_equal(ours.running_var.value, theirs.running_var.numpy())
    y, ref = ours(T.tensor(x.numpy())), theirs(x)
    torch.testing.assert_close(torch.from_numpy(y.value), ref.detach())
    torch.testing.assert_close(torch.from_numpy(ours.running_mean.value), theirs.running_mean)


def test_batch_norm_refuses_a_single_value_per_channel_and_a_wrong_shape():
    with pytest.raises(T.TensorError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(T.randn(1, 3))
    with pytest.raises(ExplainerError, match="channels"):
        nn.BatchNorm2d(3)(T.randn(2, 4, 2, 2))
    with pytest.raises(ExplainerError, match="4-d input"):
        nn.BatchNorm2d(3)(T.randn(2, 3))


# -- Conv2d with stride, dilation and groups ------------------------------------------------------

CONV_CASES = [
    (3, 4, 3, {}),
    (3, 6, 3, {"stride": 2, "padding": 1}),
    (4, 6, (3, 2), {"stride": (2, 1), "padding": (1, 0), "dilation": (2, 1)}),
    (4, 8, 3, {"groups": 2, "padding": 1}),
    (6, 6, 3, {"groups": 6, "dilation": 2, "padding": 2, "bias": False}),   # depthwise
    (3, 64, 4, {"stride": 2, "padding": 1}),                                 # the DCGAN's first
    (4, 2, 3, {"padding": "same", "dilation": 2}),
    (4, 4, 2, {"stride": 2, "groups": 4}),
    (2, 3, (4, 6), {"stride": (2, 3), "padding": (0, 2)}),
]


@pytest.mark.parametrize("cin,cout,kernel,kwargs", CONV_CASES)
def test_conv2d_equals_torch(cin, cout, kernel, kwargs):
    ours, theirs = copy_from_torch(nn.Conv2d(cin, cout, kernel, **kwargs),
                                   torch.nn.Conv2d(cin, cout, kernel, **kwargs))
    if kwargs.get("padding") != "same":
        assert repr(ours) == repr(theirs)
    compare(ours, theirs, step(ours, theirs, [("grad", arr(2, cin, 9, 8))]))


# -- ConvTranspose2d -------------------------------------------------------------------------------

TRANSPOSE_CASES = [
    (64, 16, 4, {"bias": False}, (1, 1)),                              # the generator's first
    (16, 8, 4, {"stride": 2, "padding": 1, "bias": False}, (4, 4)),    # its middle layers
    (8, 3, 4, {"stride": 2, "padding": 1}, (5, 3)),                    # its last
    (3, 5, 3, {"stride": 3, "padding": 2, "output_padding": 1}, (4, 5)),
    (4, 6, (2, 3), {"stride": (2, 1), "padding": (0, 1), "dilation": (1, 2)}, (3, 4)),
    (4, 6, 3, {"groups": 2, "stride": 2, "output_padding": 1}, (3, 3)),
    (4, 6, 4, {"groups": 2, "stride": 2, "padding": 1, "output_padding": 1}, (3, 4)),
    (2, 3, (4, 6), {"stride": (2, 3), "padding": (2, 1)}, (2, 3)),
]


@pytest.mark.parametrize("cin,cout,kernel,kwargs,size", TRANSPOSE_CASES)
def test_conv_transpose2d_equals_torch(cin, cout, kernel, kwargs, size):
    ours, theirs = copy_from_torch(nn.ConvTranspose2d(cin, cout, kernel, **kwargs),
                                   torch.nn.ConvTranspose2d(cin, cout, kernel, **kwargs))
    assert repr(ours) == repr(theirs)
    compare(ours, theirs, step(ours, theirs, [("grad", arr(3, cin, *size))]))


def test_transpose_and_conv_initialise_like_torch():
    """Same shapes and the same uniform bounds (fan_in read from the weight, as torch does)."""
    T.manual_seed(0)
    for ours, theirs in [(nn.ConvTranspose2d(64, 32, 4, groups=2), torch.nn.ConvTranspose2d(64, 32, 4, groups=2)),
                         (nn.Conv2d(32, 64, 3, groups=4), torch.nn.Conv2d(32, 64, 3, groups=4))]:
        fan_in = theirs.weight.shape[1] * 16 if isinstance(theirs, torch.nn.ConvTranspose2d) \
            else theirs.weight.shape[1] * 9
        for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert name == tname and p.shape == tuple(tp.shape)
            bound = 1 / math.sqrt(fan_in)                  # kaiming_uniform(a=√5) = U(±1/√fan_in)
            assert np.abs(p.value).max() <= bound
            assert np.abs(p.value).max() > 0.9 * bound
        assert repr(ours) == repr(theirs)


def test_dcgan_blocks_run_in_float32_within_torchs_tolerance():
    """The tutorial's generator and discriminator shapes, float32 as the GAN example trains.

    Fixed weights: with some draws (BatchNorm over few values) torch's own float32 is 1e-2 away
    from float64, and then no float32 engine can be within torch's tolerance of torch."""
    torch.manual_seed(0)
    g_ours = nn.Sequential(nn.ConvTranspose2d(8, 16, 4, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                           nn.ConvTranspose2d(16, 3, 4, 2, 1), nn.Sigmoid())
    g_theirs = torch.nn.Sequential(torch.nn.ConvTranspose2d(8, 16, 4, bias=False),
                                   torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
                                   torch.nn.ConvTranspose2d(16, 3, 4, 2, 1), torch.nn.Sigmoid())
    d_ours = nn.Sequential(nn.Conv2d(3, 8, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(8, 16, 4, 2, 1, bias=False),
                           nn.BatchNorm2d(16), nn.LeakyReLU(0.2), nn.Conv2d(16, 1, 2))
    d_theirs = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 4, 2, 1), torch.nn.LeakyReLU(0.2),
                                   torch.nn.Conv2d(8, 16, 4, 2, 1, bias=False), torch.nn.BatchNorm2d(16),
                                   torch.nn.LeakyReLU(0.2), torch.nn.Conv2d(16, 1, 2))
    ours = nn.Sequential(g_ours, d_ours)
    theirs = torch.nn.Sequential(g_theirs, d_theirs)
    copy_from_torch(ours, theirs, torch.float32)
    noise = np.random.default_rng(0).standard_normal((16, 8, 1, 1)).astype(np.float32)
    ours_in, ours_out, theirs_in, theirs_out = step(ours, theirs, [("grad", noise)])
    assert ours_out[0].dtype == np.float32 and ours_out[0].shape == (16, 1, 1, 1)
    torch.testing.assert_close(torch.from_numpy(ours_out[0].value), theirs_out[0].detach())
    torch.testing.assert_close(torch.from_numpy(ours_in[0].grad.value), theirs_in[0].grad)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        assert p.grad.dtype == np.float32
        torch.testing.assert_close(torch.from_numpy(p.grad.value), tp.grad, msg=name)


def test_conv_arguments_are_checked_in_one_sentence():
    with pytest.raises(ExplainerError, match="round brackets"):
        nn.Conv2d(16, 33, kernel_size=(3, 5), stride={2, 1})
    with pytest.raises(ExplainerError, match="groups=3 must divide"):
        nn.ConvTranspose2d(4, 6, 3, groups=3)
    with pytest.raises(T.TensorError, match="conv_transpose2d expects"):
        F.conv_transpose2d(T.randn(1, 3, 4, 4), T.randn(4, 2, 3, 3))
    with pytest.raises(ExplainerError, match="odd kernel"):
        nn.Conv2d(2, 2, 4, padding="same")


def test_buffers_are_saved_cast_and_loaded_as_torch_does():
    ours = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    ours.double()
    assert ours[1].running_var.dtype == np.float64 and ours[1].num_batches_tracked.dtype == np.int64
    bn = ours[1]
    bn.running_mean = T.tensor(np.full(3, 2.0))           # assigning keeps it a buffer
    assert ours.state_dict()["1.running_mean"].value.tolist() == [2.0, 2.0, 2.0]
    state = {k: v.numpy() for k, v in theirs.state_dict().items()}
    del state["1.num_batches_tracked"]
    with pytest.raises(ExplainerError, match='Missing key.*"1.num_batches_tracked"'):
        ours.load_state_dict(state)
    bn.register_buffer("scratch", T.zeros(3), persistent=False)
    assert "1.scratch" not in ours.state_dict() and "1.scratch" in dict(ours.named_buffers())


def test_conv_transpose2d_output_size_picks_the_output_padding_as_torch_does():
    ours, theirs = copy_from_torch(nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1),
                                   torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1))
    x = arr(1, 3, 4, 4)
    for size in ([7, 7], [8, 7], (1, 2, 8, 8)):
        compare(ours, theirs, step(ours, theirs, [("grad", x)],
                                   call=lambda m, x: m(x, output_size=size)))
        ours.zero_grad()
        theirs.zero_grad()
    with pytest.raises(ExplainerError, match="valid sizes range from 7 to 8"):
        ours(T.tensor(x), output_size=[9, 9])


def test_conv2d_weight_gradient_is_the_same_from_the_forwards_columns_or_new_ones():
    """The weight's gradient reuses the forward's im2col columns; a second backward (or one
    under no_grad's forward) copies them again and gets the same numbers."""
    from explainer.ops import OPS

    op = OPS["conv2d"]
    x, w, g = arr(2, 4, 9, 8), arr(6, 2, 3, 3, seed=1), None
    attrs = {"stride": 2, "padding": 1, "dilation": 1, "groups": 2}
    out = op.forward(None, x, w, **attrs)
    g = arr(*out.shape, seed=2)
    first = op.vjp(g, [x, w], out, **attrs)
    second = op.vjp(g, [x, w], out, **attrs)
    with T.no_grad():
        quiet = op.forward(None, x, w, **attrs)
    third = op.vjp(g, [x, w], quiet, **attrs)
    for a, b, c in zip(first, second, third):
        if a is not None:
            np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(a, c)
