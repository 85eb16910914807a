"""render, check, explain, demo: the scalar explainer's commands."""
from __future__ import annotations
from explainer.i18n import _
from explainer.i18n import N_, _, language

import html
import json
from pathlib import Path

import typer

from explainer.errors import ExplainerError
from explainer.format import fmt

from .common import (AtOption, ExpressionArgument, InputShapeOption, LossOption, ModelOption, TorchOption,
                     console, load, print_json,
                     stderr, trace_text)

DEFAULT_EXPRESSION = "J = 3(a + bc)"
DEFAULT_AT = "a=5,b=3,c=2"
VIEWS = ("forward", "backward", "both")


def render(
    expression: str = ExpressionArgument,
    at: str = AtOption,
    model: str = ModelOption,
    use_torch: bool = TorchOption,
    input_shape: str = InputShapeOption,
    loss: str = LossOption,
    view: str = typer.Option("both", help="forward (values), backward (local gradients) or both."),
    explain: str = typer.Option(None, "--explain", help="Highlight every path from the output to this node."),
    output: Path = typer.Option(Path("graph.svg"), "-o", "--output", help="The picture: .svg .png .pdf .dot, or .html (an interactive page)"),
    collapse: str = typer.Option(None, "--collapse", help="Draw each group as one box: neuron or layer; none draws every node."),
    max_nodes: int = typer.Option(2000, "--max-nodes", help="Bigger graphs collapse to their groups, or are refused."),
    depth: str = typer.Option(None, "--depth", help="Networks: 1 draws one box per module of the model, 2 opens "
                              "their sub-modules, … 'ops' draws every op.", show_default=False),
    rankdir: str = typer.Option(None, "--rankdir", help="TB (top to bottom) or LR (left to right); networks "
                                "default to the one that fits a slide, expressions to LR.", show_default=False),
):
    """Draw the graph of an expression.

    Example:  explainer render "J = 3(a + bc)" --at a=5,b=3,c=2 --view both --explain b -o j.svg

    Interactive page (open groups, zoom, search, click a node):  explainer render --model neuron-paths -o graph.html

    Networks:  explainer render --model neuron-paths --explain "W1[1,2]" --collapse neuron -o paths.svg

    Module boxes:  explainer render --model mnist-mlp --torch --depth 1 --rankdir TB -o mlp.svg

    graphviz's dot gets 30 s per picture (EXPLAINER_DOT_TIMEOUT=SECONDS changes it).
    """
    from explainer.render import require_dot

    _check_view(view)
    if output.suffix not in (".dot", ".html"):
        require_dot()
    traced = load(expression, at, model, use_torch, input_shape, loss)
    warn_nonfinite(traced)
    path = traced.render(output, view=view, explain=explain, collapse=collapse, max_nodes=max_nodes,
                         depth=depth, rankdir=rankdir)
    console.print(_("wrote {path}").format(path=path))


def check(
    expression: str = ExpressionArgument,
    at: str = AtOption,
    model: str = ModelOption,
    use_torch: bool = TorchOption,
    input_shape: str = InputShapeOption,
    loss: str = LossOption,
    rtol: float = typer.Option(1e-9, help="Relative tolerance against torch."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the table."),
    grad_output: str = typer.Option(None, "--grad-output", help="For a non-scalar output: the "
                                    "vector v of the vector-Jacobian product, e.g. \"[0.1,1,0.0001]\"."),
):
    """Compare every gradient with torch.autograd (float64) and finite differences; exit 1 on a mismatch.

    Example:  explainer check "J = 3(a + bc)" --at a=5,b=3,c=2

    A vector output needs the gradient it starts from, as torch's y.backward(v) does:
    explainer check "y = 2x" --at "x=[1,2,3]" --grad-output "[0.1,1,0.0001]"
    """
    from explainer.check import require_scalar_output

    if grad_output is not None and model is not None:
        raise ExplainerError(_("--grad-output is for an expression's output, not a built-in model"))
    traced = load(expression, at, model, use_torch, input_shape, loss) if grad_output is None else \
        trace_text(expression or "", at, grad_output)
    if grad_output is None:
        require_scalar_output(traced.graph)
    report = traced.check(rtol=rtol)
    if as_json:
        print_json(report.to_json())
    else:
        console.print(report.table())
        if report.nonfinite is not None:  # the table's caption names the node
            verdict = _("[red]not ok: the graph holds inf or nan[/]")
        else:
            verdict = _("[green]torch agrees with every gradient[/]") if report.ok else _("[red]MISMATCH with torch[/]")
        console.print(verdict)
    if not report.ok:
        raise typer.Exit(1)


def explain(
    expression: str = ExpressionArgument,
    at: str = AtOption,
    model: str = ModelOption,
    use_torch: bool = TorchOption,
    input_shape: str = InputShapeOption,
    loss: str = LossOption,
    wrt: str = typer.Option(..., "--wrt", help="The node to differentiate with respect to, e.g. b."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the text."),
):
    """Write out the chain rule: every path from the output to one node, the products and their sum.

    Example:  explainer explain "J = 3(a + bc)" --at a=5,b=3,c=2 --wrt b
    """
    traced = load(expression, at, model, use_torch, input_shape, loss)
    warn_nonfinite(traced)
    explanation = traced.explain(wrt)
    if as_json:
        print_json({**traced.summary(), "wrt": wrt, "explanation": explanation.to_json()})
    else:
        # one line however long: the terminal wraps it, and a copied formula pastes back whole
        console.print(explanation.text(), highlight=False, soft_wrap=True, markup=False)


def demo(
    out: Path = typer.Option(Path("demo-out"), "-o", "--out", help="Folder for the pictures and index.html."),
):
    """The main job: J = 3(a + bc) at a=5, b=3, c=2 in every view, checked against torch, in a gallery.

    Writes forward, backward and both views, one --explain picture per leaf, graph.dot, check.json
    and an index.html that shows them all.

    Example:  explainer demo -o demo-out
    """
    from explainer.render import require_dot

    require_dot()
    out.mkdir(parents=True, exist_ok=True)
    traced = trace_text(DEFAULT_EXPRESSION, DEFAULT_AT)
    pictures = []
    for view in VIEWS:
        path = traced.render(out / f"{view}.svg", view=view)
        pictures.append((_("{view} view").format(view=_(view)), path))
    leaves = [n.name for n in traced.graph.leaves()]
    explanations = []
    for leaf in leaves:
        path = traced.render(out / f"explain-{leaf}.svg", view="backward", explain=leaf)
        explanation = traced.explain(leaf)
        pictures.append((explanation.text(), path))
        explanations.append(explanation.text())
    traced.render(out / "graph.dot", view="both")
    from explainer.render.animate import write_page

    write_page(traced.graph, out / "steps.html", title=traced.source)   # linked from the gallery
    report = traced.check()
    (out / "check.json").write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    index = out / "index.html"
    index.write_text(_gallery(traced, pictures, explanations, report), encoding="utf-8")
    console.print(report.table())
    console.print("\n".join(explanations), highlight=False)
    verdict = _("torch agrees with every gradient") if report.ok else _("MISMATCH with torch")
    console.print(verdict + "\n" + _("open {path}").format(path=index.resolve()))
    if not report.ok:
        raise typer.Exit(1)


def warn_nonfinite(traced) -> None:
    """inf or nan in the graph is said once, naming the first node where it appeared."""
    if traced.nonfinite is not None:
        stderr.print(traced.nonfinite.warning(), highlight=False)


def _check_view(view: str) -> None:
    from explainer.errors import ExplainerError

    if view not in VIEWS:
        raise ExplainerError(_("unknown view {view!r}; choose one of: {VIEWS}").format(view=view, VIEWS=', '.join(VIEWS)))


def _gallery(traced, pictures, explanations, report) -> str:
    """A self-contained page: the pictures inline, the chain rule, torch's verdict."""
    out = traced.output
    rows = "".join(
        f"<tr><td>{html.escape(r.name)}</td>" + "".join(
            f"<td>{html.escape('—' if x is None else fmt(x))}</td>" for x in (r.value, r.ours, r.torch, r.fd))
        + "</tr>"
        for r in report.rows
    )
    figures = "".join(
        f"<figure><figcaption>{html.escape(caption)}</figcaption>{_inline_svg(path)}</figure>"
        for caption, path in pictures
    )
    verdict = _("torch.autograd agrees with every gradient") if report.ok else _("torch.autograd DISAGREES")
    e = {key: html.escape(_(text)) for key, text in _GALLERY.items()}
    return f"""<!doctype html>
<html lang="{language()}"><head><meta charset="utf-8"><title>explainer — {html.escape(traced.source)}</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}}
figure{{margin:2em 0}} figcaption{{font-weight:600;margin-bottom:.5em}} svg{{max-width:100%;height:auto}}
table{{border-collapse:collapse}} td,th{{border:1px solid #999;padding:.2em .6em;text-align:right}}</style>
</head><body>
<h1>{html.escape(traced.source)} {e["at"]} {html.escape(DEFAULT_AT)}</h1>
<p>{html.escape(out.name)} = {html.escape(fmt(out.value))}. {html.escape(verdict)}.</p>
<p><a href="steps.html">{e["steps"]}</a> {e["steps_note"]}</p>
<pre>{html.escape(chr(10).join(explanations))}</pre>
<table><tr><th>{e["node"]}</th><th>{e["value"]}</th><th>∂{html.escape(out.name)}/∂{e["node"]} {e["ours"]}</th>
<th>torch</th><th>{e["fd"]}</th></tr>{rows}</table>
{figures}
</body></html>
"""


# the gallery's words (index.html of `explainer demo`), in the language in force
_GALLERY = {"at": N_("at"), "steps": N_("Step through the forward and backward pass"),
            "steps_note": N_("(one frame at a time, with a quiz mode: steps.html)."), "node": N_("node"),
            "value": N_("value"), "ours": N_("(ours)"), "fd": N_("finite differences")}
_VIEW_WORDS = (N_("forward"), N_("backward"), N_("both"), N_("{view} view"))


def _inline_svg(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index("<svg"):]


def register(app: typer.Typer) -> None:
    for command in (render, check, explain, demo):
        app.command()(command)
