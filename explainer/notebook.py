"""Jupyter helpers: a traced object already draws itself inline (`Traced._repr_svg_`); these add
a chosen view and the step-through page inside the notebook.

    from explainer import trace
    from explainer.notebook import stepper, view
    t = trace("J = 3(a + bc)", a=5, b=3, c=2)
    view(t, "backward", explain="b")      # one picture, inline SVG
    stepper(t, quiz=True)                 # ← / → through the forward and backward passes
"""
from __future__ import annotations

import html


def _graph_of(traced):
    """A `Traced` or a bare `Graph`."""
    return getattr(traced, "graph", traced)


class Picture:
    """One view of a graph, drawn as SVG wherever the notebook shows rich output."""

    def __init__(self, graph, view: str = "both", explain: str | None = None):
        from .render import svg

        self.svg = svg(graph, view=view, explain=explain)

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"<Picture: {len(self.svg)} characters of SVG>"


class Stepper:
    """The step-through page (explainer.render.animate) in an iframe, so its script and keys run
    apart from the notebook's own. Click it first to give it the keyboard."""

    def __init__(self, graph, quiz: bool = False, theme: str = "light", height: int = 640):
        from .render.animate import page

        self.html = page(graph, quiz=quiz, theme=theme)
        self.height = int(height)

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width:100%;'
                f'height:{self.height}px;border:1px solid #888" title="explainer step-through"></iframe>')

    def __repr__(self) -> str:
        return "<Stepper: shown as a step-through player in a notebook; .save(path) writes the page>"

    def save(self, path) -> None:
        """Write the same page to a file, for a projector or a browser."""
        from pathlib import Path

        Path(path).write_text(self.html, encoding="utf-8")


def view(traced, view: str = "both", explain: str | None = None) -> Picture:
    """One picture of a traced graph: "forward", "backward" or "both", optionally with the paths
    to one node highlighted (`explain="b"`)."""
    return Picture(_graph_of(traced), view=view, explain=explain)


def stepper(traced, quiz: bool = False, theme: str = "light", height: int = 640) -> Stepper:
    """Step through the forward pass, then the backward pass, inside the notebook."""
    return Stepper(_graph_of(traced), quiz=quiz, theme=theme, height=height)
