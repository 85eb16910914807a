"""`mnist-mlp` and `two-layer` as tensor programs, in our engine and in torch with equal weights.

Everything is float64, the precision the check compares in. The inputs are a seeded random batch of the right shape (no dataset is needed to draw a graph):
MnistNet sees x [64, 1, 28, 28] and 64 labels; the two-layer net x [64, 1000] and y [64, 10].
"""
from __future__ import annotations

import numpy as np

BATCH = 64


def _batch(seed: int, shape, classes: int | None = None):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    y = rng.integers(0, classes, BATCH) if classes else rng.standard_normal((BATCH, 10))
    return x, y


def _torch_mnist_net(seed: int):
    import torch

    from ..examples.mnist_mlp import mnist_net

    torch.manual_seed(seed)
    return mnist_net(torch.nn, torch.nn.functional).double()


def mnist_mlp(seed: int = 0):
    """Our engine: nll_loss(MnistNet(x), labels), parameters named as torch names them."""
    from .. import functional as F
    from .. import nn
    from ..examples.mnist_mlp import mnist_net
    from ..examples.runtime import ours_like
    from ..tensor import Tensor

    model = ours_like(_torch_mnist_net(seed), mnist_net(nn, F).double())
    for name, p in model.named_parameters():
        p.name = name
    x, labels = _batch(seed, (BATCH, 1, 28, 28), classes=10)
    # MnistNet's forward, layer by layer, so that the flattened input keeps its name and the
    # intermediates read as the lecture writes them (a view of a tensor that needs no gradient is
    # a new, unnamed leaf, as in torch); run as MnistNet's call, so that the module view still
    # draws MnistNet holding fc1 and fc2 (scopes.py)
    from ..scopes import as_call

    def forward(x):
        hidden = _named(F.relu(_named(model.fc1(x), "fc1(x)")), "hidden")
        return _named(F.log_softmax(_named(model.fc2(hidden), "logits"), dim=-1), "log_probs")

    log_probs = as_call(model, forward, Tensor(x.reshape(-1, 28 * 28), name="x"))
    return _named(F.nll_loss(log_probs, Tensor(labels, name="labels")), "loss")


def _named(tensor, name: str):
    tensor.name = name
    return tensor


def mnist_mlp_torch(seed: int = 0):
    import torch
    import torch.nn.functional as F

    from ..scopes import record

    model = _torch_mnist_net(seed)
    x, labels = _batch(seed, (BATCH, 1, 28, 28), classes=10)
    x, labels = torch.from_numpy(x), torch.from_numpy(labels)
    with record(model):  # which module call made each grad_fn, for the module view (scopes.py)
        log_probs = model(x)
        loss = F.nll_loss(log_probs, labels)
    return loss, model, {"x": x, "labels": labels, "log_probs": log_probs}


def _two_layer_weights(seed: int):
    rng = np.random.default_rng(seed + 1)
    return rng.standard_normal((1000, 100)), rng.standard_normal((100, 10))


def two_layer(seed: int = 0):
    """The tutorial's two-layer-manual step: loss = ((x·w1·w2) − y)².sum()."""
    from ..tensor import Tensor

    x, y = _batch(seed, (BATCH, 1000))
    w1, w2 = (Tensor(w, requires_grad=True, name=n) for w, n in zip(_two_layer_weights(seed), ("w1", "w2")))
    y_pred = _named(_named(Tensor(x, name="x") @ w1, "h") @ w2, "y_pred")
    error = _named(y_pred - Tensor(y, name="y"), "error")
    return _named((error ** 2).sum(), "loss")


def two_layer_torch(seed: int = 0):
    import torch

    x, y = _batch(seed, (BATCH, 1000))
    w1, w2 = (torch.tensor(w, requires_grad=True) for w in _two_layer_weights(seed))
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    h = x.mm(w1)
    y_pred = h.mm(w2)
    loss = (y_pred - y).pow(2).sum()
    return loss, {"w1": w1, "w2": w2}, {"x": x, "y": y, "h": h, "y_pred": y_pred}
