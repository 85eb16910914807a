"""ConvTranspose2d: the layer that grows an image (the DCGAN generator's upsampling step)."""
from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from .. import init
from ..errors import ExplainerError
from ..i18n import gettext
from ..nn import Module, Parameter, _check_groups, _conv_pairs, conv_repr
from ..ops.conv import conv_transpose2d_size
from ..tensor import Tensor


class ConvTranspose2d(Module):
    """Output size (H − 1)·stride − 2·padding + dilation·(K − 1) + output_padding + 1.

    weight (in, out/groups, KH, KW) and bias ~ U(−1/√fan_in, 1/√fan_in) with fan_in read from
    the weight as torch reads it (out/groups·KH·KW), so torch's state dicts load as they are.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 dtype=np.float32):
        super().__init__()
        kh, kw = _conv_pairs(kernel_size=kernel_size, stride=stride, padding=padding,
                             output_padding=output_padding, dilation=dilation)["kernel_size"]
        _check_groups(in_channels, out_channels, groups)
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, (kh, kw)
        self.stride, self.padding, self.output_padding = stride, padding, output_padding
        self.groups, self.dilation = groups, dilation
        self.weight = Parameter(np.empty((in_channels, out_channels // groups, kh, kw), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(init.fans(self.weight)[0])
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor, output_size=None) -> Tensor:
        output_padding = self.output_padding
        if output_size is not None:       # torch's way to pick among the sizes a stride allows
            output_padding = self._output_padding(x, output_size)
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)

    def _output_padding(self, x: Tensor, output_size) -> tuple[int, int]:
        sizes = _conv_pairs(stride=self.stride, padding=self.padding, dilation=self.dilation)
        wanted = tuple(output_size)[-2:]
        extra = []
        for d in range(2):
            smallest = conv_transpose2d_size(x.value.shape[2 + d], self.kernel_size[d],
                                             sizes["stride"][d], sizes["padding"][d], 0,
                                             sizes["dilation"][d])
            if not smallest <= wanted[d] < smallest + sizes["stride"][d]:
                raise ExplainerError(gettext("requested an output size of {wanted}, but valid sizes range from "
                                             "{smallest} to {largest} (for an input of {size})").format(
                    wanted=list(wanted), smallest=smallest, largest=smallest + sizes["stride"][d] - 1,
                    size=list(x.value.shape[2:])))
            extra.append(wanted[d] - smallest)
        return tuple(extra)

    def extra_repr(self) -> str:
        return conv_repr(self)
