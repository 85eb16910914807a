"""LSTM, LSTMCell and Embedding against torch with weights copied by name: outputs, input and
initial-state gradients and every parameter gradient at 1e-9 in float64; pictures grouped per
time step and per gate."""
import math

import numpy as np
import pytest
import torch

import explainer.nn as nn
import explainer.tensor as T
from explainer.errors import ExplainerError
from explainer.graph import Graph
from layer_check import compare, copy_from_torch, step


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("unroll", [True, False])
def test_lstm_equals_torch(num_layers, batch_first, with_state, unroll):
    steps, batch, size, hidden = 5, 3, 4, 6
    ours, theirs = copy_from_torch(nn.LSTM(size, hidden, num_layers, batch_first=batch_first,
                                           unroll=unroll),
                                   torch.nn.LSTM(size, hidden, num_layers, batch_first=batch_first))
    x = arr(batch, steps, size) if batch_first else arr(steps, batch, size)
    inputs = [("grad", x)]
    if with_state:
        inputs += [("grad", arr(num_layers, batch, hidden, seed=1)),
                   ("grad", arr(num_layers, batch, hidden, seed=2))]

        def call(m, x, h0, c0):
            return m(x, (h0, c0))
    else:
        call = None
    result = step(ours, theirs, inputs, call=call)
    compare(ours, theirs, result)
    output, h_n, c_n = result[1]
    assert output.shape == x.shape[:2] + (hidden,)
    assert h_n.shape == c_n.shape == (num_layers, batch, hidden)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("unroll", [True, False])
def test_lstm_unbatched_and_without_bias_equal_torch(unroll):
    ours, theirs = copy_from_torch(nn.LSTM(2, 3, 2, bias=False, unroll=unroll),
                                   torch.nn.LSTM(2, 3, 2, bias=False))
    compare(ours, theirs, step(ours, theirs, [("grad", arr(4, 2))]))
    ours.unroll = not unroll
    ours.zero_grad()
    theirs.zero_grad()
    compare(ours, theirs, step(ours, theirs, [("grad", arr(4, 2)), ("grad", arr(2, 3, seed=1)),
                                              ("grad", arr(2, 3, seed=2))],
                               call=lambda m, x, h, c: m(x, (h, c))))
    assert [n for n, _ in ours.named_parameters()] == ["weight_ih_l0", "weight_hh_l0",
                                                      "weight_ih_l1", "weight_hh_l1"]


def test_the_tutorials_lstm_net_equals_torch():
    """seed 004: x[:, :, None] → LSTM(1, 5) → Linear(5, 1) → [:, :, 0]."""
    def net(module):
        class Net(module.Module):
            def __init__(self):
                super().__init__()
                self.rnn = module.LSTM(1, 5)
                self.fc = module.Linear(5, 1)

            def forward(self, x):
                x, _ = self.rnn(x[:, :, None])
                return self.fc(x)[:, :, 0]
        return Net()

    ours, theirs = copy_from_torch(net(nn), net(torch.nn))
    assert list(ours.state_dict()) == ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0",
                                       "rnn.bias_hh_l0", "fc.weight", "fc.bias"]
    compare(ours, theirs, step(ours, theirs, [np.sin(np.arange(24.0) / 3).reshape(12, 2)]))


@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("batched", [False, True])
def test_lstm_cell_equals_torch(with_state, batched):
    ours, theirs = copy_from_torch(nn.LSTMCell(3, 4), torch.nn.LSTMCell(3, 4))
    lead = (2,) if batched else ()
    inputs = [("grad", arr(*lead, 3))]
    call = None
    if with_state:
        inputs += [("grad", arr(*lead, 4, seed=1)), ("grad", arr(*lead, 4, seed=2))]

        def call(m, x, h, c):
            return m(x, (h, c))
    compare(ours, theirs, step(ours, theirs, inputs, call=call))
    assert [n for n, _ in ours.named_parameters()] == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]


def test_lstm_cell_run_over_a_sequence_equals_torchs_lstm():
    """The same weights in an LSTMCell loop and in an LSTM give the same output."""
    cell = nn.LSTMCell(2, 3).double()
    lstm = torch.nn.LSTM(2, 3).double()
    lstm.load_state_dict({f"{k}_l0": torch.tensor(v.value) for k, v in cell.state_dict().items()})
    x = arr(6, 4, 2)
    h = c = T.tensor(np.zeros((4, 3)))
    for t in range(6):
        h, c = cell(T.tensor(x[t]), (h, c))
    np.testing.assert_allclose(h.value, lstm(torch.tensor(x))[0][-1].detach().numpy(), rtol=1e-12)


def test_lstm_initialises_uniformly_within_one_over_sqrt_hidden():
    T.manual_seed(0)
    hidden = 50
    ours, theirs = nn.LSTM(10, hidden, 2), torch.nn.LSTM(10, hidden, 2)
    bound = 1 / math.sqrt(hidden)
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname and p.shape == tuple(tp.shape) and p.dtype == np.float32
        assert bound * 0.95 < np.abs(p.value).max() <= bound, name


def _in_call(group: str) -> str:
    """The LSTM's own group, without the module call around it ("LSTM/")."""
    return group.split("/", 1)[1] if group.startswith("LSTM/") else group


def test_lstm_picture_groups_every_time_step_and_gate():
    lstm = nn.LSTM(1, 2).double()
    output, (h, c) = lstm(T.tensor(arr(3, 1, 1)))
    graph = Graph.build(output.sum())
    # every group sits inside the module call that made it ("LSTM/t 1 / gates", scopes.py)
    assert all(n.group.startswith("LSTM/") for n in graph.nodes if n.group)
    groups = {_in_call(n.group) for n in graph.nodes if n.group}
    for t in (1, 2, 3):
        for part in ("gates", "input gate", "forget gate", "cell candidate", "output gate",
                     "cell", "hidden"):
            assert f"t {t} / {part}" in groups
    by_name = {n.name: n for n in graph.nodes}
    assert _in_call(by_name["f1"].group) == "t 1 / forget gate" and by_name["f1"].op == "sigmoid"
    assert _in_call(by_name["c2"].group) == "t 2 / cell" and _in_call(by_name["h3"].group) == "t 3 / hidden"
    assert by_name["h0"].kind == by_name["c0"].kind == "const"       # the zero initial state
    assert "t 0 / cell" not in groups and "h4" not in by_name
    two = nn.LSTM(1, 2, 2).double()
    graph = Graph.build(two(T.tensor(arr(2, 1, 1)))[0].sum())
    assert "layer 1 / t 1 / forget gate" in {_in_call(n.group) for n in graph.nodes if n.group}
    assert {"f1 (layer 1)", "h0 (layer 1)", "h2 (layer 0)"} <= {n.name for n in graph.nodes}


def test_the_one_node_lstm_saturates_without_nan_and_replays_in_torch():
    """Large pre-activations (e^−x overflows for some) stay finite, and the op's torch replay agrees
    on the values and on every input's gradient."""
    from explainer.ops import OPS

    rng = np.random.default_rng(0)
    xs = [400 * rng.standard_normal((6, 2, 3)), rng.standard_normal((2, 4)),
          rng.standard_normal((2, 4)), rng.standard_normal((16, 3)), rng.standard_normal((16, 4)),
          rng.standard_normal(16), rng.standard_normal(16)]
    upstream = rng.standard_normal((2, 6, 2, 4))
    ours = [T.tensor(a, requires_grad=True) for a in xs]
    with np.errstate(invalid="raise", divide="raise"):
        packed = T._apply(OPS["lstm"], tuple(ours))
        packed.backward(upstream)
    theirs = [torch.tensor(a, requires_grad=True) for a in xs]
    ref = OPS["lstm"].torch(torch, *theirs)
    ref.backward(torch.tensor(upstream))
    np.testing.assert_allclose(packed.value, ref.detach().numpy(), rtol=1e-9, atol=1e-12)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a.grad.value, b.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=str(k))
    assert np.isfinite(packed.value).all() and all(np.isfinite(a.grad.value).all() for a in ours)
    assert packed.grad_fn.name() == "MkldnnRnnLayerBackward0"


def test_lstm_refuses_what_it_does_not_run_in_one_sentence():
    with pytest.raises(ExplainerError, match="bidirectional=False"):
        nn.LSTM(1, 2, bidirectional=True)
    with pytest.raises(ExplainerError, match=r"expects input \(seq, batch, 3\)"):
        nn.LSTM(3, 2)(T.randn(4, 2, 5))
    with pytest.raises(ExplainerError, match=r"h_0 of shape \[2, 3, 4\]"):
        nn.LSTM(1, 4, 2)(T.randn(5, 3, 1), (T.zeros(1, 3, 4), T.zeros(1, 3, 4)))


# -- Embedding -------------------------------------------------------------------------------------

@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_equals_torch(padding_idx):
    ours, theirs = copy_from_torch(nn.Embedding(7, 4, padding_idx=padding_idx),
                                   torch.nn.Embedding(7, 4, padding_idx=padding_idx))
    indices = np.array([[0, 2, 2, 6], [1, 6, 3, 2]])     # repeats add up; padding learns nothing
    compare(ours, theirs, step(ours, theirs, [indices]))
    assert repr(ours) == repr(theirs)
    if padding_idx is not None:
        assert not ours.weight.grad.value[padding_idx].any()


def test_embedding_initialises_like_torch_and_checks_indices():
    T.manual_seed(0)
    emb = nn.Embedding(1000, 8, padding_idx=0)
    assert abs(emb.weight.value.std() - 1) < 0.05 and not emb.weight.value[0].any()
    with pytest.raises(T.TensorError, match="index out of range"):
        emb(T.tensor([3, 1000]))
    with pytest.raises(T.TensorError, match="integer indices"):
        emb(T.tensor([1.0]))
    with pytest.raises(ExplainerError, match="no max_norm"):
        nn.Embedding(10, 3, max_norm=1.0)
    frozen = nn.Embedding.from_pretrained(T.tensor(arr(3, 2)))
    assert not frozen.weight.requires_grad and frozen.weight.shape == (3, 2)


@pytest.mark.parametrize("unroll", [True, False])
def test_lstm_in_float32_is_within_torchs_tolerance(unroll):
    torch.manual_seed(0)
    ours, theirs = nn.LSTM(3, 8, 2, batch_first=True, unroll=unroll), torch.nn.LSTM(3, 8, 2, batch_first=True)
    copy_from_torch(ours, theirs, torch.float32)
    x = np.random.default_rng(0).standard_normal((4, 12, 3)).astype(np.float32)
    ours_in, ours_out, theirs_in, theirs_out = step(ours, theirs, [("grad", x)])
    for a, b in zip(ours_out, theirs_out):
        assert a.dtype == np.float32
        torch.testing.assert_close(torch.from_numpy(a.value), b.detach())
    torch.testing.assert_close(torch.from_numpy(ours_in[0].grad.value), theirs_in[0].grad)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        assert p.grad.dtype == np.float32
        torch.testing.assert_close(torch.from_numpy(p.grad.value), tp.grad, msg=name)


def test_the_lstm_ops_backward_recomputes_the_gates_when_the_forwards_are_gone():
    """The backward reuses the forward's gate activations; without them (a second backward, a
    copied output) it recomputes them and gets the same gradients."""
    from explainer.ops import OPS

    op = OPS["lstm"]
    rng = np.random.default_rng(5)
    xs = [rng.standard_normal(s) for s in [(5, 3, 2), (3, 4), (3, 4), (16, 2), (16, 4), (16,), (16,)]]
    grad = rng.standard_normal((2, 5, 3, 4))
    out = op.forward(None, *xs)
    saved = op.vjp(grad, xs, out)                   # takes the forward's activations
    recomputed = op.vjp(grad, xs, out.copy())       # finds none: recomputes
    again = op.vjp(grad, xs, out)                   # taken already: recomputes
    for a, b, c in zip(saved, recomputed, again):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-14)
