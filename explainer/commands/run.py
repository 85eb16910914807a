"""run: your own script, every backward pass it makes drawn and checked in a gallery."""
from __future__ import annotations
from explainer.i18n import _

from pathlib import Path

import typer

from .common import stderr


def run(
    script: Path = typer.Argument(..., help="Your Python script (it is executed, as python SCRIPT.py would).",
                                  show_default=False),
    args: list[str] = typer.Argument(None, help="Arguments passed on to the script (after --).",
                                     show_default=False),
    engine: str = typer.Option("torch", "--engine", help="torch: the script runs on real torch. explainer: its "
                               "`import torch` lines get explainer.torch, our engine."),
    out: Path = typer.Option(Path("explainer-run"), "-o", "--out", help="Folder for the gallery (index.html)."),
    max_graphs: int = typer.Option(5, "--max-graphs", help="Draw the first N distinct backward graphs; "
                                   "later ones are only counted."),
):
    """Run your own script and draw every backward() it calls, checked against torch.

    It runs as `python SCRIPT.py` would: it executes your Python code. Each distinct graph gets
    forward and backward pictures, the check against torch and a step-through page, in the -o
    folder's index.html. The script's output is its own; if it fails you get its traceback and
    the gallery of what ran before.

    Example:  explainer run tutorial.py --engine explainer -o run-out
    """
    from explainer.render import require_dot
    from explainer.render.gallery import summary_line, write_gallery
    from explainer.script_run import check_script, run_script

    check_script(script, engine, max_graphs)
    require_dot()
    log = run_script(script, list(args or []), engine, max_graphs)
    index = write_gallery(out, log)
    stderr.print(_("explainer: {summary}; wrote {index}").format(summary=summary_line(log), index=index), highlight=False)
    if log.exit_code:
        raise typer.Exit(log.exit_code)


def register(app: typer.Typer) -> None:
    app.command(context_settings={"allow_extra_args": True})(run)
