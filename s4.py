import sys; sys.path.insert(0, "tests")
import module_nets as m
from explainer.render import dot
for name in sys.argv[1:]:
    t = getattr(m, name)()
    for view in ("forward", "backward", "both"):
        for ext in ("png", "svg"):
            dot.render(t.graph, f"/tmp/mv/{name}-{view}.{ext}", view=view)
