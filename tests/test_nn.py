"""Modules against torch.nn: names, init ranges, forward and backward with copied weights."""
import math

import numpy as np
import pytest
import torch

import explainer.init as init
import explainer.nn as nn
import explainer.tensor as T
from explainer.errors import ExplainerError


class MnistNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 28)
        self.fc2 = nn.Linear(28, 10)

    def forward(self, x):
        return self.fc2(self.fc1(x.view(-1, 784)).relu()).log_softmax(1)


class TorchMnistNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 28)
        self.fc2 = torch.nn.Linear(28, 10)

    def forward(self, x):
        return torch.log_softmax(self.fc2(torch.relu(self.fc1(x.view(-1, 784)))), 1)


def copy_weights(ours: nn.Module, theirs: torch.nn.Module):
    """Give torch's module our values (float64), so both compute the same function."""
    theirs.double()
    with torch.no_grad():
        for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert name == tname
            tp.copy_(torch.tensor(p.value))


def test_parameter_names_follow_torch():
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1, bias=False))
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight"]
    assert [n for n, _ in MnistNet().named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight",
                                                           "fc2.bias"]
    assert [tuple(p.shape) for p in MnistNet().parameters()] == [(28, 784), (28,), (10, 28), (10,)]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight"]
    assert isinstance(seq.parameters().__next__(), nn.Parameter)


def test_linear_init_is_uniform_within_one_over_sqrt_fan_in():
    T.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert p.requires_grad and p.dtype == np.float32
        assert np.abs(p.value).max() <= bound and np.abs(p.value).max() > 0.95 * bound
    assert abs(layer.weight.value.std() - bound / math.sqrt(3)) < 0.02 * bound


@pytest.mark.parametrize("batch", [1, 7, 64])
def test_mnist_net_forward_and_backward_equal_torch(batch):
    ours, theirs = MnistNet().double(), TorchMnistNet()
    copy_weights(ours, theirs)
    x = np.random.default_rng(batch).standard_normal((batch, 1, 28, 28))
    target = np.arange(batch) % 10
    loss = nn.NLLLoss()(ours(T.tensor(x)), T.tensor(target))
    ref = torch.nn.NLLLoss()(theirs(torch.tensor(x)), torch.tensor(target))
    loss.backward()
    ref.backward()
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-9)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.value, tp.grad.numpy(), rtol=1e-9, atol=1e-14, err_msg=name)


@pytest.mark.parametrize("loss_name,activation", [("MSELoss", "Sigmoid"), ("CrossEntropyLoss", "Tanh"),
                                                  ("MSELoss", "ReLU")])
def test_sequential_with_activations_and_losses_equal_torch(loss_name, activation):
    ours = nn.Sequential(nn.Linear(5, 8), getattr(nn, activation)(), nn.Linear(8, 3)).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 8), getattr(torch.nn, activation)(),
                                 torch.nn.Linear(8, 3))
    copy_weights(ours, theirs)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 5))
    y = rng.integers(0, 3, 6) if loss_name == "CrossEntropyLoss" else rng.standard_normal((6, 3))
    for reduction in ("mean", "sum"):
        ours.zero_grad()
        theirs.zero_grad()
        loss = getattr(nn, loss_name)(reduction=reduction)(ours(T.tensor(x)), T.tensor(y))
        ref = getattr(torch.nn, loss_name)(reduction=reduction)(theirs(torch.tensor(x)), torch.tensor(y))
        loss.backward()
        ref.backward()
        np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-9)
        for p, tp in zip(ours.parameters(), theirs.parameters()):
            np.testing.assert_allclose(p.grad.value, tp.grad.numpy(), rtol=1e-9, atol=1e-14)


def test_cnn_layers_equal_torch():
    ours = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 3)).double()
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(),
                                 torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(64, 3))
    copy_weights(ours, theirs)
    x = np.random.default_rng(2).standard_normal((2, 1, 8, 8))
    out, ref = ours(T.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(out.value, ref.detach().numpy(), rtol=1e-9)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(ours[0].weight.grad.value, theirs[0].weight.grad.numpy(), rtol=1e-9)


def test_train_eval_switches_dropout():
    model = nn.Sequential(nn.Linear(10, 10), nn.Dropout(0.5))
    x = T.ones(4, 10)
    assert model.training and model[1].training
    model.eval()
    assert not model[1].training
    np.testing.assert_array_equal(model(x).value, model[0](x).value)
    model.train()
    assert (model(x).value == 0).any()


def test_state_dict_round_trip_and_errors():
    a, b = MnistNet(), MnistNet()
    b.load_state_dict(a.state_dict())
    x = T.randn(3, 784)
    np.testing.assert_array_equal(a(x).value, b(x).value)
    weight_array = b.fc1.weight.value
    b.load_state_dict({k: v.value * 2 for k, v in a.state_dict().items()})
    assert b.fc1.weight.value is weight_array             # loaded in place
    with pytest.raises(ExplainerError, match='Missing key\\(s\\) in state_dict: "fc2.bias"'):
        b.load_state_dict({k: v for k, v in a.state_dict().items() if k != "fc2.bias"})
    with pytest.raises(ExplainerError, match="size mismatch for weight: copying a param with shape \\[28, 4\\]"):
        nn.Linear(3, 28).load_state_dict({"weight": T.zeros(28, 4), "bias": T.zeros(28)})


def test_apply_visits_children_before_parents_and_init_functions():
    seen = []
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Tanh(), nn.Linear(3, 1)))
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Tanh", "Linear", "Sequential", "Sequential"]

    def reset(m):
        if isinstance(m, nn.Linear):
            init.constant_(m.weight, 0.5)
            init.zeros_(m.bias)
    model.apply(reset)
    np.testing.assert_array_equal(model[1][1].weight.value, [[0.5, 0.5, 0.5]])
    assert model[0].bias.value.sum() == 0


@pytest.mark.parametrize("fn,expected_std", [
    (init.xavier_uniform_, math.sqrt(2 / (200 + 300))),
    (init.xavier_normal_, math.sqrt(2 / (200 + 300))),
    (lambda t: init.normal_(t, 1.0, 0.2), 0.2),
    (lambda t: init.uniform_(t, -1, 1), 1 / math.sqrt(3)),
    (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(2 / 200)),
])
def test_init_functions_fill_in_place_with_torchs_spread(fn, expected_std):
    p = nn.Parameter(np.zeros((300, 200), dtype=np.float32))
    array = p.value
    fn(p)
    assert p.value is array and p.dtype == np.float32
    assert abs(p.value.std() - expected_std) < 0.03 * expected_std


def test_module_errors_are_clear():
    class NoInit(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)
    with pytest.raises(ExplainerError, match="super\\(\\).__init__\\(\\)"):
        NoInit()
    with pytest.raises(ExplainerError, match="not the set"):
        nn.Conv2d(1, 2, kernel_size={3, 5})

    class NoReturn(nn.Module):
        def forward(self, x):
            x * 2
    with pytest.raises(ExplainerError, match="NoReturn.forward\\(\\) returned None"):
        NoReturn()(T.ones(2))


def test_repr_reads_like_torch():
    model = nn.Sequential(nn.Linear(784, 28), nn.ReLU())
    assert repr(model) == ("Sequential(\n  (0): Linear(in_features=784, out_features=28, bias=True)\n"
                           "  (1): ReLU()\n)")
