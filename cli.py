"""The `explainer` command line: `explainer --help`, or `python cli.py --help`."""
from __future__ import annotations

import sys

import typer

from explainer.commands import animate as animate_commands
from explainer.commands import run as run_commands
from explainer.commands import trace as trace_commands
from explainer.commands import train as train_commands
from explainer.errors import ExplainerError

app = typer.Typer(
    name="explainer",
    help="See how gradients flow: trace an expression or a network, draw its forward and backward "
         "graphs, check every gradient against torch, and run the classic training examples.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
trace_commands.register(app)
animate_commands.register(app)
train_commands.register(app)
run_commands.register(app)


def main() -> None:
    """Run the app; a user's mistake is one sentence on stderr and exit code 2, never a traceback."""
    try:
        from explainer import i18n
        from explainer.commands.language import localize

        i18n.use(i18n.from_argv(sys.argv[1:]) or i18n.from_environment())  # before help texts are read
        localize(typer.main.get_command(app))()
    except ExplainerError as error:
        from explainer.i18n import _

        sys.stderr.write(_("error: {message}").format(message=error) + "\n")
        sys.exit(error.exit_code)


if __name__ == "__main__":
    main()
