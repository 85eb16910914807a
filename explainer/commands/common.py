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


ModelOption = typer.Option(None, "--model", help="A network instead of an expression: a built-in graph "
                           "(neuron-paths, two-layer, mnist-mlp), a training example's network (cnn, lstm, "
                           "gan, digits-mlp, two-layer-*, linreg-*), or FILE.py:NAME, a module in your own "
                           "file (or a function returning one; torch's or ours). FILE.py is run to load it.")
TorchOption = typer.Option(False, "--torch", help="With --model: draw torch's own autograd graph of it.")
InputShapeOption = typer.Option(None, "--input-shape", help="With --model: the batch's shape, e.g. 64,1,28,28 "
                                "(needed with FILE.py:NAME).", show_default=False)
LossOption = typer.Option(None, "--loss", help="With --model: the loss on its output: sum, mse, cross-entropy, "
                          "nll or bce-logits (default: the example's own; sum for FILE.py:NAME).",
                          show_default=False)
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


def load(expression: str | None, at: str, model: str | None = None, use_torch: bool = False,
         input_shape: str | None = None, loss: str | None = None):
    """The `Traced` graph a command works on: an expression, a model in our engine, or torch's
    graph of it (--torch, or a torch module from the user's file)."""
    from explainer.api import Traced, trace
    from explainer.errors import ExplainerError

    if model is None:
        if use_torch:
            raise ExplainerError(_("--torch draws a built-in model's torch graph: add --model NAME"))
        if input_shape is not None or loss is not None:
            raise ExplainerError(_("--input-shape and --loss go with --model NAME"))
        if not expression:
            raise ExplainerError(_("give an expression, e.g. \"J = 3(a + bc)\", or --model NAME"))
        return trace_text(expression, at)
    if expression:
        raise ExplainerError(_("give either an expression or --model, not both"))
    from explainer.models import get_model

    chosen = get_model(model, input_shape, loss)
    if not use_torch and chosen.build is not None:
        return trace(chosen.build())
    if chosen.build_torch is None:
        raise ExplainerError(_("--torch draws a torch module's graph; {model} is written with explainer's nn").format(model=model))
    from explainer.torchbridge import from_torch

    output, params, *named = chosen.build_torch()
    inputs = named[0] if named else None
    graph = from_torch(output, params=params, inputs=inputs, output_name=chosen.output_name)
    return Traced(graph, f"{model} (torch)")
