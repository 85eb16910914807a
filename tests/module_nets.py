"""Small builders of the tutorials' networks for the module-view tests, in both engines.

Each returns a `Traced` graph of one loss: our engine's through `trace`, torch's through
`from_torch` with the module calls recorded (`scopes.record`)."""
from __future__ import annotations

import numpy as np

from explainer.examples.lstm import lstm_net   # seed 004's Net(input_size=1, hidden_size=5)


def ours_cnn(batch: int = 2):
    from explainer import nn
    from explainer.api import trace
    from explainer.examples.cnn import conv_net
    from explainer.tensor import Tensor

    rng = np.random.default_rng(0)
    net = conv_net(nn)
    x = Tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32), name="images")
    labels = Tensor(rng.integers(0, 10, batch), name="labels")
    return trace(nn.CrossEntropyLoss()(net(x), labels))


def torch_cnn(batch: int = 2):
    import torch

    from explainer.examples.cnn import conv_net

    torch.manual_seed(0)
    net = conv_net(torch.nn)
    return _torch_trace(net, lambda: torch.nn.functional.cross_entropy(
        net(torch.randn(batch, 1, 28, 28)), torch.randint(0, 10, (batch,))), "cnn (torch)")


def torch_lstm():
    import torch

    torch.manual_seed(0)
    net = lstm_net(torch.nn)
    x, y = torch.randn(20, 4), torch.randn(20, 4)
    return _torch_trace(net, lambda: torch.nn.functional.mse_loss(net(x), y), "lstm (torch)")


def ours_lstm():
    from explainer import nn
    from explainer.api import trace
    from explainer.tensor import Tensor

    rng = np.random.default_rng(0)
    net = lstm_net(nn)
    x = Tensor(rng.standard_normal((20, 4)).astype(np.float32), name="x")
    y = Tensor(rng.standard_normal((20, 4)).astype(np.float32), name="y")
    return trace(nn.MSELoss()(net(x), y))


def ours_gan():
    """The DCGAN's generator loss in our engine (two Sequentials, called one after the other)."""
    from explainer import nn
    from explainer.api import trace
    from explainer.tensor import Tensor

    gnet, dnet = gan_nets(nn)
    rng = np.random.default_rng(0)
    noise = Tensor(rng.standard_normal((4, 64, 1, 1)).astype(np.float32), name="noise")
    ones = Tensor(np.ones(4, np.float32), name="ones")
    return trace(nn.BCEWithLogitsLoss()(dnet(gnet(noise)).view(-1), ones))


def gan_nets(nn):
    """seed 004's DCGAN generator and discriminator, with torch's names for the layers."""
    latent, g, d = 64, 64, 64
    gnet = nn.Sequential(
        nn.ConvTranspose2d(latent, 4 * g, kernel_size=4, bias=False), nn.BatchNorm2d(4 * g), nn.ReLU(),
        nn.ConvTranspose2d(4 * g, 2 * g, kernel_size=4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(2 * g), nn.ReLU(),
        nn.ConvTranspose2d(2 * g, g, kernel_size=4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(g), nn.ReLU(),
        nn.ConvTranspose2d(g, 3, kernel_size=4, stride=2, padding=1), nn.Sigmoid())
    dnet = nn.Sequential(
        nn.Conv2d(3, d, kernel_size=4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Conv2d(d, 2 * d, kernel_size=4, stride=2, padding=1, bias=False), nn.BatchNorm2d(2 * d),
        nn.LeakyReLU(0.2),
        nn.Conv2d(2 * d, 4 * d, kernel_size=4, stride=2, padding=1, bias=False), nn.BatchNorm2d(4 * d),
        nn.LeakyReLU(0.2),
        nn.Conv2d(4 * d, 1, kernel_size=4))
    return gnet, dnet


def torch_gan():
    """seed 004's DCGAN: the generator's loss, BCEWithLogits of dnet(gnet(noise)) against ones."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    gnet, dnet = gan_nets(nn)
    both = nn.ModuleDict({"gnet": gnet, "dnet": dnet})   # one model: paths gnet.0 … dnet.8
    noise = torch.randn(4, 64, 1, 1)
    loss = lambda: nn.BCEWithLogitsLoss()(dnet(gnet(noise)).view(-1), torch.ones(4))  # noqa: E731
    return _torch_trace(both, loss, "gan (torch)")


def _torch_trace(model, run, title):
    from explainer.api import Traced
    from explainer.scopes import record
    from explainer.torchbridge import from_torch

    with record(model):
        loss = run()
    return Traced(from_torch(loss, params=model), title)
