"""Time to a picture for big flat expressions: `y = tanh(w0*x0 + w1*x1 + …)`, 4 nodes a term.

Ours = what `explainer render "y = tanh(…)" --at … -o y.svg` does: parse and trace the text,
freeze the graph, group it (grouping.py), pick the level within the time budget and run dot to
an SVG file. The interactive page row: parse, trace, write `y.html`, and (where Playwright and
chromium are here) open it in headless chromium until its first layout is on screen.
Anchor = torchviz + dot on the same expression written in torch (one 0-dim tensor per w and x,
the same chain of multiplies and adds, so the same number of operations): `make_dot(y, params)`
and `dot -Tsvg` on its source, the time to the picture a torch user gets. dot is stopped after
DOT_TIMEOUT_S; the anchor's time is then a lower bound, and so is the ratio.

Rows: 100, 1,000 and 10,000 nodes (target ratio >= 5 at 10,000: the issue's), the issue's
6,000-node expression to SVG (<= 40 s) and to the interactive page (<= 15 s), and the parser's
tracing time per node at 1,500 and 6,000 terms (linear: the ratio of the per-node times ~1).
"""
import _common  # noqa: F401  (first: one BLAS thread)
from _common import log, one_thread_torch, paired_times, result

import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from explainer import trace
from explainer.expr.sizes import flat_sum

DOT_TIMEOUT_S = 120
CHROMIUM = "/usr/bin/chromium"
OUT = Path(tempfile.mkdtemp(prefix="explainer-bench-"))


def ours_svg(terms: int):
    text, values = flat_sum(terms)

    def run():
        return trace(text, values).render(OUT / f"flat{terms}.svg", view="both")
    return run


def ours_page(terms: int):
    text, values = flat_sum(terms)

    def run():
        return trace(text, values).render(OUT / f"flat{terms}.html", view="both")
    return run


def torchviz_svg(torch, terms: int) -> tuple[float, bool, int]:
    """Seconds from building the torch graph to torchviz's SVG, whether dot finished, DOT nodes."""
    from torchviz import make_dot

    _, values = flat_sum(terms)
    start = time.perf_counter()
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in values.items()}
    total = None
    for i in range(terms):
        term = params[f"w{i}"] * params[f"x{i}"]
        total = term if total is None else total + term
    y = torch.tanh(total)
    # make_dot walks the graph recursively: a chain of 1,000 adds passes Python's default limit
    # (a torch user gets a RecursionError); raised here so that the anchor draws at all
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20 * terms + 1000))
    try:
        source = make_dot(y, params).source
    finally:
        sys.setrecursionlimit(limit)
    nodes = source.count("[label=")
    try:
        done = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True,
                              timeout=DOT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, False, nodes
    assert done.returncode == 0 and b"<svg" in done.stdout, done.stderr[:200]
    return time.perf_counter() - start, True, nodes


def browser_seconds(path: Path) -> float | None:
    """Seconds from opening the page in headless chromium to its first picture (None: no browser)."""
    if importlib.util.find_spec("playwright") is None or not Path(CHROMIUM).exists():
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        start = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        seconds = time.perf_counter() - start
        browser.close()
    return seconds


def time_to_picture(torch, terms: int, target: str, threshold: float | None, name: str | None = None) -> None:
    nodes = 4 * terms
    (ours_s,) = paired_times(ours_svg(terms), repeats=3)
    anchor_s, finished, anchor_nodes = torchviz_svg(torch, terms)
    ratio = anchor_s / ours_s
    result(name or f"time to picture, {nodes:,}-node expression (SVG)", ours_s, "torchviz 0.0.3 make_dot + dot",
           anchor_s, target, met=None if threshold is None else ratio >= threshold, nodes=nodes,
           anchor_dot_nodes=anchor_nodes,
           anchor_note=None if finished else f"dot stopped after {DOT_TIMEOUT_S} s: the anchor's time and the "
                                             "ratio are lower bounds")
    return anchor_s, finished


def must_show(torch) -> None:
    terms = 1500
    (svg_s,) = paired_times(ours_svg(terms), repeats=3)
    anchor_s, finished, _ = torchviz_svg(torch, terms)
    note = None if finished else f"dot stopped after {DOT_TIMEOUT_S} s: a lower bound"
    result("flat 6,000-node expression to SVG", svg_s, "torchviz 0.0.3 make_dot + dot", anchor_s,
           "ours <= 40 s (the issue's)", met=svg_s <= 40, nodes=6000, anchor_note=note)
    (page_s,) = paired_times(ours_page(terms), repeats=3)
    browser_s = browser_seconds(OUT / f"flat{terms}.html")
    total = page_s + (browser_s or 0.0)
    result("flat 6,000-node expression to the interactive page", total, "torchviz 0.0.3 make_dot + dot",
           anchor_s, "ours <= 15 s (the issue's), page written + first layout in chromium", met=total <= 15,
           nodes=6000, page_s=page_s, browser_s=browser_s, anchor_note=note,
           browser_note=None if browser_s is not None else "no playwright/chromium: page writing only")


def trace_scaling() -> None:
    """Parsing and tracing stays linear: seconds per node at 1,500 and 6,000 terms."""
    times = {}
    for terms in (1500, 6000):
        text, values = flat_sum(terms)
        (times[terms],) = paired_times(lambda: trace(text, values), repeats=3)
    per_node = {t: s / (4 * t) for t, s in times.items()}
    result("parse + trace a 24,000-node expression (vs 6,000 per node)", times[6000],
           "the same text at 1,500 terms, scaled x4", 4 * times[1500],
           "linear: ratio >= 0.67 (per-node time grows by at most 1.5x)",
           met=per_node[1500] / per_node[6000] >= 0.67, nodes=24000, trace_6000_nodes_s=times[1500],
           chars=len(flat_sum(6000)[0]))


if __name__ == "__main__":
    if shutil.which("dot") is None:
        raise SystemExit("graphviz's dot is needed")
    log("big graphs: time to picture vs torchviz + dot")
    torch = one_thread_torch()
    time_to_picture(torch, 25, "reported", None)
    time_to_picture(torch, 250, "reported", None)
    time_to_picture(torch, 2500, "ratio >= 5 (the issue's)", 5.0)
    must_show(torch)
    trace_scaling()
