"""The `neuron-paths` network in torch, with the same weights, for `--torch` and the tests."""
from __future__ import annotations

import numpy as np

from .neuron_paths import SIZES


def build(activation: str = "sigmoid", seed: int = 0, inputs=(1.0, 0.5)):
    """(output, {"W1": …, "W2": …, "W3": …}) as torch float64 tensors; weights as in neuron_paths."""
    import torch

    rng = np.random.default_rng(seed)
    f = getattr(torch, activation)
    h = torch.tensor([inputs], dtype=torch.float64)
    params = {}
    for depth, (n_in, n_out) in enumerate(zip(SIZES, SIZES[1:]), start=1):
        w = torch.tensor(np.round(rng.uniform(-1, 1, size=(n_in, n_out)), 2), requires_grad=True)
        params[f"W{depth}"] = w
        h = h @ w
        if depth < len(SIZES) - 1:
            h = f(h)
    return h.sum(), params
