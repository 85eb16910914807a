"""Tensor engine vs torch (CPU, one thread) and vs the hand-written numpy floor.

MnistNet (784-28-10, nll_loss, Adam lr 1e-3, batch 64): one training step and a full epoch of
60,000 samples, shuffled; the two-layer net (1000-100-10, MSELoss(sum), Adam lr 1e-4): 500 steps.
The data are synthetic arrays of MNIST's shape (the timing does not depend on the pixel values).
All three sides start from torch's initial weights and the script checks that their first losses
agree before it times anything.
"""
import _common  # noqa: F401  (first: one BLAS thread)
from _common import log, one_thread_torch, paired_times, result

import time

import numpy as np

from numpy_mnist import NumpyMnistNet

TARGET_TORCH, FLOOR = 1.5, 1.5
SAMPLES, BATCH = 60_000, 64


def torch_mnist(torch):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 28), torch.nn.ReLU(),
                               torch.nn.Linear(28, 10), torch.nn.LogSoftmax(dim=-1))


def our_mnist(torch_model):
    """MnistNet in our engine, as the tutorial writes it, with torch's initial weights."""
    from explainer import functional as F
    from explainer import nn

    class MnistNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 28)
            self.fc2 = nn.Linear(28, 10)

        def forward(self, x):
            x = x.view(-1, 784)
            return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=-1)

    model = MnistNet()
    source = [p.detach().numpy() for p in torch_model.parameters()]
    for p, w in zip(model.parameters(), source, strict=True):
        p.data[...] = w
    return model


def synthetic_mnist():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SAMPLES, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, SAMPLES)
    return x, y


def batches(rng, n: int):
    order = rng.permutation(n)
    return [order[i:i + BATCH] for i in range(0, n, BATCH)]


def bench_mnist(torch) -> None:
    import torch.nn.functional as TF

    from explainer import functional as F
    from explainer import optim
    from explainer.tensor import Tensor

    x, y = synthetic_mnist()
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    tmodel = torch_mnist(torch)
    omodel = our_mnist(tmodel)
    w1, b1, w2, b2 = (p.detach().numpy().copy() for p in tmodel.parameters())
    floor = NumpyMnistNet(w1.reshape(28, 784), b1, w2, b2)
    topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3)
    oopt = optim.Adam(omodel.parameters(), lr=1e-3)

    def torch_step(idx):
        topt.zero_grad()
        loss = TF.nll_loss(tmodel(tx[idx]), ty[idx])
        loss.backward()
        topt.step()
        return loss.item()

    def our_step(idx):
        oopt.zero_grad()
        loss = F.nll_loss(omodel(Tensor(x[idx])), Tensor(y[idx]))
        loss.backward()
        oopt.step()
        return float(loss.data)

    def floor_step(idx):
        return floor.step(x[idx].reshape(len(idx), 784), y[idx])

    first = np.arange(BATCH)
    losses = [torch_step(torch.from_numpy(first)), our_step(first), floor_step(first)]
    assert max(losses) - min(losses) < 1e-4, f"the three sides disagree on the first loss: {losses}"

    tfirst = torch.from_numpy(first)
    ours_s, torch_s, floor_s = paired_times(lambda: our_step(first), lambda: torch_step(tfirst),
                                            lambda: floor_step(first), repeats=7, number=100)
    result("MnistNet train step (batch 64, Adam)", ours_s, "torch 2.13 CPU", torch_s,
           "reported (the epoch carries the target)", numpy_floor_s=floor_s,
           ours_vs_floor=round(ours_s / floor_s, 3))

    rng = np.random.default_rng(1)
    plan = batches(rng, SAMPLES)
    tplan = [torch.from_numpy(idx) for idx in plan]

    def torch_epoch():
        for idx in tplan:
            torch_step(idx)

    def our_epoch():
        for idx in plan:
            our_step(idx)

    def floor_epoch():
        for idx in plan:
            floor_step(idx)

    ours_s, torch_s, floor_s = paired_times(our_epoch, torch_epoch, floor_epoch, repeats=3, warmup=0)
    loader_s = torch_dataloader_epoch(torch, tmodel, topt, x, y)
    result("MnistNet epoch (60,000 samples)", ours_s, "torch 2.13 CPU", torch_s,
           f"ratio >= {TARGET_TORCH}", met=torch_s / ours_s >= TARGET_TORCH,
           anchor_dataloader_s=loader_s, numpy_floor_s=floor_s)
    result("MnistNet epoch vs hand-written numpy", ours_s, "numpy (bench/numpy_mnist.py)", floor_s,
           f"ours within {FLOOR}x of numpy (ratio >= {round(1 / FLOOR, 3)})",
           met=ours_s <= FLOOR * floor_s)


def torch_dataloader_epoch(torch, model, opt, x, y) -> float:
    """The tutorial's way: a TensorDataset behind a shuffling DataLoader (one epoch, one run)."""
    import torch.nn.functional as TF

    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x),
                                                                        torch.from_numpy(y)),
                                         batch_size=BATCH, shuffle=True)
    start = time.perf_counter()
    for xb, yb in loader:
        opt.zero_grad()
        TF.nll_loss(model(xb), yb).backward()
        opt.step()
    return time.perf_counter() - start


def bench_two_layer(torch) -> None:
    from explainer import nn, optim
    from explainer.tensor import Tensor

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 1000), dtype=np.float32)
    y = rng.standard_normal((64, 10), dtype=np.float32)
    torch.manual_seed(0)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def torch_run():
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(1000, 100), torch.nn.Linear(100, 10))
        loss_fn = torch.nn.MSELoss(reduction="sum")
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        for _ in range(500):
            loss = loss_fn(model(tx), ty)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return loss.item()

    def our_run():
        model = nn.Sequential(nn.Linear(1000, 100), nn.Linear(100, 10))
        loss_fn = nn.MSELoss(reduction="sum")
        opt = optim.Adam(model.parameters(), lr=1e-4)
        ox, oy = Tensor(x), Tensor(y)
        for _ in range(500):
            loss = loss_fn(model(ox), oy)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return float(loss.data)

    ours_s, torch_s = paired_times(our_run, torch_run, repeats=3, number=1)
    result("two-layer net, 500 Adam steps", ours_s, "torch 2.13 CPU", torch_s,
           "reported (no target in the issue)")


if __name__ == "__main__":
    log("tensor engine vs torch")
    torch = one_thread_torch()
    bench_mnist(torch)
    bench_two_layer(torch)
