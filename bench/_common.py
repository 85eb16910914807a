"""Shared by every bench script: one thread everywhere, medians of repeats, one JSON line a result.

Import this module FIRST in a bench script: BLAS reads its thread count when numpy is imported.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import gc  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402


def paired_times(*fns, repeats: int = 7, number: int = 1, warmup: int = 1) -> list[float]:
    """Median seconds per call of each of `fns` (ours first, then the anchors), timed in turn
    within every repeat so that noise from other processes on the machine hits all sides alike
    (compare ratios, not absolute times)."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, own in zip(fns, times):
            gc.collect()  # each side starts from a clean heap, not another side's garbage
            start = time.perf_counter()
            for _ in range(number):
                fn()
            own.append((time.perf_counter() - start) / number)
    return [statistics.median(own) for own in times]


def result(name: str, ours_s, anchor: str, anchor_s, target: str, met=None, **extra) -> dict:
    """Print one benchmark's JSON line and return it. ratio = anchor time / our time (>1: faster)."""
    ratio = (anchor_s / ours_s) if (ours_s and anchor_s) else None
    row = {"name": name, "ours_s": ours_s, "anchor": anchor, "anchor_s": anchor_s,
           "ratio": None if ratio is None else round(ratio, 3), "target": target, "met": met}
    row.update(extra)
    print(json.dumps(row), flush=True)
    return row


def skipped(name: str, anchor: str, target: str, reason: str) -> dict:
    """A benchmark that cannot run here: recorded with ratio null and the reason."""
    return result(name, None, anchor, None, target, met=None, skipped=reason)


def one_thread_torch():
    import torch

    torch.set_num_threads(1)
    return torch


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
