"""Scalar engine vs micrograd 0.1.0: forward + backward of the same graphs, GC on.

Both MLPs get the same weights and the script checks that output and gradients agree before
timing, so the two sides provably do the same work.
"""
import _common  # noqa: F401  (first: one BLAS thread)
from _common import log, paired_times, result

import random

from micrograd.engine import Value
from micrograd.nn import MLP as MicroMLP

from explainer.scalar import Scalar
from scalar_nets import MLP, mlp_node_count

TARGET = 1.5


def twin_mlps(nin: int, hidden: int):
    random.seed(0)
    micro = MicroMLP(nin, [hidden, hidden, 1])
    ours = MLP(nin, [hidden, hidden, 1])
    for p, q in zip(micro.parameters(), ours.parameters(), strict=True):
        q.value = float(p.data)
    return micro, ours


def check_same(micro, ours, x) -> None:
    a, b = micro(x), ours(x)
    a.backward()
    b.backward()
    assert abs(a.data - b.value) <= 1e-9 * max(1.0, abs(a.data)), (a.data, b.value)
    for p, q in zip(micro.parameters(), ours.parameters()):
        assert abs(p.grad - q.grad) <= 1e-9 * max(1.0, abs(p.grad)), (p.grad, q.grad)
    micro.zero_grad()
    ours.zero_grad()


def bench_mlp(name: str, hidden: int, repeats: int, number: int) -> None:
    micro, ours = twin_mlps(3, hidden)
    x = [1.0, -2.0, 3.0]
    check_same(micro, ours, x)

    def run_ours():
        ours(x).backward()

    def run_micro():
        micro(x).backward()

    ours_s, micro_s = paired_times(run_ours, run_micro, repeats=repeats, number=number)
    nodes = mlp_node_count(3, hidden)
    result(name, ours_s, "micrograd 0.1.0", micro_s, f"ratio >= {TARGET}",
           met=micro_s / ours_s >= TARGET, nodes=nodes,
           ours_nodes_per_s=round(nodes / ours_s), anchor_nodes_per_s=round(nodes / micro_s))


def bench_j_abc() -> None:
    def run_ours():
        a, b, c = Scalar(5.0, "a"), Scalar(3.0, "b"), Scalar(2.0, "c")
        (3 * (a + b * c)).backward()

    def run_micro():
        a, b, c = Value(5.0), Value(3.0), Value(2.0)
        (3 * (a + b * c)).backward()

    ours_s, micro_s = paired_times(run_ours, run_micro, repeats=7, number=2000)
    # the issue quotes micrograd's 15 µs here as a reference figure; its 1.5 target is for the MLPs
    result("scalar J=3(a+bc) fwd+bwd", ours_s, "micrograd 0.1.0", micro_s,
           "reported (micrograd's reference: 15 µs)", nodes=7)


if __name__ == "__main__":
    log("scalar engine vs micrograd")
    bench_mlp("scalar MLP(3,[16,16,1]) fwd+bwd", 16, repeats=15, number=20)
    bench_mlp("scalar MLP(3,[56,56,1]) fwd+bwd", 56, repeats=9, number=3)
    bench_j_abc()
