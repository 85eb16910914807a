"""What every command shares: the console, the --at option, JSON output."""
from __future__ import annotations

import json
import sys

import typer
from rich.console import Console

console = Console()
stderr = Console(stderr=True)

AT_HELP = "Values of the variables: a=5,b=3,c=2  or  \"x=[[1,2],[3,4]]\"  or  x1=pi/3,x2=pi/6"
AtOption = typer.Option("", "--at", help=AT_HELP, show_default=False)


def print_json(obj) -> None:
    """One JSON object on stdout, nothing else (for scripts and docs)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def trace_text(expression: str, at: str):
    """Parse --at and trace the expression (both raise ExplainerError on bad input)."""
    from explainer.api import trace
    from explainer.values import parse_values

    return trace(expression, parse_values(at) if at.strip() else {})
