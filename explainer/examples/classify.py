"""The epoch loop the MNIST examples share, for either engine: shuffled batches taken by index from
tensors that live on the device, a test pass per epoch, a checkpoint per epoch.

The whole split is moved to the device once; each epoch draws one permutation on the CPU from
(seed, epoch) — so a resumed run sees exactly the batches an uninterrupted one would — moves it
over once, and slices batches out of it on the device: no per-batch host copies.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..data import load_mnist
from .registry import RunOptions
from .runtime import Engine, load_state, save_state
from ..i18n import gettext

PROGRESS_EVERY = 25  # read the loss back (a device sync) only every this many batches


@dataclass
class Split:
    x: object  # the engine's tensors (torch ones on the run's device)
    y: object

    def __len__(self) -> int:
        return int(self.y.shape[0])


def mnist_splits(options: RunOptions, engine: Engine, normalize: bool = True, flatten: bool = False):
    """(train, test) Splits of MNIST as the engine's tensors, normalised as ToTensor +
    Normalize(0.1307, 0.3081) or scaled to 0..1."""
    out = []
    for train in (True, False):
        data = load_mnist(options.data_dir, train=train, limit=options.limit)
        x = data.normalized() if normalize else data.scaled()
        if flatten:
            x = x.reshape(len(data), 784)
        out.append(Split(engine.tensor(x), engine.tensor(data.labels)))
    return out


def epoch_order(seed: int, epoch: int, n: int):
    """This epoch's shuffle, drawn on the CPU from (seed, epoch) alone — identical for both engines."""
    import torch

    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(n, generator=generator)


def nll(F):
    return lambda output, target, reduction="mean": F.nll_loss(output, target, reduction=reduction)


def cross_entropy(F):
    return lambda output, target, reduction="mean": F.cross_entropy(output, target, reduction=reduction)


@dataclass
class Classifier:
    """A model, its optimiser and its loss on one engine, trained by `fit`, measured by `evaluate`."""

    name: str
    engine: Engine
    model: object
    optimizer: object
    loss: object                 # loss(output, target, reduction) -> tensor
    batch: int
    test_batch: int = 1000
    zero_grad: bool = True       # False reproduces the digits tutorial's bug
    history: list = field(default_factory=list)

    def evaluate(self, split: Split) -> tuple[float, float]:
        """(mean loss, accuracy) over the whole split, without gradients; sums stay on the device."""
        self.model.eval()
        total = correct = 0
        with self.engine.no_grad():
            for start in range(0, len(split), self.test_batch):
                xb, yb = split.x[start:start + self.test_batch], split.y[start:start + self.test_batch]
                output = self.model(xb)
                total = total + self.loss(output, yb, reduction="sum")
                correct = correct + (output.argmax(1) == yb).sum()
        return float(total.item()) / len(split), int(correct.item()) / len(split)

    def predict(self, x):
        self.model.eval()
        with self.engine.no_grad():
            return self.model(x).argmax(1).cpu().numpy()

    def fit(self, options: RunOptions, train: Split, test: Split, epochs: int, save: bool = True) -> list:
        """Train to `epochs` (continuing from a checkpoint with --resume); one history row per epoch."""
        import torch

        save = save and options.out is not None
        on_cuda = getattr(train.y, "is_cuda", False)
        start = 0
        if options.resume and save:
            meta = load_state(options, self.name, self.model, self.optimizer)
            start, self.history = meta["epoch"], list(meta["history"])
            if self.engine.name == "torch":  # dropout draws continue where they stopped
                torch.set_rng_state(meta["rng"])
                if on_cuda and "cuda_rng" in meta:
                    torch.cuda.set_rng_state(meta["cuda_rng"])
        batches = math.ceil(len(train) / self.batch)
        if options.steps is not None:
            batches = min(batches, options.steps)
        reporter = options.reporter
        reporter.start(epochs * batches, f"{self.name} ({self.engine.name})")
        reporter.advance(start * batches)
        for epoch in range(start, epochs):
            self.model.train()
            order = self.engine.tensor(epoch_order(options.seed, epoch, len(train)))  # one copy per epoch
            running = 0
            per_batch = []   # detached, read once at the epoch's end: no sync per step
            for i in range(batches):
                index = order[i * self.batch:(i + 1) * self.batch]
                if self.zero_grad:
                    self.optimizer.zero_grad()
                loss = self.loss(self.model(train.x[index]), train.y[index], reduction="mean")
                loss.backward()
                self.optimizer.step()
                running = running + loss.detach()
                per_batch.append(loss.detach())
                reporter.advance(1, float(loss.item()) if i % PROGRESS_EVERY == 0 else None)
            test_loss, accuracy = self.evaluate(test)
            self.history.append({"epoch": epoch + 1, "train_loss": float(running.item()) / batches,
                                 "test_loss": test_loss, "accuracy": accuracy,
                                 "batch_losses": [float(v.item()) for v in per_batch]})
            if save:
                meta = {"epoch": epoch + 1, "history": self.history}
                if self.engine.name == "torch":
                    meta["rng"] = torch.get_rng_state()
                    if on_cuda:
                        meta["cuda_rng"] = torch.cuda.get_rng_state()
                save_state(options, self.name, self.model, self.optimizer, meta)
        reporter.stop()
        return self.history


def digit_grid(options: RunOptions, name: str, classifier: Classifier, test: Split, result, count: int = 32):
    """The first `count` test digits with the model's predictions, when the run has an --out folder."""
    from .runtime import plot_path

    path = plot_path(options, f"{name}-digits.svg")
    if path is None:
        return
    from ..render import plots

    images = np.asarray(test.x[:count].cpu()).reshape(-1, 28, 28)
    predictions = classifier.predict(test.x[:count])
    result.plots.append(str(plots.digit_grid(images, np.asarray(test.y[:count].cpu()), predictions, path,
                                             title=gettext("{name}, test set").format(name=name))))
