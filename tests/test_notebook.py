"""Jupyter: the inline pictures, the stepper, and docs/notebook.ipynb executed headlessly."""
from __future__ import annotations

import html
import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from explainer import trace
from explainer.notebook import Picture, Stepper, stepper, view

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")


@pytest.fixture(scope="module")
def traced():
    return trace("J = 3(a + bc)", a=5, b=3, c=2)


def test_traced_draws_itself_as_svg(traced):
    picture = traced._repr_svg_()
    assert picture.lstrip().startswith("<?xml") and "<svg" in picture
    assert ">J = 33<" in picture


def test_view_draws_the_chosen_view(traced):
    picture = view(traced, "backward", explain="b")
    assert isinstance(picture, Picture)
    assert ">∂J/∂b = 6<" in picture._repr_svg_()
    assert picture._repr_svg_() == traced.render(view="backward", explain="b")


def test_stepper_embeds_the_page_in_an_iframe(traced, tmp_path):
    player = stepper(traced, quiz=True, height=500)
    assert isinstance(player, Stepper)
    shown = player._repr_html_()
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" style="width:100%;height:500px;[^"]*" title="[^"]*"></iframe>',
                         shown)
    assert match, shown[:200]
    assert html.unescape(match.group(1)) == player.html
    assert '"quiz": true' in player.html and "∂J/∂c = 9" in player.html
    player.save(tmp_path / "steps.html")
    assert (tmp_path / "steps.html").read_text(encoding="utf-8") == player.html


@pytest.mark.skipif(importlib.util.find_spec("nbclient") is None or importlib.util.find_spec("ipykernel") is None,
                    reason="nbclient and ipykernel are not installed (pip install -e '.[docs]')")
def test_the_docs_notebook_runs_headlessly_and_shows_svg():
    import nbclient
    import nbformat

    notebook = nbformat.read(ROOT / "docs" / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 2
    assert ">J = 33<" in svgs[0]
    assert ">∂J/∂b = 6<" in svgs[1]
    texts = [o["data"]["text/plain"] for o in outputs if "text/plain" in o.get("data", {})]
    assert "(3.0, 6.0, 9.0)" in texts
    printed = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
    assert "∂J/∂b = 3·1·c = 3·1·2 = 6" in printed
    players = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert len(players) == 1 and players[0].startswith("<iframe srcdoc=")
