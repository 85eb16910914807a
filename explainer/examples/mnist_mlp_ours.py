"""mnist-mlp on our engine (explainer.tensor / nn / optim): the same MnistNet, the same initial
weights (copied from the torch net built with the same seed), the same batches in the same order,
so its accuracy can be set beside torch's."""
from __future__ import annotations

import math

import numpy as np

from .. import checkpoint
from ..data import load_mnist
from .classify import PROGRESS_EVERY, epoch_order
from .registry import RunOptions, RunResult
from .runtime import Clock, ckpt_path, finish

NAME, LR, BATCH, TEST_BATCH = "mnist-mlp", 1e-3, 64, 1000


def our_mnist_net(torch_model):
    from .. import functional as F
    from .. import nn

    class MnistNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(28 * 28 * 1, 28)
            self.fc2 = nn.Linear(28, 10)

        def forward(self, x):
            x = x.reshape(-1, 28 * 28 * 1)
            x = F.relu(self.fc1(x))
            return F.log_softmax(self.fc2(x), dim=-1)

    model = MnistNet()
    model.load_state_dict({k: v.detach().numpy() for k, v in torch_model.state_dict().items()})
    return model


def evaluate(model, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from .. import functional as F
    from ..tensor import Tensor, no_grad

    total, correct = 0.0, 0
    with no_grad():
        for start in range(0, len(y), TEST_BATCH):
            output = model(Tensor(x[start:start + TEST_BATCH]))
            target = Tensor(y[start:start + TEST_BATCH])
            total += float(F.nll_loss(output, target, reduction="sum").item())
            correct += int((output.data.argmax(1) == target.data).sum())
    return total / len(y), correct / len(y)


def run_ours(options: RunOptions, torch_model, epochs: int) -> RunResult:
    from .. import functional as F
    from .. import optim
    from ..tensor import Tensor

    train, test = (load_mnist(options.data_dir, train=flag, limit=options.limit) for flag in (True, False))
    train_x, test_x = train.normalized().reshape(-1, 784), test.normalized().reshape(-1, 784)
    clock = Clock()
    model = our_mnist_net(torch_model)
    optimizer = optim.Adam(model.parameters(), lr=LR)
    path, start, history = ckpt_path(options, NAME), 0, []
    if options.resume:
        arrays, meta = checkpoint.load_npz(path, NAME)
        checkpoint.restore_ours(model, optimizer, arrays, meta)
        start, history = meta["epoch"], meta["history"]
    batches = math.ceil(len(train) / BATCH)
    if options.steps is not None:
        batches = min(batches, options.steps)
    options.reporter.start(epochs * batches, f"{NAME} (explainer)")
    options.reporter.advance(start * batches)
    for epoch in range(start, epochs):
        model.train()
        order = epoch_order(options.seed, epoch, len(train), "cpu").numpy()
        running = 0.0
        for i in range(batches):
            index = order[i * BATCH:(i + 1) * BATCH]
            optimizer.zero_grad()
            loss = F.nll_loss(model(Tensor(train_x[index])), Tensor(train.labels[index]))
            loss.backward()
            optimizer.step()
            running += float(loss.item())
            options.reporter.advance(1, float(loss.item()) if i % PROGRESS_EVERY == 0 else None)
        model.eval()
        test_loss, accuracy = evaluate(model, test_x, test.labels)
        history.append({"epoch": epoch + 1, "train_loss": running / batches, "test_loss": test_loss,
                        "accuracy": accuracy})
        if path is not None:
            arrays, meta = checkpoint.flatten_ours(model, optimizer)
            checkpoint.save_npz(path, arrays, {"example": NAME, "epoch": epoch + 1, "history": history, **meta})
    options.reporter.stop()
    result = RunResult(NAME, "explainer", "cpu", final_loss=history[-1]["test_loss"],
                       accuracy=history[-1]["accuracy"], losses=[row["train_loss"] for row in history],
                       extra={"history": history},
                       reported="about 95–97% test accuracy for a net this size (the tutorial prints no figure)")
    return finish(result, clock, options)
