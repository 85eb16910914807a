"""explainer: see how gradients flow.

    from explainer import trace
    t = trace("J = 3(a + bc)", a=5, b=3, c=2)
    t.render("j.svg"); t.check(); t.explain("b")
"""
from .errors import ExplainerError, ExplainerMathError
from .api import Traced, from_torch, trace
from .graph import Graph
from .scalar import Scalar

__all__ = ["ExplainerError", "ExplainerMathError", "Graph", "Scalar", "Traced", "from_torch", "trace"]
