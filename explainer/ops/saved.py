"""What a forward keeps for its backward (torch's "saved tensors"), for the ops whose backward
would otherwise redo expensive work: conv2d's im2col columns, the lstm op's gate activations.

Kept under the output array, weakly (an entry goes when its output goes), only while gradients
are recorded, and taken once: a backward that finds nothing (a second backward, an output made
under no_grad, a copied output) recomputes what it needs.
"""
from __future__ import annotations

import weakref

import numpy as np

_KEPT: dict[int, object] = {}


def keep(out: np.ndarray, value) -> None:
    from ..tensor import is_grad_enabled     # (the tensor engine imports the ops)

    if is_grad_enabled():
        _KEPT[id(out)] = value
        weakref.finalize(out, _KEPT.pop, id(out), None)


def take(out: np.ndarray):
    """What the forward that made `out` kept, or None."""
    return _KEPT.pop(id(out), None)
