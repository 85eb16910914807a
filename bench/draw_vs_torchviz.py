"""Drawing: graph → SVG for about 100, 1,000 and 10,000 nodes, our own time apart from dot's.

Ours = Graph.build (freeze the traced scalar MLP) + render.to_dot (the DOT source), the "both"
view with every node drawn (max_nodes raised past the CLI's cap). dot = graphviz's `dot -Tsvg` on
that source. Anchor: torchviz's make_dot on the same MLP written in torch (one 0-dim tensor per
weight), to its DOT source. Target: our share is at most 10% of dot's time.
"""
import _common  # noqa: F401  (first: one BLAS thread)
from _common import log, one_thread_torch, paired_times, result

import random
import subprocess
import time

from explainer.graph import Graph
from explainer.render import to_dot
from scalar_nets import MLP, mlp_node_count
from torch_twins import torch_mlp

SHARE = 0.10
DOT_TIMEOUT_S = 120  # dot's time grows much faster than the node count; past this we stop it


def dot_seconds(source: str) -> tuple[float, bool]:
    """Seconds `dot -Tsvg` takes on `source`, and whether it finished within the timeout."""
    start = time.perf_counter()
    try:
        done = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True,
                              timeout=DOT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return DOT_TIMEOUT_S, False
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode(errors="replace"))
    assert b"<svg" in done.stdout
    return time.perf_counter() - start, True


def bench_size(torch, hidden: int, repeats: int) -> None:
    from torchviz import make_dot

    random.seed(0)
    root = MLP(3, [hidden, hidden, 1])([1.0, -2.0, 3.0])
    nodes = mlp_node_count(3, hidden)

    def ours():
        graph = Graph.build(root)
        return to_dot(graph, "both", collapse="none", max_nodes=len(graph)).source

    out, params = torch_mlp(torch, 3, hidden)

    def torchviz():
        return make_dot(out, params).source

    ours_s, torchviz_s, build_s = paired_times(ours, torchviz, lambda: Graph.build(root),
                                               repeats=repeats)
    dot_s, finished = dot_seconds(ours())
    share = ours_s / dot_s
    result(f"draw {nodes}-node graph to SVG", ours_s, "torchviz 0.0.3 make_dot", torchviz_s,
           f"our share <= {SHARE:.0%} of dot's time", met=share <= SHARE, nodes=nodes,
           build_s=build_s, to_dot_s=ours_s - build_s,
           dot_s=dot_s if finished else None,
           dot_note=None if finished else f"dot stopped after {DOT_TIMEOUT_S} s (share is an upper bound)",
           share=round(share, 4))


if __name__ == "__main__":
    log("drawing vs torchviz")
    torch = one_thread_torch()
    bench_size(torch, 4, repeats=7)
    bench_size(torch, 16, repeats=5)
    bench_size(torch, 56, repeats=1)
