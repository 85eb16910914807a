"""The gallery `explainer run` writes: one section per recorded backward pass — the forward and
backward pictures, the check against torch, a link to the step-through page — in index.html."""
from __future__ import annotations

import html
import json
import math
from pathlib import Path

from ..format import fmt


def write_gallery(out: Path, log) -> Path:
    """Draw and check every record of `log` (a script_run.RunLog) into `out`; returns index.html."""
    from ..check import check
    from ..torchbridge import precision_rtol
    from .animate import write_page
    from .dot import render

    out.mkdir(parents=True, exist_ok=True)
    sections = []
    for record in log.records:
        if record.graph is None:
            sections.append(_failed_section(record))
            continue
        stem = f"graph-{record.number}"
        graph = record.graph
        pictures = []
        for view in ("forward", "backward"):
            path = render(graph, out / f"{stem}-{view}.svg", view=view)
            pictures.append((view, path.name))
        write_page(graph, out / f"{stem}-steps.html", title=f"{log.script.name}: {record.output}")
        report = check(graph, rtol=precision_rtol(graph))
        (out / f"{stem}-check.json").write_text(json.dumps(_report_json(report), ensure_ascii=False))
        sections.append(_section(record, pictures, f"{stem}-steps.html", report))
    index = out / "index.html"
    index.write_text(_page(log, sections), encoding="utf-8")
    return index


FULL_JSON_ELEMENTS = 100_000   # beyond this many numbers, check.json keeps shapes and errors only


def _report_json(report) -> dict:
    """The check as JSON: every number for a small graph; for a network with millions of weights,
    each node's shape, relative error and verdict (the numbers would be hundreds of megabytes)."""
    size = sum(getattr(row.value, "size", 1) for row in report.rows)
    if size <= FULL_JSON_ELEMENTS:
        return report.to_json()
    return {"output": report.output, "ok": report.ok, "rtol": report.rtol,
            "nodes": {row.name: {"shape": list(getattr(row.value, "shape", ())),
                                 "error": row.error if math.isfinite(row.error) else None,
                                 "ok": row.ok} for row in report.rows}}


def summary_line(log) -> str:
    """`3 backward passes, 2 distinct graphs, 2 drawn`."""
    distinct = len(log.records) + log.unrecorded_graphs
    words = [f"{log.backward_calls} backward pass{'es' if log.backward_calls != 1 else ''}",
             f"{distinct} distinct graph{'s' if distinct != 1 else ''}",
             f"{len([r for r in log.records if r.graph is not None])} drawn"]
    return ", ".join(words)


def _section(record, pictures, steps: str, report) -> str:
    verdict = ("torch agrees with every gradient" if report.ok else
               f"{len(report.mismatches)} gradient(s) disagree with torch")
    rows = "".join(
        f"<tr class='{'ok' if row.ok else 'bad'}'><td>{html.escape(row.name)}</td>"
        f"<td>{_shape(row.value)}</td><td>{row.error:.1e}</td><td>{'ok' if row.ok else 'MISMATCH'}</td></tr>"
        for row in report.rows if row.kind == "input" or row.name == report.output)
    images = "".join(f"<figure><a href='{html.escape(src)}'><img src='{html.escape(src)}' alt='{view} view'></a>"
                     f"<figcaption>{view} (click for full size)</figcaption></figure>" for view, src in pictures)
    calls = f", called {record.calls} times" if record.calls > 1 else ""
    return (f"<section id='graph-{record.number}'><h2>{record.number}. {html.escape(record.output)}.backward() "
            f"at {html.escape(record.where)}{calls}</h2>"
            f"<p><a href='{html.escape(steps)}'>step through the backward pass</a> · "
            f"<a href='graph-{record.number}-check.json'>check.json</a></p>{images}"
            f"<h3>check against torch (rtol {report.rtol:g}): {verdict}</h3>"
            f"<table><tr><th>node</th><th>shape</th><th>rel. error</th><th></th></tr>{rows}</table></section>")


def _failed_section(record) -> str:
    return (f"<section id='graph-{record.number}'><h2>{record.number}. {html.escape(record.output)}.backward() "
            f"at {html.escape(record.where)}</h2><p class='bad'>not drawn: {html.escape(record.error or '')}</p>"
            "</section>")


def _shape(value) -> str:
    shape = getattr(value, "shape", None)
    if not shape:
        return fmt(value) if value is not None else "—"
    return "[" + ", ".join(str(n) for n in shape) + "]"


def _page(log, sections) -> str:
    more = ""
    if log.unrecorded_graphs:
        more = (f"<p>{log.unrecorded_graphs} more distinct graph(s) were counted, not drawn "
                f"(--max-graphs {log.max_graphs}).</p>")
    failure = f"<p class='bad'>The script stopped: {html.escape(log.failure)}</p>" if log.failure else ""
    empty = "" if sections else "<p>The script called no backward().</p>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>explainer run {html.escape(log.script.name)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}img{{max-width:100%;border:1px solid #ddd}}
figure{{margin:1em 0}}table{{border-collapse:collapse}}td,th{{padding:2px 8px;border-bottom:1px solid #eee;
text-align:left}}.bad{{color:#b00}}section{{margin-bottom:3em}}</style></head><body>
<h1>explainer run {html.escape(log.script.name)}</h1>
<p>engine: {html.escape(log.engine)} · {html.escape(summary_line(log))}</p>{failure}{more}{empty}
{''.join(sections)}
</body></html>
"""
