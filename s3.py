import sys
from explainer.commands.common import load
from explainer.render import dot
for model, torch in [("mnist-mlp", False), ("mnist-mlp", True)]:
    t = load(None, "", model, torch)
    for view in ("forward", "backward", "both"):
        name = f"/tmp/mv/{model}{'-torch' if torch else ''}-{view}"
        dot.render(t.graph, name + ".png", view=view)
        dot.render(t.graph, name + ".svg", view=view)
        dot.render(t.graph, name + ".dot", view=view)
