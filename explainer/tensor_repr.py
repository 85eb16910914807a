"""Tensors printed exactly as torch prints them: `tensor([[4.5000, 4.5000], …], grad_fn=<…>)`.

This follows torch/_tensor_str.py (default print options: precision 4, line width 80, summary
above 1000 elements with 3 edge items): one formatter per tensor picks integer mode ("27."),
fixed ("0.1000") or scientific ("1.0000e-05") from the non-zero finite values, pads every element
to the widest, wraps rows at 80 columns and appends dtype / grad_fn / requires_grad suffixes.
"""
from __future__ import annotations

import math

import numpy as np

PRECISION, LINEWIDTH, THRESHOLD, EDGEITEMS = 4, 80, 1000, 3
_DEFAULT_DTYPES = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))


class _Formatter:
    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.width = max(self.width, len(str(v)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if not finite.size:
            return
        big, small = np.abs(finite).max(), np.abs(finite).min()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            self.sci_mode = big / small > 1000.0 or big > 1.0e8
            for v in finite.tolist():
                self.width = max(self.width, len(f"{v:.{PRECISION}e}") if self.sci_mode
                                 else len(f"{v:.0f}") + 1)
        else:
            self.sci_mode = big / small > 1000.0 or big > 1.0e8 or small < 1.0e-4
            for v in finite.tolist():
                self.width = max(self.width, len(f"{v:.{PRECISION}e}" if self.sci_mode
                                                 else f"{v:.{PRECISION}f}"))

    def format(self, value) -> str:
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.width}.{PRECISION}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{PRECISION}f}"
        else:
            text = str(value)
        return (self.width - len(text)) * " " + text


def _summarized(values: np.ndarray) -> np.ndarray:
    """The edge items torch keeps when it elides the middle of a large tensor (get_summarized_data)."""
    if values.ndim == 0:
        return values
    n = values.shape[0]
    keep = list(range(EDGEITEMS)) + list(range(n - EDGEITEMS, n)) if n > 2 * EDGEITEMS else range(n)
    if values.ndim == 1:
        return values[list(keep)]
    return np.stack([_summarized(values[i]) for i in keep])


def _vector(values: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, int(math.floor((LINEWIDTH - indent) / (fmt.width + 2))))
    items = values.tolist()
    if summarize and len(items) > 2 * EDGEITEMS:
        data = [fmt.format(v) for v in items[:EDGEITEMS]] + [" ..."] + \
               [fmt.format(v) for v in items[-EDGEITEMS:]]
    else:
        data = [fmt.format(v) for v in items]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _body(values: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if values.ndim == 0:
        return fmt.format(values.item())
    if values.ndim == 1:
        return _vector(values, indent, summarize, fmt)
    n = values.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        rows = [_body(values[i], indent + 1, summarize, fmt) for i in range(EDGEITEMS)] + ["..."] + \
               [_body(values[i], indent + 1, summarize, fmt) for i in range(n - EDGEITEMS, n)]
    else:
        rows = [_body(values[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def tensor_repr(values: np.ndarray, grad_fn_name: str | None, requires_grad: bool,
                prefix: str = "tensor(") -> str:
    """torch's text for a tensor holding `values` (a numpy array)."""
    indent = len(prefix)
    suffixes = []
    if values.size == 0:
        body = "[]"
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
    else:
        summarize = values.size > THRESHOLD
        fmt = _Formatter(_summarized(values) if summarize else values)
        body = _body(values, indent, summarize, fmt)
    if values.dtype not in _DEFAULT_DTYPES:
        from .dtypes import of
        suffixes.append(f"dtype={of(values.dtype)!r}")
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    text = prefix + body
    last = len(text) - text.rfind("\n") + 1
    parts = [text]
    for suffix in suffixes:
        if last + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last += len(suffix) + 2
    return "".join(parts) + ")"
