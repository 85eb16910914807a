"""Pictures of the graph: graphviz views (forward, backward, both), clusters and highlights.

    from explainer.render import render, svg, to_dot
    render(graph, "j.svg", view="both", explain="b")

Renderers never compute: they read the `Graph` records and decide layout, colour and text.
"""
from .dot import MAX_NODES, VIEWS, render, require_dot, svg, to_dot

__all__ = ["MAX_NODES", "VIEWS", "render", "require_dot", "svg", "to_dot"]
