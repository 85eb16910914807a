"""Convolutions on arrays: conv2d (stride, padding, dilation, groups) and its transpose.

Both are im2col without copying: `windows` is an as_strided view of every kernel-sized window,
and one tensordot per group does the multiply-add. The transposed convolution is the conv's
input gradient run forward, so the two share `windows` and `scatter_windows` (col2im): the
forward of one is the backward of the other. The only Python loops are over groups and over the
kernel's KH·KW offsets, never over pixels.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided


ALL = (True, True, True)


def pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def pad(x, padding, value=0.0):
    ph, pw = padding
    if not ph and not pw:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def windows(x, kernel, stride, dilation=(1, 1), out_hw=None):
    """A read-only (N, C, OH, OW, KH, KW) view of every (dilated) kernel window of x."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    if out_hw is None:
        out_hw = ((h - dh * (kh - 1) - 1) // sh + 1, (w - dw * (kw - 1) - 1) // sw + 1)
    s = x.strides
    return as_strided(x, (n, c, *out_hw, kh, kw),
                      (s[0], s[1], s[2] * sh, s[3] * sw, s[2] * dh, s[3] * dw), writeable=False)


def scatter_windows(gcols, size, stride, dilation=(1, 1)):
    """col2im: add (N, C, OH, OW, KH, KW) window values back onto an (N, C, *size) zero array,
    one kernel offset at a time (overlapping windows add up)."""
    n, c, oh, ow, kh, kw = gcols.shape
    (sh, sw), (dh, dw) = stride, dilation
    out = np.zeros((n, c, *size), dtype=gcols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                j * dw:j * dw + sw * (ow - 1) + 1:sw] += gcols[:, :, :, :, i, j]
    return out


def _per_group(groups, *arrays_and_axes):
    """Split each (array, axis) into `groups` equal parts: one tuple of parts per group."""
    if groups == 1:
        return [tuple(a for a, _ in arrays_and_axes)]
    parts = [np.split(a, groups, axis=axis) for a, axis in arrays_and_axes]
    return list(zip(*parts))


def _cat(chunks, axis):
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks, axis=axis)


# -- conv2d: out[n, o] = Σ_c,i,j x[n, c, s·h + d·i, s·w + d·j] · w[o, c, i, j] ---------------------

def conv2d_forward(m, x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    cols = windows(pad(x, pair(padding)), w.shape[2:], pair(stride), pair(dilation))
    out = _cat([np.tensordot(c, wg, axes=([1, 4, 5], [1, 2, 3]))       # (N, OH, OW, O/groups)
                for c, wg in _per_group(groups, (cols, 1), (w, 0))], axis=3)
    if b is not None:
        out += b
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2))


def conv2d_vjp(g, xs, out, needs=ALL, stride=1, padding=0, dilation=1, groups=1):
    x, w = xs[0], xs[1]
    stride, padding, dilation = pair(stride), pair(padding), pair(dilation)
    gx = gw = gb = None
    if needs[0]:
        # each window's gradient is grad · w; col2im adds the windows back onto the input
        gcols = _cat([np.tensordot(gg, wg, axes=([1], [0]))               # (N, OH, OW, C/g, KH, KW)
                      for gg, wg in _per_group(groups, (g, 1), (w, 0))], axis=3)
        ph, pw = padding
        size = (x.shape[2] + 2 * ph, x.shape[3] + 2 * pw)
        full = scatter_windows(gcols.transpose(0, 3, 1, 2, 4, 5), size, stride, dilation)
        gx = full[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
    if needs[1]:
        cols = windows(pad(x, padding), w.shape[2:], stride, dilation)
        gw = _cat([np.tensordot(gg, c, axes=([0, 2, 3], [0, 2, 3]))       # (O/g, C/g, KH, KW)
                   for gg, c in _per_group(groups, (g, 1), (cols, 1))], axis=0)
    if len(xs) > 2 and needs[2]:
        gb = g.sum(axis=(0, 2, 3))
    return gx, gw, gb


def conv2d_torch(t, x, w, b=None, **attrs):
    return t.nn.functional.conv2d(x, w, b, **attrs)


# -- conv_transpose2d: every input pixel spreads x[n, c] · w[c, o] over a window of the output ------

def conv_transpose2d_size(h, kernel, stride, padding, output_padding, dilation):
    return (h - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def conv_transpose2d_forward(m, x, w, b=None, stride=1, padding=0, output_padding=0, groups=1,
                             dilation=1):
    stride, padding, dilation = pair(stride), pair(padding), pair(dilation)
    oph, opw = pair(output_padding)
    n, _, h, wd = x.shape
    kh, kw = w.shape[2:]
    gcols = _cat([np.tensordot(xg, wg, axes=([1], [0]))                   # (N, H, W, O/g, KH, KW)
                  for xg, wg in _per_group(groups, (x, 1), (w, 0))], axis=3)
    ph, pw = padding
    full_h = conv_transpose2d_size(h, kh, stride[0], 0, oph, dilation[0])
    full_w = conv_transpose2d_size(wd, kw, stride[1], 0, opw, dilation[1])
    full = scatter_windows(gcols.transpose(0, 3, 1, 2, 4, 5), (full_h, full_w), stride, dilation)
    out = np.ascontiguousarray(full[:, :, ph:full_h - ph, pw:full_w - pw])
    if b is not None:
        out += b[:, None, None]
    return out


def conv_transpose2d_vjp(g, xs, out, needs=ALL, stride=1, padding=0, output_padding=0, groups=1,
                         dilation=1):
    x, w = xs[0], xs[1]
    stride, padding, dilation = pair(stride), pair(padding), pair(dilation)
    # the cropped border got no gradient: pad it back, then read one window per input pixel
    cols = windows(pad(g, padding), w.shape[2:], stride, dilation, out_hw=x.shape[2:])
    gx = gw = gb = None
    if needs[0]:
        gx = _cat([np.tensordot(c, wg, axes=([1, 4, 5], [1, 2, 3]))       # (N, H, W, C/g)
                   for c, wg in _per_group(groups, (cols, 1), (w, 0))], axis=3)
        gx = np.ascontiguousarray(gx.transpose(0, 3, 1, 2))
    if needs[1]:
        gw = _cat([np.tensordot(xg, c, axes=([0, 2, 3], [0, 2, 3]))       # (C/g, O/g, KH, KW)
                   for xg, c in _per_group(groups, (x, 1), (cols, 1))], axis=0)
    if len(xs) > 2 and needs[2]:
        gb = g.sum(axis=(0, 2, 3))
    return gx, gw, gb



def conv_transpose2d_torch(t, x, w, b=None, **attrs):
    return t.nn.functional.conv_transpose2d(x, w, b, **attrs)
