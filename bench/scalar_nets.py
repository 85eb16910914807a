"""micrograd's `nn.MLP`, written on explainer's `Scalar`, node for node the same graph.

Neuron: act = b + w1·x1 + … + wn·xn (Python's sum starting at b), then relu except in the last
layer. Float inputs become constant nodes, as micrograd's do, so both graphs have equal size.
"""
from __future__ import annotations

import random

from explainer.scalar import Scalar


class Neuron:
    def __init__(self, nin: int, nonlin: bool = True):
        self.w = [Scalar(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Scalar(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin: int, nout: int, nonlin: bool):
        self.neurons = [Neuron(nin, nonlin) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin: int, nouts: list[int]):
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


def mlp_node_count(nin: int, hidden: int) -> int:
    """Nodes in the graph of MLP(nin, [hidden, hidden, 1]) on one float input vector."""
    first = hidden * (4 * nin + 2)       # per neuron: nin constants, nin weights, b, nin ×, nin +, relu
    second = hidden * (3 * hidden + 2)   # hidden weights, b, hidden ×, hidden +, relu
    last = 3 * hidden + 1                # no relu
    return first + second + last
