"""The scalar MLP of scalar_nets.py in torch, one 0-dim tensor per weight: the same graph of
multiplies, adds and relus, recorded by torch's autograd, for torchviz and from_torch to read."""
from __future__ import annotations

import random


def torch_mlp(torch, nin: int, hidden: int, seed: int = 0):
    """(output, params): MLP(nin, [hidden, hidden, 1]) applied to one float input vector."""
    random.seed(seed)
    params = {}

    def neuron(layer: int, j: int, x, nonlin: bool):
        w = [torch.tensor(random.uniform(-1, 1), dtype=torch.float64, requires_grad=True)
             for _ in x]
        b = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
        for i, wi in enumerate(w):
            params[f"w{layer}.{j}.{i}"] = wi
        params[f"b{layer}.{j}"] = b
        act = sum((wi * xi for wi, xi in zip(w, x)), b)
        return act.relu() if nonlin else act

    x = [torch.tensor(v, dtype=torch.float64) for v in (1.0, -2.0, 3.0)[:nin]]
    sizes = [hidden, hidden, 1]
    for layer, size in enumerate(sizes):
        x = [neuron(layer, j, x, layer != len(sizes) - 1) for j in range(size)]
    return x[0], params
