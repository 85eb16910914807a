"""lstm: the tutorial's `Net(input_size=1, hidden_size=5)` — LSTM(1, 5) then Linear(5, 1) — learning
to predict a noisy sine wave one step ahead.

The tutorial gives the net and no data, so the task here is this one: 16 stretches of 50 samples
of sin(t) plus Gaussian noise (σ = 0.1), t advancing 0.2 per sample from a random phase; the net
reads each stretch one sample at a time and, after every sample, predicts the next one. The loss is
MSELoss between the predictions and the next samples, trained with Adam (lr 0.01) on all 16 at
once. The noise cannot be predicted, so the best reachable loss is about σ² = 0.01. The tutorial's
forward takes x as [sequence, batch] (`x[:, :, None]` adds the input size 1; nn.LSTM is
sequence-first by default) and returns [sequence, batch].
"""
from __future__ import annotations

from ..i18n import gettext
from .registry import Example, RunOptions, RunResult, register
from .runtime import (Clock, engine_modules, finish, fit_module, ours_like, plot_loss, plot_path, resolve_device,
                      setup_torch)

NAME = "lstm"
INPUT, HIDDEN = 1, 5
SEQUENCES, LENGTH, DT, NOISE = 16, 50, 0.2, 0.1
LR, STEPS, SAVE_EVERY = 0.01, 300, 100


def lstm_net(nn):
    """The tutorial's Net, built from torch's nn or from ours (the same names)."""

    class Net(nn.Module):
        def __init__(self, input_size, hidden_size):
            super().__init__()
            self.rnn = nn.LSTM(input_size, hidden_size)
            self.fc = nn.Linear(hidden_size, 1)

        def forward(self, x):
            x = x[:, :, None]
            x, _ = self.rnn(x)
            x = self.fc(x)
            x = x[:, :, 0]
            return x

    return Net(input_size=INPUT, hidden_size=HIDDEN)


def noisy_sine(seed: int, sequences: int = SEQUENCES, length: int = LENGTH):
    """(clean, noisy) float32 arrays [length, sequences]: sin(t) from a random phase, and it plus noise."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    phase = torch.rand(sequences, generator=generator) * 2 * torch.pi
    t = phase[None, :] + DT * torch.arange(length, dtype=torch.float32)[:, None]
    clean = torch.sin(t)
    noisy = clean + NOISE * torch.randn(length, sequences, generator=generator)
    return clean.numpy(), noisy.numpy()


def run(options: RunOptions) -> RunResult:
    device = resolve_device(options)
    torch = setup_torch(options.seed)
    model = lstm_net(torch.nn)  # torch draws the initial weights for both engines
    engine = engine_modules(options, device)
    if engine.name == "explainer":
        model = ours_like(model, lstm_net(engine.nn))
        model.rnn.unroll = False  # train with one lstm op per layer (torch's numbers, faster than every gate drawn)
    _, noisy = noisy_sine(options.seed)
    held_clean, held_noisy = noisy_sine(options.seed + 1_000_003, sequences=1, length=3 * LENGTH)
    clock = Clock()
    x, y = engine.tensor(noisy[:-1]), engine.tensor(noisy[1:])  # the next sample is the target
    model = model.to(device)
    losses = fit_module(options, NAME, model, engine.nn.MSELoss(), engine.optim.Adam(model.parameters(), lr=LR),
                        x, y, options.steps or STEPS, SAVE_EVERY)
    with engine.no_grad():  # a longer, unseen stretch: does the net follow the wave?
        predicted = model(engine.tensor(held_noisy[:-1])).cpu().numpy()[:, 0]
    test_loss = float(((predicted - held_noisy[1:, 0]) ** 2).mean())
    result = RunResult(NAME, options.engine, device, losses=losses, reported="no data or figure given",
                       extra={"initial_loss": losses[0], "held_out_loss": test_loss, "noise_floor": round(NOISE ** 2, 6)})
    plot_loss(result, options, NAME, losses, gettext("{name}: MSELoss, one step ahead").format(name=NAME), log=True)
    path = plot_path(options, f"{NAME}-prediction.svg")
    if path is not None:
        from ..render import plots

        result.plots.append(str(plots.sequence_prediction(
            held_clean[:, 0], held_noisy[:, 0], predicted, path,
            title=gettext("{name} ({engine}): one step ahead on an unseen stretch, MSE {loss:.4f}").format(
                name=NAME, engine=options.engine, loss=test_loss))))
    return finish(result, clock, options)


register(Example(
    name=NAME,
    summary="Net: LSTM(1, 5) → Linear(5, 1) predicting a noisy sine wave one step ahead: MSELoss, Adam",
    source="PyTorch LSTM snippet (seed 004, 2.8 循环神经网络): Net(input_size=1, hidden_size=5)",
    hyper={"input_size": INPUT, "hidden_size": HIDDEN, "sequences": SEQUENCES, "length": LENGTH,
           "noise": NOISE, "loss": "MSELoss", "optimizer": "Adam", "lr": LR, "steps": STEPS},
    reported="no data or figure given",
    expects=f"the loss falls from about 0.5 towards the noise floor σ² = {NOISE ** 2:g}",
    run=run,
    engines=("torch", "explainer"),
))
