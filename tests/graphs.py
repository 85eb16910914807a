"""Graphs several test files share (imported as `from graphs import …`; pytest puts tests/ on the path)."""
from explainer.graph import Graph
from explainer.scalar import Scalar


def j_abc_output() -> Scalar:
    """J = 3(a + bc) at a=5, b=3, c=2, with v = bc and u = a + v named as in the tutorial."""
    a, b, c = Scalar(5, "a"), Scalar(3, "b"), Scalar(2, "c")
    v = b * c
    v.name = "v"
    u = a + v
    u.name = "u"
    J = 3 * u
    J.name = "J"
    return J


def j_abc(title: str = "") -> Graph:
    return Graph.build(j_abc_output(), title=title)
