"""BatchNorm1d and BatchNorm2d with torch's parameters, buffers and momentum rule."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from ..errors import ExplainerError
from ..i18n import gettext
from ..nn import Module, Parameter
from ..tensor import Tensor


class _BatchNorm(Module):
    """weight (γ, ones) and bias (β, zeros, unless bias=False) when affine; running_mean (zeros), running_var (ones)
    and num_batches_tracked (0) as buffers when track_running_stats, as torch names them."""

    dims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, dtype=np.float32, *,
                 bias: bool = True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.value[...] = 0
            self.running_var.value[...] = 1
            self.num_batches_tracked.value[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        if x.value.ndim not in self.dims:
            raise ExplainerError(gettext("{module} expects a {dims} input ({layout}), got shape {shape}").format(
                module=type(self).__name__, dims=gettext(" or ").join(f"{d}-d" for d in self.dims),
                layout="N, C, L" if self.dims[0] == 2 else "N, C, H, W", shape=list(x.value.shape)))
        if x.value.shape[1] != self.num_features:
            raise ExplainerError(gettext("{module}({features}) got an input with {channels} channels (dim 1 of "
                                         "{shape})").format(module=type(self).__name__, features=self.num_features,
                                                            channels=x.value.shape[1], shape=list(x.value.shape)))
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.value += 1
            if self.momentum is None:                     # a cumulative average of all batches
                factor = 1.0 / float(self.num_batches_tracked.value)
        use_batch = self.training or self.running_mean is None
        keep = not self.training or self.track_running_stats
        return F.batch_norm(x, self.running_mean if keep else None,
                            self.running_var if keep else None, self.weight, self.bias,
                            use_batch, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Per feature over the batch: input (N, C) or (N, C, L)."""

    dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Per channel over the batch and every pixel: input (N, C, H, W)."""

    dims = (4,)
