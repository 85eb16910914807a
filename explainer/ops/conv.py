"""Convolutions on arrays: conv2d (stride, padding, dilation, groups) and its transpose.

A convolution is im2col + one matrix product per group: `windows` is an as_strided view of
every kernel-sized window and `columns` copies it once into the layout the product wants. The
transposed convolution (`spread`) is the conv's input gradient run forward, so it serves both
ops: the forward of one is the backward of the other. It multiplies once and then col2im adds
each kernel offset's share back. (A sub-pixel form — one conv per output phase — was measured
slower here: its interleaving copy has an inner loop of `stride` elements.) The only Python
loops are over groups and kernel offsets, never over pixels.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .saved import keep, take

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


def columns(x, kernel, stride, dilation=(1, 1), out_hw=None):
    """im2col: the windows copied once as (C, KH, KW, N, OH, OW), the layout in which one matrix
    product per group does the whole convolution (and the weight's gradient)."""
    return np.ascontiguousarray(windows(x, kernel, stride, dilation, out_hw).transpose(1, 4, 5, 0, 2, 3))


def scatter_windows(gcols, size, stride, dilation=(1, 1)):
    """col2im: add (C, KH, KW, N, OH, OW) window values back onto a (C, N, *size) zero array,
    one kernel offset at a time (overlapping windows add up)."""
    c, kh, kw, n, oh, ow = gcols.shape
    (sh, sw), (dh, dw) = stride, dilation
    out = np.zeros((c, n, *size), dtype=gcols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                j * dw:j * dw + sw * (ow - 1) + 1:sw] += gcols[:, i, j]
    return out


def _per_group(groups, *arrays_and_axes):
    """Split each (array, axis) into `groups` equal parts: one tuple of parts per group."""
    if groups == 1:
        return [tuple(a for a, _ in arrays_and_axes)]
    parts = [np.split(a, groups, axis=axis) for a, axis in arrays_and_axes]
    return list(zip(*parts))


def _grouped(product, groups, *arrays_and_axes):
    """`product` of each group's parts, joined along axis 0 (channels first)."""
    chunks = [product(*parts) for parts in _per_group(groups, *arrays_and_axes)]
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks, axis=0)


def spread(x, w, stride, padding, dilation, groups, size):
    """The transposed convolution of x (N, C, H, W) with w (C, O/groups, KH, KW), cropped to
    rows padding … padding + size (zeros past the end, where output_padding asks for them)."""
    gcols = _grouped(lambda wg, xg: np.tensordot(wg, xg, axes=([0], [1])),   # (O, KH, KW, N, H, W)
                     groups, (w, 0), (x, 1))
    full_size = [(n - 1) * st + d * (k - 1) + 1
                 for n, st, d, k in zip(x.shape[2:], stride, dilation, w.shape[2:])]
    full = scatter_windows(gcols, full_size, stride, dilation).transpose(1, 0, 2, 3)
    (ph, pw), (oh, ow) = padding, size
    if ph + oh <= full.shape[2] and pw + ow <= full.shape[3]:
        return np.ascontiguousarray(full[:, :, ph:ph + oh, pw:pw + ow])
    out = np.zeros(full.shape[:2] + (oh, ow), dtype=full.dtype)
    part = full[:, :, ph:ph + oh, pw:pw + ow]
    out[:, :, :part.shape[2], :part.shape[3]] = part
    return out


def _batch_first(a):
    """(C, N, H, W) → (N, C, H, W), contiguous."""
    return np.ascontiguousarray(a.transpose(1, 0, 2, 3))


# -- conv2d: out[n, o] = Σ_c,i,j x[n, c, s·h + d·i, s·w + d·j] · w[o, c, i, j] ---------------------

def conv2d_forward(m, x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    cols = columns(pad(x, pair(padding)), w.shape[2:], pair(stride), pair(dilation))
    out = _grouped(lambda wg, cg: np.tensordot(wg, cg, axes=([1, 2, 3], [0, 1, 2])),  # (O, N, OH, OW)
                   groups, (w, 0), (cols, 0))
    if b is not None:
        out += b[:, None, None, None]
    out = _batch_first(out)
    keep(out, cols)                # the weight's gradient needs the same columns
    return out


def conv2d_vjp(g, xs, out, needs=ALL, stride=1, padding=0, dilation=1, groups=1):
    x, w = xs[0], xs[1]
    stride, padding, dilation = pair(stride), pair(padding), pair(dilation)
    gx = gw = gb = None
    if needs[0]:
        # each window's gradient is wᵀ · grad, added back onto the input: a transposed conv
        gx = spread(g, w, stride, padding, dilation, groups, x.shape[2:])
    if needs[1]:
        cols = take(out)
        if cols is None:
            cols = columns(pad(x, padding), w.shape[2:], stride, dilation)
        gw = _grouped(lambda gg, cg: np.tensordot(gg, cg, axes=([0, 2, 3], [3, 4, 5])),  # (O, C, KH, KW)
                      groups, (g, 1), (cols, 0))
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
    size = [conv_transpose2d_size(n, k, st, p, op, d) for n, k, st, p, op, d in
            zip(x.shape[2:], w.shape[2:], stride, padding, pair(output_padding), dilation)]
    out = spread(x, w, stride, padding, dilation, groups, size)
    if b is not None:
        out += b[:, None, None]
    return out


def conv_transpose2d_vjp(g, xs, out, needs=ALL, stride=1, padding=0, output_padding=0, groups=1,
                         dilation=1):
    x, w = xs[0], xs[1]
    stride, padding, dilation = pair(stride), pair(padding), pair(dilation)
    # the cropped border got no gradient: pad it back, then read one window per input pixel
    cols = columns(pad(g, padding), w.shape[2:], stride, dilation, out_hw=x.shape[2:])
    gx = gw = gb = None
    if needs[0]:
        gx = _batch_first(_grouped(lambda wg, cg: np.tensordot(wg, cg, axes=([1, 2, 3], [0, 1, 2])),
                                   groups, (w, 0), (cols, 0)))                # (C, N, H, W)
    if needs[1]:
        gw = _grouped(lambda xg, cg: np.tensordot(xg, cg, axes=([0, 2, 3], [3, 4, 5])),
                      groups, (x, 1), (cols, 0))                              # (C, O, KH, KW)
    if len(xs) > 2 and needs[2]:
        gb = g.sum(axis=(0, 2, 3))
    return gx, gw, gb


def conv_transpose2d_torch(t, x, w, b=None, **attrs):
    return t.nn.functional.conv_transpose2d(x, w, b, **attrs)
