"""animate: the step-through page for a classroom projector."""
from __future__ import annotations
from explainer.i18n import _

from pathlib import Path

import typer

from .common import (AtOption, ExpressionArgument, InputShapeOption, LossOption, ModelOption, TorchOption,
                     console, load)


def animate(
    expression: str = ExpressionArgument,
    at: str = AtOption,
    model: str = ModelOption,
    use_torch: bool = TorchOption,
    input_shape: str = InputShapeOption,
    loss: str = LossOption,
    output: Path = typer.Option(Path("steps.html"), "-o", "--output", help="The page to write (.html)."),
    quiz: bool = typer.Option(False, "--quiz", help="Hide each gradient until the student reveals it."),
    theme: str = typer.Option("light", "--theme", help="light or dark (the page can switch too: T)."),
):
    """Write one self-contained HTML page that steps through the forward pass, then the backward pass.

    Keys: → / ← (or a presenter's clicker), Home / End, R reveals in quiz mode, Q quiz, T theme.
    The page needs no network: open it in any browser.

    Example:  explainer animate "J = 3(a + bc)" --at a=5,b=3,c=2 -o j.html --quiz
    """
    from explainer.errors import ExplainerError
    from explainer.render import require_dot
    from explainer.render.animate import THEMES, write_page

    if output.suffix.lower() not in (".html", ".htm"):
        raise ExplainerError(_("the page is HTML: give -o a name ending in .html, not {output_name!r}").format(output_name=output.name))
    if theme not in THEMES:
        raise ExplainerError(_("unknown theme {theme!r}; choose one of: {THEMES}").format(theme=theme, THEMES=', '.join(THEMES)))
    require_dot()
    traced = load(expression, at, model, use_torch, input_shape, loss)
    path = write_page(traced.graph, output, quiz=quiz, theme=theme, title=traced.source or None)
    console.print(_("wrote {path}  ({steps} backward steps; open it in a browser)").format(
        path=path, steps=len(traced.graph.steps)))


def register(app: typer.Typer) -> None:
    app.command()(animate)
