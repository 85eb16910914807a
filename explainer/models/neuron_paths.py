"""`neuron-paths`: the 2-2-2-1 network of EXAMPLES.md A, one scalar node per weight.

    a_j = Σ_i x_i·W1[i,j]   h_j = f(a_j)       (layer 1)
    b_k = Σ_j h_j·W2[j,k]   g_k = f(b_k)       (layer 2)
    out = Σ_k g_k·W3[k,1]                      (output)

dout/dW1[1,2] = x1·f'(a2)·(W2[2,1]·f'(b1)·W3[1,1] + W2[2,2]·f'(b2)·W3[2,1]): two paths, summed.
Indices are 1-based as in the tutorial. Every node carries a group ("layer 1/neuron 2") so the
picture clusters by neuron and layer and can collapse to one box per neuron or per layer.
"""
from __future__ import annotations

import numpy as np

from ..scalar import Scalar

SIZES = (2, 2, 2, 1)
LAYER_NAMES = ("a", "b", "out")        # pre-activations of each layer
ACTIVATION_NAMES = ("h", "g")          # f(a), f(b)


def build(activation: str = "sigmoid", seed: int = 0, inputs=(1.0, 0.5)) -> Scalar:
    """The network's output node, its weights drawn from a seeded generator (two decimals)."""
    rng = np.random.default_rng(seed)
    layer = [Scalar(v, f"x{i + 1}", group="inputs") for i, v in enumerate(inputs)]
    for depth, (n_in, n_out) in enumerate(zip(SIZES, SIZES[1:]), start=1):
        weights = np.round(rng.uniform(-1, 1, size=(n_in, n_out)), 2)
        is_output = depth == len(SIZES) - 1
        next_layer = []
        for j in range(n_out):
            group = "output" if is_output else f"layer {depth}/neuron {j + 1}"
            total = None
            for i, x in enumerate(layer):
                w = Scalar(weights[i, j], f"W{depth}[{i + 1},{j + 1}]", group=group)
                product = x * w
                product.name, product.group = f"{x.name}·{w.name}", group
                total = product if total is None else total + product
                total.group = group
            total.name = "out" if is_output else f"{LAYER_NAMES[depth - 1]}{j + 1}"
            if not is_output:
                total = Scalar.apply(activation, total)
                total.name, total.group = f"{ACTIVATION_NAMES[depth - 1]}{j + 1}", group
            next_layer.append(total)
        layer = next_layer
    return layer[0]
