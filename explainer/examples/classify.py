"""The epoch loop the MNIST examples share (torch engine): shuffled batches taken by index from
tensors that live on the device, a test pass per epoch, a checkpoint per epoch.

The whole split is moved to the device once; each epoch draws one permutation on the CPU from
(seed, epoch) — so a resumed run sees exactly the batches an uninterrupted one would — moves it
over once, and slices batches out of it on the device: no per-batch host copies.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .. import checkpoint
from ..data import load_mnist
from .registry import RunOptions
from .runtime import ckpt_path

PROGRESS_EVERY = 25  # read the loss back (a device sync) only every this many batches


@dataclass
class Split:
    x: object  # torch tensors on the run's device
    y: object

    def __len__(self) -> int:
        return int(self.y.shape[0])


def mnist_splits(options: RunOptions, device: str, normalize: bool = True, flatten: bool = False):
    """(train, test) Splits of MNIST, normalised as ToTensor + Normalize(0.1307, 0.3081) or scaled 0..1."""
    import torch

    out = []
    for train in (True, False):
        data = load_mnist(options.data_dir, train=train, limit=options.limit)
        x = torch.from_numpy(data.normalized() if normalize else data.scaled())
        if flatten:
            x = x.reshape(len(data), 784)
        out.append(Split(x.to(device), torch.from_numpy(data.labels).to(device)))
    return out


def epoch_order(seed: int, epoch: int, n: int, device: str):
    import torch

    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(n, generator=generator).to(device)


@dataclass
class Classifier:
    """A model, its optimiser and its loss, trained by `fit` and measured by `evaluate`."""

    name: str
    model: object
    optimizer: object
    loss: object                 # loss(output, target, reduction) -> tensor
    batch: int
    test_batch: int = 1000
    zero_grad: bool = True       # False reproduces the digits tutorial's bug
    history: list = field(default_factory=list)

    def evaluate(self, split: Split) -> tuple[float, float]:
        """(mean loss, accuracy) over the whole split, without gradients."""
        import torch

        self.model.eval()
        total = torch.zeros((), device=split.y.device)
        correct = torch.zeros((), device=split.y.device, dtype=torch.long)
        with torch.no_grad():
            for start in range(0, len(split), self.test_batch):
                xb, yb = split.x[start:start + self.test_batch], split.y[start:start + self.test_batch]
                output = self.model(xb)
                total += self.loss(output, yb, reduction="sum")
                correct += (output.argmax(1) == yb).sum()
        return total.item() / len(split), correct.item() / len(split)

    def predict(self, x):
        import torch

        self.model.eval()
        with torch.no_grad():
            return self.model(x).argmax(1).cpu().numpy()

    def fit(self, options: RunOptions, train: Split, test: Split, epochs: int, save: bool = True) -> list:
        """Train to `epochs` (continuing from a checkpoint with --resume); one history row per epoch."""
        import torch

        path = ckpt_path(options, self.name) if save else None
        start = 0
        if options.resume and save:
            state = checkpoint.load_torch(path, self.name)
            self.model.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
            torch.set_rng_state(state["rng"])  # dropout draws continue where they stopped
            if "cuda_rng" in state and train.y.is_cuda:
                torch.cuda.set_rng_state(state["cuda_rng"])
            start, self.history = state["epoch"], list(state["history"])
        batches = math.ceil(len(train) / self.batch)
        if options.steps is not None:
            batches = min(batches, options.steps)
        reporter = options.reporter
        reporter.start(epochs * batches, self.name)
        reporter.advance(start * batches)
        for epoch in range(start, epochs):
            self.model.train()
            order = epoch_order(options.seed, epoch, len(train), train.y.device)
            running = torch.zeros((), device=train.y.device)
            for i in range(batches):
                index = order[i * self.batch:(i + 1) * self.batch]
                if self.zero_grad:
                    self.optimizer.zero_grad()
                loss = self.loss(self.model(train.x[index]), train.y[index], reduction="mean")
                loss.backward()
                self.optimizer.step()
                running += loss.detach()
                reporter.advance(1, loss.item() if i % PROGRESS_EVERY == 0 else None)
            test_loss, accuracy = self.evaluate(test)
            self.history.append({"epoch": epoch + 1, "train_loss": running.item() / batches,
                                 "test_loss": test_loss, "accuracy": accuracy})
            if path is not None:
                rng = {"rng": torch.get_rng_state()}
                if train.y.is_cuda:
                    rng["cuda_rng"] = torch.cuda.get_rng_state()
                checkpoint.save_torch(path, {
                    "example": self.name, "epoch": epoch + 1, "model": self.model.state_dict(),
                    "optimizer": self.optimizer.state_dict(), "history": self.history, **rng})
        reporter.stop()
        return self.history


def nll(output, target, reduction="mean"):
    import torch.nn.functional as F

    return F.nll_loss(output, target, reduction=reduction)


def cross_entropy(output, target, reduction="mean"):
    import torch.nn.functional as F

    return F.cross_entropy(output, target, reduction=reduction)


def digit_grid(options: RunOptions, name: str, classifier: Classifier, test: Split, result, count: int = 32):
    """The first `count` test digits with the model's predictions, when the run has an --out folder."""
    from .runtime import plot_path

    path = plot_path(options, f"{name}-digits.svg")
    if path is None:
        return
    from ..render import plots

    images = test.x[:count].cpu().numpy().reshape(-1, 28, 28)
    predictions = classifier.predict(test.x[:count])
    result.plots.append(str(plots.digit_grid(images, test.y[:count].cpu().numpy(), predictions, path,
                                             title=f"{name}, test set")))
