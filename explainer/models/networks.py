"""The training examples' networks for `--model NAME`, and how any module becomes a drawable loss.

A `Network` says where a network is built (`module:function`, called with an `nn` namespace —
torch's or ours, as every example's builder is), the batch it reads and the loss it is trained
with. `network_model` turns one into a `Model`: torch draws the initial weights (as in the
examples), our engine gets the same weights, and both run the same seeded batch in float64.
An example added later registers its network here with one `NETWORKS` entry; an entry whose
module is not there (an example not merged yet) is left out of the list.
"""
from __future__ import annotations
from explainer.i18n import _

import importlib
import importlib.util
from dataclasses import dataclass

import numpy as np

from ..errors import ExplainerError

LOSSES = ("sum", "mse", "cross-entropy", "nll", "bce-logits")


@dataclass(frozen=True)
class Network:
    name: str
    summary: str
    builder: str               # "package.module:function", called as function(nn)
    input_shape: tuple[int, ...]
    loss: str                  # one of LOSSES

    def available(self) -> bool:
        module = self.builder.split(":")[0]
        try:
            return importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            return False

    def build(self, nn):
        module, function = self.builder.split(":")
        return getattr(importlib.import_module(module), function)(nn)


def _linreg_manual(nn):
    """linreg-manual's model: ŷ = x·w + b with w, b of shape [1], as the tutorial writes it."""

    class Line(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(_initial(nn))
            self.b = nn.Parameter(_initial(nn))

        def forward(self, x):
            return x * self.w + self.b

    return Line()


def _initial(nn):
    import torch

    value = np.random.default_rng(0).random(1)
    return torch.tensor(value, dtype=torch.float32) if nn is torch.nn else value.astype(np.float32)


def _mnist_net(nn):
    import torch

    from ..examples.mnist_mlp import mnist_net

    if nn is torch.nn:
        return mnist_net(nn, torch.nn.functional)
    from .. import functional

    return mnist_net(nn, functional)


def _gan(nn):
    """The DCGAN as its generator's training step runs it: noise z → generator → fake images →
    discriminator → one logit per image, so the picture shows both networks and the gradient
    that flows from the discriminator's verdict back into the generator."""
    from collections import OrderedDict

    from ..examples.gan import discriminator, generator

    return nn.Sequential(OrderedDict(generator=generator(nn, 3), discriminator=discriminator(nn, 3)))


EX = "explainer.examples"
NETWORKS: dict[str, Network] = {n.name: n for n in (
    Network("linreg-manual", "ŷ = x·w + b, MSE on 50 points", f"{__name__}:_linreg_manual", (50, 1), "mse"),
    Network("linreg-module", "Linear(1, 1), MSE on 50 points", f"{EX}.linreg_module:make_model", (50, 1), "mse"),
    Network("two-layer-sequential", "Sequential(Linear(1000,100), Linear(100,10)), MSE(sum)",
            f"{EX}.two_layer_sequential:sequential", (64, 1000), "mse"),
    Network("two-layer-module", "TwoLayerNet: two bias-free Linear layers, MSE(sum)",
            f"{EX}.two_layer_module:two_layer_net", (64, 1000), "mse"),
    Network("digits-mlp", "784 → 500 → 10 with ReLU, cross-entropy", f"{EX}.digits_mlp:digits_net",
            (64, 784), "cross-entropy"),
    Network("cnn", "two 3x3 convolutions, max-pool, 1024 hidden, dropout; cross-entropy",
            f"{EX}.cnn:conv_net", (2, 1, 28, 28), "cross-entropy"),
    Network("lstm", "LSTM(1, 5) then Linear(5, 1) over a sequence, MSE", f"{EX}.lstm:lstm_net", (12, 4), "mse"),
    Network("gan", "the DCGAN: noise → generator → 32×32 RGB images → discriminator, BCE with logits",
            f"{__name__}:_gan", (2, 64, 1, 1), "bce-logits"),
)}


def available_networks() -> dict[str, Network]:
    return {name: n for name, n in NETWORKS.items() if n.available()}


def parse_shape(text: str) -> tuple[int, ...]:
    """"64,1,28,28" (or with x / spaces) -> (64, 1, 28, 28); one sentence when it is not that."""
    parts = [p for p in text.replace("x", ",").replace(" ", ",").split(",") if p]
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        shape = ()
    if not shape or any(n < 1 for n in shape):
        raise ExplainerError(_("--input-shape {text!r} is not a shape: give sizes like 64,1,28,28").format(text=text))
    return shape


def check_loss(loss: str) -> str:
    if loss not in LOSSES:
        raise ExplainerError(_("unknown loss {loss!r}; use one of: {LOSSES}").format(loss=loss, LOSSES=', '.join(LOSSES)))
    return loss


def batch(shape, seed: int = 0) -> np.ndarray:
    """The seeded float64 batch every engine reads."""
    return np.random.default_rng(seed).standard_normal(shape)


def loss_of(output, loss: str, F, tensor, seed: int = 0):
    """`loss` of the network's output against a seeded target of the right kind (class indices for
    cross-entropy and nll, numbers of the output's shape for mse, 0/1 for bce-logits; none for sum),
    in either engine (`F` its functional module, `tensor` its tensor factory)."""
    shape = tuple(output.shape)
    rng = np.random.default_rng(seed + 1)
    if loss == "sum":
        return output.sum()
    if loss in ("cross-entropy", "nll"):
        if len(shape) != 2:
            raise ExplainerError(_("--loss {loss} needs an output of shape [batch, classes], not {list_shape}; try --loss mse or sum").format(loss=loss, list_shape=list(shape)))
        target = tensor(rng.integers(0, shape[1], shape[0]))
        return (F.cross_entropy if loss == "cross-entropy" else F.nll_loss)(output, target)
    if loss == "mse":
        return F.mse_loss(output, tensor(rng.standard_normal(shape)))
    return F.binary_cross_entropy_with_logits(output, tensor(rng.integers(0, 2, shape).astype(np.float64)))
