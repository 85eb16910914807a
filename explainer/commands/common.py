"""What every command shares: the console, the --at option, JSON output."""
from __future__ import annotations
from explainer.i18n import _

import json
import sys

import typer
from rich.console import Console

console = Console()
stderr = Console(stderr=True, soft_wrap=True)  # a warning stays one line

AT_HELP = "Values of the variables: a=5,b=3,c=2  or  \"x=[[1,2],[3,4]]\"  or  x1=pi/3,x2=pi/6"
AtOption = typer.Option("", "--at", help=AT_HELP, show_default=False)


def print_json(obj) -> None:
    """One JSON object on stdout, nothing else (for scripts and docs)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=_plain) + "\n")


def _plain(value):
    """numpy scalars and arrays as the JSON numbers, booleans and nested lists they hold."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


ModelOption = typer.Option(None, "--model", help="A built-in network instead of an expression: "
                           "neuron-paths, two-layer, mnist-mlp.")
TorchOption = typer.Option(False, "--torch", help="With --model: draw torch's own autograd graph of it.")
ExpressionArgument = typer.Argument(None, help="The expression, e.g. \"J = 3(a + bc)\".", show_default=False)


def trace_text(expression: str, at: str, grad_output: str | None = None):
    """Parse --at and trace the expression (both raise ExplainerError on bad input); `grad_output`
    is --grad-output's text, the vector that seeds a non-scalar output's backward pass."""
    from explainer.api import trace
    from explainer.values import parse_values

    seed = None
    if grad_output is not None:
        seed = parse_values(f"grad_output={grad_output.strip()}")["grad_output"]
    return trace(expression, parse_values(at) if at.strip() else {}, grad_output=seed)


def load(expression: str | None, at: str, model: str | None = None, use_torch: bool = False):
    """The `Traced` graph a command works on: an expression, a built-in model, or torch's graph of it."""
    from explainer.api import Traced, trace
    from explainer.errors import ExplainerError

    if model is None:
        if use_torch:
            raise ExplainerError(_("--torch draws a built-in model's torch graph: add --model NAME"))
        if not expression:
            raise ExplainerError(_("give an expression, e.g. \"J = 3(a + bc)\", or --model NAME"))
        return trace_text(expression, at)
    if expression:
        raise ExplainerError(_("give either an expression or --model, not both"))
    from explainer.models import get_model

    chosen = get_model(model)
    if not use_torch:
        return trace(chosen.build())
    from explainer.torchbridge import from_torch

    output, params = chosen.build_torch()
    return Traced(from_torch(output, params=params), f"{model} (torch)")
