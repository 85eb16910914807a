"""The table of training examples: what each one is, what its source reported, and how to run it."""
from __future__ import annotations
from explainer.i18n import _

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ExplainerError

ENGINES = ("torch", "explainer")
DEVICES = ("auto", "cpu", "cuda")


class Reporter:
    """Where a run reports progress. This one is silent and only keeps the notes; the CLI draws bars."""

    def __init__(self):
        self.notes: list[str] = []

    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, steps: int = 1, loss: float | None = None) -> None:
        pass

    def stop(self) -> None:
        pass

    def note(self, text: str) -> None:
        self.notes.append(text)


@dataclass
class RunOptions:
    """Everything `explainer train NAME ...` can set; None means the example's own default."""

    engine: str = "torch"
    device: str = "auto"
    epochs: int | None = None
    steps: int | None = None
    seed: int = 0
    data_dir: Path | None = None
    out: Path | None = None
    resume: bool = False
    show_bug: bool = False
    limit: int | None = None      # use only the first N images of each split (quick runs)
    dataset: str | None = None    # for examples that train on more than one data set (gan)
    reporter: Reporter = field(default_factory=Reporter)


@dataclass
class RunResult:
    """What a run ends with: the summary the CLI prints (and --json emits) and what the tests check."""

    example: str
    engine: str
    device: str
    seconds: float = 0.0
    final_loss: float | None = None
    params: dict[str, float] | None = None
    accuracy: float | None = None
    losses: list[float] = field(default_factory=list)
    reported: str = ""                 # the tutorial's own figure, shown beside ours
    extra: dict = field(default_factory=dict)
    plots: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """One JSON-ready object; keys with no meaning for this example are left out, never faked."""
        data = {"example": self.example, "engine": self.engine, "device": self.device,
                "seconds": round(self.seconds, 4), "final_loss": _number(self.final_loss)}
        if self.params is not None:
            data["params"] = {name: _number(value) for name, value in self.params.items()}
        if self.accuracy is not None:
            data["accuracy"] = _number(self.accuracy)
        if self.reported:
            data["reported"] = self.reported
        data.update(self.extra)
        if self.plots:
            data["plots"] = self.plots
        if self.notes:
            data["notes"] = self.notes
        return data


def _number(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else str(value)


@dataclass(frozen=True)
class Example:
    """One training example, stated the way its tutorial states it."""

    name: str
    summary: str                       # one line for `explainer examples`
    source: str                        # which tutorial, and what it does
    hyper: dict                        # its hyper-parameters, as the tutorial sets them
    reported: str                      # the tutorial's reported result (or "no figure given")
    expects: str                       # what a correct run shows
    run: Callable[[RunOptions], RunResult]
    engines: tuple[str, ...] = ("torch",)
    devices: tuple[str, ...] = ("cpu", "cuda")
    data: str | None = None            # "mnist" or "sms" when it needs files
    checkpoints: bool = True           # False for the demos that finish in a blink
    datasets: tuple[str, ...] = ()     # what --dataset may name, the default first; () takes none


EXAMPLES: dict[str, Example] = {}


def register(example: Example) -> Example:
    if example.name in EXAMPLES:
        raise ValueError(f"example {example.name!r} is registered twice")
    EXAMPLES[example.name] = example
    return example


def get(name: str) -> Example:
    try:
        return EXAMPLES[name]
    except KeyError:
        raise ExplainerError(_("unknown example {name!r}; known examples: {EXAMPLES}.").format(name=name, EXAMPLES=', '.join(EXAMPLES))) from None
