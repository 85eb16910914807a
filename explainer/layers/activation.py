"""Activations with a parameter."""
from __future__ import annotations

from .. import functional as F
from ..nn import Module


class LeakyReLU(Module):
    """x where x > 0, negative_slope·x elsewhere (the DCGAN discriminator uses 0.2)."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")
