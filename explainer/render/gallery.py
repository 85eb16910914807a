"""The gallery `explainer run` writes: one section per recorded backward pass — the forward and
backward pictures, the check against torch, a link to the step-through page — in index.html."""
from __future__ import annotations

import html
import json
import math
from pathlib import Path

from ..format import fmt
from ..i18n import _, language, ngettext


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
    words = [ngettext("{n} backward pass", "{n} backward passes", log.backward_calls).format(n=log.backward_calls),
             ngettext("{n} distinct graph", "{n} distinct graphs", distinct).format(n=distinct),
             _("{n} drawn").format(n=len([r for r in log.records if r.graph is not None]))]
    return _(", ").join(words)


def _section(record, pictures, steps: str, report) -> str:
    # every _() outside the f-strings: Babel's extractor does not look inside an f-string
    verdict = (_("torch agrees with every gradient") if report.ok else
               _("{count} gradient(s) disagree with torch").format(count=len(report.mismatches)))
    ok, mismatch = _("ok"), _("MISMATCH")
    rows = "".join(
        f"<tr class='{'ok' if row.ok else 'bad'}'><td>{html.escape(row.name)}</td>"
        f"<td>{_shape(row.value)}</td><td>{row.error:.1e}</td><td>{ok if row.ok else mismatch}</td></tr>"
        for row in report.rows if row.kind == "input" or row.name == report.output)
    images = "".join(_figure(view, src) for view, src in pictures)
    heading = _heading(record) + (_(", called {n} times").format(n=record.calls) if record.calls > 1 else "")
    step_through = _("step through the backward pass")
    checked = _("check against torch (rtol {rtol:g}): {verdict}").format(rtol=report.rtol, verdict=verdict)
    columns = "".join(f"<th>{html.escape(word)}</th>" for word in (_("node"), _("shape"), _("rel. err"), ""))
    return (f"<section id='graph-{record.number}'><h2>{html.escape(heading)}</h2>"
            f"<p><a href='{html.escape(steps)}'>{html.escape(step_through)}</a> · "
            f"<a href='graph-{record.number}-check.json'>check.json</a></p>{images}"
            f"<h3>{html.escape(checked)}</h3><table><tr>{columns}</tr>{rows}</table></section>")


def _heading(record) -> str:
    """`1. out.backward() at tut.py:6`"""
    return _("{number}. {output}.backward() at {where}").format(number=record.number, output=record.output,
                                                                 where=record.where)


def _figure(view: str, src: str) -> str:
    caption = _("{view} (click for full size)").format(view=_(view))
    return (f"<figure><a href='{html.escape(src)}'><img src='{html.escape(src)}' alt='{html.escape(_(view))}'></a>"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _failed_section(record) -> str:
    not_drawn = _("not drawn: {error}").format(error=record.error or "")
    return (f"<section id='graph-{record.number}'><h2>{html.escape(_heading(record))}</h2>"
            f"<p class='bad'>{html.escape(not_drawn)}</p></section>")


def _shape(value) -> str:
    shape = getattr(value, "shape", None)
    if not shape:
        return fmt(value) if value is not None else "—"
    return "[" + ", ".join(str(n) for n in shape) + "]"


def _page(log, sections) -> str:
    more = ""
    if log.unrecorded_graphs:
        more = "<p>" + html.escape(_("{n} more distinct graph(s) were counted, not drawn (--max-graphs {max_graphs}).")
                                   .format(n=log.unrecorded_graphs, max_graphs=log.max_graphs)) + "</p>"
    failure = ("<p class='bad'>" + html.escape(_("The script stopped: {failure}").format(failure=log.failure)) + "</p>"
               if log.failure else "")
    empty = "" if sections else "<p>" + html.escape(_("The script called no backward().")) + "</p>"
    engine = _("engine: {engine}").format(engine=log.engine)
    return f"""<!doctype html>
<html lang="{language()}"><head><meta charset="utf-8"><title>explainer run {html.escape(log.script.name)}</title>
<style>body{{font-family:sans-serif,"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei";margin:2em;max-width:1200px}}img{{max-width:100%;border:1px solid #ddd}}
figure{{margin:1em 0}}table{{border-collapse:collapse}}td,th{{padding:2px 8px;border-bottom:1px solid #eee;
text-align:left}}.bad{{color:#b00}}section{{margin-bottom:3em}}</style></head><body>
<h1>explainer run {html.escape(log.script.name)}</h1>
<p>{html.escape(engine)} · {html.escape(summary_line(log))}</p>{failure}{more}{empty}
{''.join(sections)}
</body></html>
"""
