"""cnn: the tutorials' convolutional net on MNIST —
Conv2d(1,64,3,p=1) → ReLU → Conv2d(64,128,3,p=1) → ReLU → MaxPool2d(2) → Linear(128·14·14, 1024)
→ ReLU → Dropout(0.5) → Linear(1024, 10), with CrossEntropyLoss and Adam lr 1e-3, batch 64.

The tutorial gives no figure and no training settings; one epoch is the default here. It is about
25 million weights (the first Linear holds almost all of them): minutes per epoch on a CPU core,
seconds on a GPU — use --device cuda, or --steps N / --limit N for a short CPU run.
"""
from __future__ import annotations

from .classify import Classifier, cross_entropy, digit_grid, mnist_splits
from .registry import Example, RunOptions, RunResult, register
from .runtime import Clock, engine_modules, finish, ours_like, resolve_device, setup_torch
from ..i18n import gettext

NAME = "cnn"
LR, EPOCHS, BATCH, TEST_BATCH = 1e-3, 1, 64, 500


def conv_net(nn):
    return nn.Sequential(
        nn.Conv2d(1, 64, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(64, 128, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(128 * 14 * 14, 1024), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(1024, 10))


def run(options: RunOptions) -> RunResult:
    device = resolve_device(options)
    torch = setup_torch(options.seed)
    if device == "cpu" and options.steps is None and options.limit is None:
        options.reporter.note(gettext("cnn on a CPU takes minutes per epoch; --steps N or --limit N make a short run"))
    engine = engine_modules(options, device)
    train, test = mnist_splits(options, engine)
    clock = Clock()
    model = conv_net(torch.nn)  # torch draws the initial weights for both engines
    if engine.name == "explainer":
        model = ours_like(model, conv_net(engine.nn))
    model = model.to(device)
    classifier = Classifier(NAME, engine, model, engine.optim.Adam(model.parameters(), lr=LR),
                            cross_entropy(engine.F), BATCH, TEST_BATCH)
    history = classifier.fit(options, train, test, options.epochs or EPOCHS)
    result = RunResult(NAME, options.engine, device, final_loss=history[-1]["test_loss"],
                       accuracy=history[-1]["accuracy"], losses=[row["train_loss"] for row in history],
                       reported="no figure given", extra={"history": history,
                                                          "parameters": sum(p.numel() for p in model.parameters())})
    digit_grid(options, NAME, classifier, test, result)
    return finish(result, clock, options)


register(Example(
    name=NAME,
    summary="two 3x3 convolutions, max-pool, 1024 hidden, dropout on MNIST: CrossEntropyLoss, Adam",
    source="PyTorch CNN snippet (seed 004): Conv2d, MaxPool2d, Dropout in a Sequential",
    hyper={"conv": "1→64→128, 3x3, padding 1", "pool": 2, "hidden": 1024, "dropout": 0.5,
           "optimizer": "Adam", "lr": LR, "epochs": EPOCHS, "batch": BATCH},
    reported="no figure given",
    expects="well above 90% test accuracy after one epoch",
    run=run,
    data="mnist",
    engines=("torch", "explainer"),
))
