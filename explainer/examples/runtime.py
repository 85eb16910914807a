"""What every example's run shares: engine and device choice, seeding, the step loop with checkpoints."""
from __future__ import annotations
from explainer.i18n import _

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import checkpoint
from ..errors import ExplainerError
from .registry import DEVICES, ENGINES, Example, RunOptions, RunResult


def check_options(example: Example, options: RunOptions) -> None:
    """Reject what this example cannot do, in one sentence, before any work starts."""
    if options.engine not in ENGINES:
        raise ExplainerError(_("unknown engine {options_engine!r}; use one of: {ENGINES}.").format(options_engine=options.engine, ENGINES=', '.join(ENGINES)))
    if options.engine not in example.engines:
        raise ExplainerError(_("{example_name} runs on the {example_engines} engine only, not {options_engine!r}.").format(example_name=example.name, example_engines=' and '.join(example.engines), options_engine=options.engine))
    if options.device not in DEVICES:
        raise ExplainerError(_("unknown device {options_device!r}; use one of: {DEVICES}.").format(options_device=options.device, DEVICES=', '.join(DEVICES)))
    if options.device == "cuda" and "cuda" not in example.devices:
        raise ExplainerError(_("{example_name} runs on the CPU only; use --device cpu or auto.").format(example_name=example.name))
    for flag, value in (("--epochs", options.epochs), ("--steps", options.steps), ("--limit", options.limit)):
        if value is not None and value < 1:
            raise ExplainerError(_("{flag} must be at least 1, not {value}.").format(flag=flag, value=value))
    if example.data and options.data_dir is not None and not Path(options.data_dir).is_dir():
        raise ExplainerError(_("--data-dir {options_data_dir} is not a folder; create it (MNIST is fetched into it when online) or name the folder that holds MNIST/raw/ and sms/.").format(options_data_dir=options.data_dir))
    if options.dataset is not None and options.dataset not in example.datasets:
        raise ExplainerError(_("{name} takes no --dataset: it trains on one data set.").format(name=example.name)
                             if not example.datasets else
                             _("{name} trains on {datasets}, not --dataset {dataset!r}.").format(
                                 name=example.name, datasets=", ".join(example.datasets), dataset=options.dataset))
    if options.resume and not example.checkpoints:
        raise ExplainerError(_("{example_name} finishes in seconds and keeps no checkpoint; run it without --resume.").format(example_name=example.name))
    if options.resume and options.out is None:
        raise ExplainerError(_("--resume needs --out DIR, the folder that holds the checkpoint."))
    if options.out is not None:
        check_writable(Path(options.out))


def check_writable(out: Path) -> None:
    """Create --out and write a probe file in it now, so an unwritable folder is one sentence before
    training starts rather than a traceback at the first checkpoint, minutes later."""
    probe = out / ".explainer-write-test"
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise ExplainerError(_("--out {out} is not a folder this run can write to ({error___name__}); choose another with --out DIR.").format(out=out, error___name__=error.strerror or type(error).__name__)) from None


def setup_torch(seed: int):
    """One thread (faster on these tiny nets, and reproducible), a fixed seed for both engines (our
    dropout draws from our own generator); returns the torch module."""
    import torch

    from ..tensor import manual_seed

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    manual_seed(seed)
    return torch


def resolve_device(options: RunOptions) -> str:
    """'cpu' or 'cuda'. auto falls back to the CPU and says so; asking for a missing GPU is an error."""
    if options.engine == "explainer":
        if options.device == "cuda":
            raise ExplainerError(_("the explainer engine runs on numpy, on the CPU; use --engine torch for --device cuda."))
        return "cpu"
    if options.device == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if options.device == "cuda":
        raise ExplainerError(_("--device cuda was asked for but torch sees no CUDA GPU; use --device cpu or auto."))
    options.reporter.note(_("no CUDA GPU found: running on the CPU"))
    return "cpu"


class Clock:
    """Wall time of the training itself, started after data loading."""

    def __init__(self):
        self.start = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.start


@dataclass
class StepLoop:
    """Run `step(i) -> loss` for i in [start, total), reporting progress and checkpointing.

    `save(done)` writes a checkpoint after `done` steps; it is called every `save_every` steps
    and after the last one, only when the run has an --out folder.
    """

    options: RunOptions
    label: str
    total: int
    save_every: int

    def run(self, step: Callable[[int], float], start: int, losses: list[float],
            save: Callable[[int], None] | None) -> list[float]:
        reporter = self.options.reporter
        reporter.start(self.total, self.label)
        reporter.advance(start)
        for i in range(start, self.total):
            loss = step(i)
            losses.append(loss)
            reporter.advance(1, loss)
            done = i + 1
            if save is not None and self.options.out is not None and (done % self.save_every == 0 or done == self.total):
                save(done)
        reporter.stop()
        return losses


def ckpt_path(options: RunOptions, name: str) -> Path | None:
    return None if options.out is None else checkpoint.checkpoint_path(options.out, name, options.engine)


def plot_path(options: RunOptions, filename: str) -> Path | None:
    if options.out is None:
        return None
    Path(options.out).mkdir(parents=True, exist_ok=True)
    return Path(options.out) / filename


def plot_loss(result: RunResult, options: RunOptions, name: str, losses, title: str, **style) -> None:
    """With --out: the loss curve as NAME-loss.svg, listed among the result's plots."""
    path = plot_path(options, f"{name}-loss.svg")
    if path is not None:
        from ..render import plots

        result.plots.append(str(plots.loss_curve(losses, path, title=title, **style)))


def plot_fit(result: RunResult, options: RunOptions, name: str, x, y, w: float, b: float) -> None:
    """With --out: the data and the fitted line y = wx + b as NAME-fit.svg, listed among the plots."""
    path = plot_path(options, f"{name}-fit.svg")
    if path is not None:
        from ..render import plots

        result.plots.append(str(plots.linear_fit(x, y, w, b, path, title=f"{name}: y = {w:.4f}x + {b:.4f}")))


def finish(result: RunResult, clock: Clock, options: RunOptions) -> RunResult:
    result.seconds = clock.seconds()
    result.notes = list(options.reporter.notes) + result.notes
    if result.final_loss is None and result.losses:
        result.final_loss = result.losses[-1]
    return result


# ---------------------------------------------------------------- one training loop, either engine

@dataclass
class Engine:
    """The chosen engine's modules, so one loop body serves torch and ours alike."""

    name: str
    nn: object
    optim: object
    F: object                # the functional module (relu, log_softmax, nll_loss, ...)
    no_grad: object          # a context manager class
    tensor: Callable         # a numpy array or torch tensor -> this engine's tensor (on the device)


def engine_modules(options: RunOptions, device: str = "cpu") -> Engine:
    return engine_named(options.engine, device)


def engine_named(name: str, device: str = "cpu") -> Engine:
    if name == "explainer":
        from .. import functional, nn, optim
        from ..tensor import Tensor, no_grad

        def ours(value):
            return Tensor(value.detach().cpu().numpy() if hasattr(value, "detach") else value)

        return Engine("explainer", nn, optim, functional, no_grad, ours)
    import torch
    import torch.nn.functional as F

    def theirs(value):
        return (value if isinstance(value, torch.Tensor) else torch.from_numpy(value)).to(device)

    return Engine("torch", torch.nn, torch.optim, F, torch.no_grad, theirs)


def ours_like(torch_model, our_model):
    """Our module with the torch module's initial weights: the two runs start from one point."""
    our_model.load_state_dict({k: v.detach().cpu().numpy() for k, v in torch_model.state_dict().items()})
    return our_model


def save_state(options: RunOptions, name: str, model, optimizer, meta: dict) -> None:
    """Model + optimiser + `meta` (step, losses, ...): torch's format for torch, .npz for ours."""
    path = ckpt_path(options, name)
    if options.engine == "torch":
        checkpoint.save_torch(path, {"example": name, "model": model.state_dict(),
                                     "optimizer": optimizer.state_dict(), **meta})
    else:
        arrays, optim_meta = checkpoint.flatten_ours(model, optimizer)
        checkpoint.save_npz(path, arrays, {"example": name, **meta, **optim_meta})


def fit_module(options: RunOptions, name: str, model, loss_fn, optimizer, x, y, steps: int, save_every: int) -> list[float]:
    """The tutorials' module loop — loss, zero_grad, backward, step — resumed from and checkpointed to
    --out; the same body for either engine. Returns the loss of every step, resumed ones included."""
    losses, start = [], 0
    if options.resume:
        meta = load_state(options, name, model, optimizer)
        start, losses = meta["step"], list(meta["losses"])

    def step(i):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return float(loss.item())

    def save(done):
        save_state(options, name, model, optimizer, {"step": done, "losses": losses})

    return StepLoop(options, name, steps, save_every).run(step, start, losses, save)


def load_state(options: RunOptions, name: str, model, optimizer) -> dict:
    """Restore model and optimiser in place from --out's checkpoint; returns its meta."""
    path = ckpt_path(options, name)
    if options.engine == "torch":
        state = checkpoint.load_torch(path, name)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        return state
    arrays, meta = checkpoint.load_npz(path, name)
    checkpoint.restore_ours(model, optimizer, arrays, meta)
    return meta
