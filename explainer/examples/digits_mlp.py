"""digits-mlp: the "identify the digits" case study — Sequential(Linear(784, 500), ReLU, Linear(500, 10)),
CrossEntropyLoss, Adam lr 1e-3, batch 128, 5 epochs, inputs scaled to 0..1.

The tutorial's "MNIST-like digits" are Analytics Vidhya's PNG copy of MNIST; here we use MNIST
itself: its 60,000 training images split 70/30 in file order into training (42,000) and
validation (18,000), as the tutorial splits its train.csv.

Its loop never calls optimizer.zero_grad(), so each step uses the sum of every gradient so far;
that is why it reports only train 0.878 / validation 0.867. --show-bug trains that loop beside
the fixed one, from the same initial weights, and prints both.
"""
from __future__ import annotations

import copy

from .classify import Classifier, Split, cross_entropy, mnist_splits
from .registry import Example, RunOptions, RunResult, register
from .runtime import Clock, engine_modules, finish, ours_like, plot_loss, resolve_device, setup_torch
from ..i18n import N_, gettext

NAME = "digits-mlp"
LR, EPOCHS, BATCH, HIDDEN, TRAIN_FRACTION = 1e-3, 5, 128, 500, 0.7


def digits_net(nn):
    return nn.Sequential(nn.Linear(784, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 10))


def split_70_30(options: RunOptions, engine) -> tuple[Split, Split]:
    full, _ = mnist_splits(options, engine, normalize=False, flatten=True)
    cut = int(len(full) * TRAIN_FRACTION)
    return Split(full.x[:cut], full.y[:cut]), Split(full.x[cut:], full.y[cut:])


def run(options: RunOptions) -> RunResult:
    device = resolve_device(options)
    torch = setup_torch(options.seed)
    engine = engine_modules(options, device)

    make_model = digits_net
    initial = make_model(torch.nn)  # torch draws the initial weights for both engines and both loops
    train, validation = split_70_30(options, engine)
    clock = Clock()

    def classifier(zero_grad: bool) -> Classifier:
        model = ours_like(initial, make_model(engine.nn)) if engine.name == "explainer" else \
            copy.deepcopy(initial).to(device)
        return Classifier(NAME, engine, model, engine.optim.Adam(model.parameters(), lr=LR),
                          cross_entropy(engine.F), BATCH, zero_grad=zero_grad)

    fixed = classifier(zero_grad=True)
    history = fixed.fit(options, train, validation, options.epochs or EPOCHS)
    result = RunResult(NAME, options.engine, device, final_loss=history[-1]["test_loss"],
                       accuracy=history[-1]["accuracy"], losses=[row["train_loss"] for row in history],
                       reported="train 0.878 / validation 0.867 (with its no-zero_grad bug)",
                       extra={"train_accuracy": fixed.evaluate(train)[1], "history": history})
    curves = {gettext("fixed"): result.losses}
    if options.show_bug:
        buggy = classifier(zero_grad=False)
        buggy_history = buggy.fit(options, train, validation, options.epochs or EPOCHS, save=False)
        result.extra["bug"] = {"train_accuracy": buggy.evaluate(train)[1],
                               "validation_accuracy": buggy_history[-1]["accuracy"],
                               "what": gettext("no optimizer.zero_grad(): gradients pile up over every batch")}
        curves[gettext("without zero_grad")] = [row["train_loss"] for row in buggy_history]
    plot_loss(result, options, NAME, None, gettext("{name}: training loss per epoch").format(name=NAME),
              label=N_("epoch"), curves=curves)
    return finish(result, clock, options)


register(Example(
    name=NAME,
    summary="784→500→10 on MNIST split 70/30: CrossEntropyLoss, Adam, batch 128, 5 epochs (--show-bug)",
    source="PyTorch入门 case study (seed 002): identify the digits; its loop lacks zero_grad()",
    hyper={"layers": "784-500-10", "loss": "CrossEntropyLoss", "optimizer": "Adam", "lr": LR,
           "epochs": EPOCHS, "batch": BATCH, "split": "70/30 of MNIST's training set", "inputs": "0..1"},
    reported="train 0.878 / validation 0.867 (its loop never zeroes the gradients)",
    expects="fixed: about 0.97+ validation accuracy; --show-bug shows the accumulated-gradient run far below",
    run=run,
    engines=("torch", "explainer"),
    data="mnist",
))
