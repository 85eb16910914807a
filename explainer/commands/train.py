"""examples, train: list the tutorials' training examples and run one, with progress and a summary.

torch is imported only once a run starts (inside explainer.examples' runners), so a bad example
name or option is rejected before that second-long import.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

from explainer.examples.registry import Reporter
from explainer.format import fmt
from explainer.i18n import N_, _

from .common import console, print_json, stderr


def examples(as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the table.")):
    """List the training examples, one line each.

    Example:  explainer examples
    """
    from rich.table import Table
    from rich.text import Text

    from explainer.examples import EXAMPLES

    if as_json:
        print_json({name: {"summary": e.summary, "engines": list(e.engines), "reported": e.reported,
                           "expects": e.expects, "hyper": e.hyper} for name, e in EXAMPLES.items()})
        return
    table = Table(title=_("training examples: explainer train NAME"), show_lines=False)
    table.add_column(_("name"), style="bold", no_wrap=True, min_width=max(map(len, EXAMPLES)))
    table.add_column(_("engines"), no_wrap=True, min_width=len("torch, explainer"))
    table.add_column(_("what it does"), ratio=1, overflow="fold")
    for name, example in EXAMPLES.items():
        # one line each, even in a narrow terminal: the summary is cut with an ellipsis, not wrapped
        # wrapped, never cut: 80 columns show every word
        table.add_row(name, ", ".join(example.engines), Text(_(example.summary), overflow="fold"))
    console.print(table)


def train(
    name: str = typer.Argument(..., metavar="EXAMPLE",
                               help="The example, e.g. linreg-manual (see `explainer examples`)."),
    engine: str = typer.Option("torch", help="torch, or explainer (this project's own numpy engine)."),
    device: str = typer.Option("auto", help="auto (a GPU when torch sees one), cpu or cuda."),
    epochs: int = typer.Option(None, help="Epochs for the epoch-based examples (default: the tutorial's)."),
    steps: int = typer.Option(None, help="Iterations for step-based examples; batches per epoch for MNIST ones."),
    seed: int = typer.Option(0, help="Seed for data, initial weights and shuffling."),
    data_dir: Path = typer.Option(None, "--data-dir", help="Folder holding MNIST/raw/ and sms/ "
                                  "(default: $EXPLAINER_DATA_DIR or ./data)."),
    out: Path = typer.Option(None, "--out", help="Folder for plots and checkpoints (none written without it)."),
    resume: bool = typer.Option(False, "--resume", help="Continue from the checkpoint in --out."),
    show_bug: bool = typer.Option(False, "--show-bug", help="Also run the tutorial's buggy version and "
                                  "print both (digits-mlp, numpy-vs-torch)."),
    limit: int = typer.Option(None, "--limit", help="Use only the first N images of each split (quick runs)."),
    dataset: str = typer.Option(None, "--dataset", help="gan: cifar10, mnist, or auto (CIFAR-10 when it is in "
                                "--data-dir, else MNIST padded to 32x32; the default)."),
    as_json: bool = typer.Option(False, "--json", help="Print the final summary as one JSON object."),
):
    """Run a training example and compare the result with its tutorial's.

    Example:  explainer train linreg-manual --engine explainer --out runs/
    """
    from explainer.examples import RunOptions, get, run_example

    example = get(name)
    quiet = as_json or not sys.stdout.isatty()
    reporter = Reporter() if quiet else _RichReporter()  # no bars for --json or a pipe: clean stdout
    options = RunOptions(engine=engine, device=device, epochs=epochs, steps=steps, seed=seed,
                         data_dir=data_dir, out=out, resume=resume, show_bug=show_bug, limit=limit,
                         dataset=dataset, reporter=reporter)
    try:
        result = run_example(name, options)
    finally:
        reporter.stop()
    if as_json:
        print_json(result.summary())
        return
    for note in result.notes:
        stderr.print(_("[yellow]note:[/] {note}").format(note=note))
    console.print(summary_table(example, result))
    for plot in result.plots:   # whole paths, one a line, outside the table: copied, never cut
        console.print(_("plot: {plot}").format(plot=plot), soft_wrap=True, highlight=False, markup=False)
    if out is None and not quiet:
        console.print(_("[dim]add --out DIR to save plots and checkpoints[/]"))


# a run's extra results by their --json key -> the words its row in the table shows
EXTRA_LABELS = {
    "bug": N_("the tutorial's bug"), "buggy_predictions": N_("predictions of the buggy version"),
    "dataset": N_("data set"), "images": N_("images"), "steps": N_("steps"),
    "final_dloss": N_("final discriminator loss"), "final_gloss": N_("final generator loss"),
    "initial_loss": N_("initial loss"), "held_out_loss": N_("loss on an unseen stretch"),
    "noise_floor": N_("noise floor (the loss of a perfect prediction)"),
    "loss_every_500": N_("loss every 500 steps"), "final": N_("where each optimizer ends"),
    "max_step_gap": N_("largest gap to torch along the path"), "parameters": N_("parameters"),
    "reloaded_accuracy": N_("accuracy after reloading the checkpoint"), "train_accuracy": N_("training accuracy"),
    "values": N_("values"), "predictions": N_("predictions"), "rounded": N_("predictions, rounded"),
    "gradient_gap": N_("largest gap between numpy's and autograd's gradients"),
    "numpy_torch_gap": N_("largest gap between the numpy and torch predictions"),
    "samples": N_("samples"), "batches": N_("batches"), "batches_seen": N_("batches seen"),
    "expected_batches": N_("batches expected"), "ham": N_("ham messages"), "spam": N_("spam messages"),
    "last_sample": N_("last sample"), "first_batch": N_("first batch"),
}


def summary_table(example, result):
    """The end-of-run table: our numbers, and the tutorial's figure beside them."""
    from rich.table import Table

    table = Table(title=_("{example} ({engine} on {device})").format(example=result.example, engine=result.engine,
                                                                          device=result.device))
    table.add_column("")
    table.add_column(_("this run"), overflow="fold")
    table.add_column(_("the tutorial"), overflow="fold")
    if result.final_loss is not None:
        table.add_row(_("final loss"), fmt(result.final_loss), "")
    if result.params:
        table.add_row(_("parameters"), ", ".join(f"{k} = {v:.4f}" for k, v in result.params.items()), _(example.reported))
    if result.accuracy is not None:
        table.add_row(_("accuracy"), f"{100 * result.accuracy:.2f}%", _(example.reported))
    for row in result.extra.get("history", []):  # what the tutorials print after each epoch
        table.add_row(_("epoch {epoch}").format(epoch=row["epoch"]),
                      _("train loss {train}, test loss {test}, accuracy {accuracy:.2f}%").format(
                          train=fmt(row["train_loss"], 4), test=fmt(row["test_loss"], 4),
                          accuracy=100 * row["accuracy"]), "")
    for row in result.extra.get("epochs", []):  # gan: the means of what the tutorial prints each step
        table.add_row(_("epoch {epoch}").format(epoch=row["epoch"]), ", ".join(f"{k} {fmt(v, 4)}" for k, v in row.items() if k != "epoch"), "")
    for key, value in result.extra.items():
        if key not in ("history", "epochs"):
            table.add_row(_(EXTRA_LABELS[key]) if key in EXTRA_LABELS else key, _short(value), "")
    if not result.params and result.accuracy is None:
        table.add_row(_("expected"), _(example.expects), _(example.reported))
    table.add_row(_("time"), f"{result.seconds:.2f} s", "")
    return table


def _short(value) -> str:
    if isinstance(value, float):
        return fmt(value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_short(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value[:10]) + (", …]" if len(value) > 10 else "]")
    return str(value)


class _RichReporter(Reporter):
    """A rich progress bar with the live loss and the speed in steps per second."""

    def __init__(self):
        super().__init__()
        self.progress = None
        self.task = None

    def start(self, total, label):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.stop()
        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn(_("loss {loss}").format(loss="{task.fields[loss]}")), TextColumn("{task.fields[speed_text]}"),
                                 TimeElapsedColumn(), TimeRemainingColumn(), console=console)
        self.task = self.progress.add_task(label, total=total, loss="…", speed_text="")
        self.pending, self.drawn, self.loss = 0, 0.0, None
        self.progress.start()

    def advance(self, steps=1, loss=None):
        """Redraw at most 20 times a second: a redraw costs more than a linreg step."""
        if self.progress is None:
            return
        self.pending += steps
        if loss is not None:
            self.loss = loss
        now = time.monotonic()
        if now - self.drawn < 0.05:
            return
        speed = self.progress.tasks[0].speed
        self.progress.update(self.task, advance=self.pending, loss="…" if self.loss is None else fmt(self.loss, 5),
                             speed_text=f"{speed:,.0f} it/s" if speed else "")
        self.pending, self.drawn = 0, now

    def stop(self):
        if self.progress is not None:
            self.progress.update(self.task, advance=self.pending)
            self.progress.stop()
            self.progress = None


def register(app: typer.Typer) -> None:
    for command in (examples, train):
        app.command()(command)
