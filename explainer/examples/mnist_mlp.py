"""mnist-mlp: the tutorial's `MnistNet` — view(-1, 784) → Linear(784, 28) → ReLU → Linear(28, 10)
→ log_softmax — trained with nll_loss and Adam (lr 1e-3), batches of 64 shuffled, 1000 for testing,
5 epochs, test loss and accuracy after each; model and optimiser state_dicts saved every epoch and
reloaded at the end to show the reloaded model scores the same.

The tutorial's forward has no `return` (so the net outputs None); the one here returns its output.
"""
from __future__ import annotations

from .classify import Classifier, digit_grid, mnist_splits, nll
from ..i18n import N_, gettext
from .registry import Example, RunOptions, RunResult, register
from .runtime import (Clock, engine_modules, finish, load_state, ours_like, plot_loss, resolve_device,
                      setup_torch)

NAME = "mnist-mlp"
LR, EPOCHS, BATCH, TEST_BATCH = 1e-3, 5, 64, 1000


def mnist_net(nn, F):
    """The tutorial's MnistNet, built from torch's nn and F or from ours (the same names)."""

    class MnistNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(28 * 28 * 1, 28)
            self.fc2 = nn.Linear(28, 10)

        def forward(self, x):
            x = x.view(-1, 28 * 28 * 1)
            x = F.relu(self.fc1(x))
            return F.log_softmax(self.fc2(x), dim=-1)

    return MnistNet()


def run(options: RunOptions) -> RunResult:
    device = resolve_device(options)
    torch = setup_torch(options.seed)
    engine = engine_modules(options, device)
    model = mnist_net(torch.nn, torch.nn.functional)  # torch draws the initial weights for both engines
    if engine.name == "explainer":
        model = ours_like(model, mnist_net(engine.nn, engine.F))
    train, test = mnist_splits(options, engine)
    clock = Clock()
    model = model.to(device)
    classifier = Classifier(NAME, engine, model, engine.optim.Adam(model.parameters(), lr=LR), nll(engine.F),
                            BATCH, TEST_BATCH)
    history = classifier.fit(options, train, test, options.epochs or EPOCHS)
    last = history[-1]
    result = RunResult(NAME, options.engine, device, final_loss=last["test_loss"], accuracy=last["accuracy"],
                       losses=[row["train_loss"] for row in history], extra={"history": history},
                       reported="about 95–97% test accuracy for a net this size (the tutorial prints no figure)")
    if options.out is not None:
        # the tutorial's save-and-reload, checked: a fresh net loaded from the checkpoint scores the same
        reloaded = mnist_net(engine.nn, engine.F).to(device)
        load_state(options, NAME, reloaded, engine.optim.Adam(reloaded.parameters(), lr=LR))
        result.extra["reloaded_accuracy"] = Classifier(NAME, engine, reloaded, None, nll(engine.F), BATCH,
                                                       TEST_BATCH).evaluate(test)[1]
        digit_grid(options, NAME, classifier, test, result)
        if len(history) == 1:   # one epoch is one point: show its batches instead
            plot_loss(result, options, NAME, history[0].get("batch_losses", result.losses),
                      gettext("{name}: nll_loss per batch (1 epoch)").format(name=NAME), label=N_("batch"))
        else:
            plot_loss(result, options, NAME, None, gettext("{name}: nll_loss per epoch").format(name=NAME),
                      label=N_("epoch"), curves={gettext("train"): result.losses,
                                                 gettext("test"): [row["test_loss"] for row in history]})
    return finish(result, clock, options)


register(Example(
    name=NAME,
    summary="MnistNet 784→28→10 on MNIST: nll_loss, Adam lr=1e-3, batch 64, 5 epochs",
    source="Pytorch手写数字识别 (seed 000): Dataset/DataLoader, MnistNet, save and load state_dict",
    hyper={"layers": "784-28-10", "loss": "nll_loss", "optimizer": "Adam", "lr": LR, "epochs": EPOCHS,
           "batch": BATCH, "test_batch": TEST_BATCH, "normalize": "(0.1307, 0.3081)"},
    reported="no figure; a net this size reaches about 95–97% test accuracy",
    expects="≥95% test accuracy after 5 epochs; our engine within 0.5 points of torch",
    run=run,
    engines=("torch", "explainer"),
    data="mnist",
))
