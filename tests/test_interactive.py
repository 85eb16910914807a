"""The interactive page (`render … -o graph.html`): its data here; its behaviour in headless chromium
(tests marked `browser`, run with `make test-browser`)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from explainer import trace
from explainer.errors import ExplainerError
from explainer.expr.sizes import flat_sum
from explainer.graph import Graph
from explainer.render.interactive import graph_data, page, start_open

from browsers import browser_test
from graphs import j_abc

SHOTS = Path("/tmp/explainer-interactive-shots")   # screenshots to look at; committed nowhere


def embedded(html: str) -> dict:
    return json.loads(re.search(r"const DATA = (\{.*?\});\n", html, re.S).group(1).replace("<\\/", "</"))


def test_the_page_is_one_file_that_loads_nothing_from_elsewhere():
    html = page(j_abc(title="J = 3(a + bc)"))
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html)
    assert "window.explainerGraphviz={Graphviz:" in html and "export{" not in html
    assert "sourceMappingURL" not in html
    assert "<title>J = 3(a + bc)</title>" in html


def test_the_page_carries_values_gradients_rules_and_the_chain_rule_of_every_node():
    data = embedded(page(j_abc()))
    by_name = {n["name"]: n for n in data["nodes"]}
    b = by_name["b"]
    assert (b["value"], b["grad"], b["kind"]) == ("3", "6", "input")
    assert b["rule"] == ["∂v/∂b = c = 2"]
    assert b["chain"] == ["∂J/∂b = ∂J/∂v · ∂v/∂b", "= 3 · 2", "= 6"]
    assert by_name["v"]["rule"] == ["∂v/∂b = c = 2", "∂v/∂c = b = 3"] and by_name["v"]["op"] == "×"
    assert by_name["J"]["chain"] == ["∂J/∂J = 1 (the output)"]
    assert by_name["v"]["lines"]["backward"] == ["∂J/∂v = 3", "×"]
    assert data["open"] == [] and data["view"] == "both"


def test_the_page_opens_on_the_finest_level_that_stays_small():
    text, values = flat_sum(1500)
    graph = trace(text, values).graph
    data = graph_data(graph, "backward")
    assert data["open"] == ["Σ of 1,500 terms"]       # 11 runs + the running sum + y drawn
    assert len(data["nodes"]) == 6000 and len(data["edges"]) == len(graph.edges)
    from explainer.models import neuron_paths

    small = Graph.build(neuron_paths.build())
    # 31 nodes: the layers open, their neurons boxes (x1, x2, 4 neurons, the output's 6 nodes)
    assert start_open([n.group for n in small.nodes]) == ["inputs", "layer 1", "layer 2", "output"]
    assert start_open([None] * 7) == []


def test_tensor_nodes_show_their_shapes():
    import numpy as np

    t = trace("out = mean(relu(x @ W))", x=np.ones((4, 3)), W=np.full((3, 2), 0.5))
    nodes = {n["name"]: n for n in graph_data(t.graph, "both")["nodes"]}
    assert nodes["W"]["shape"] == "[3, 2]" and nodes["W"]["grad"] is not None


def test_render_to_html_through_the_api_and_the_cli(tmp_path, cli):
    path = trace("J = 3(a + bc)", a=5, b=3, c=2).render(tmp_path / "j.html", view="backward")
    assert embedded(path.read_text(encoding="utf-8"))["view"] == "backward"
    with pytest.raises(ExplainerError, match="draw it without --explain and --collapse"):
        trace("J = 3(a + bc)", a=5, b=3, c=2).render(tmp_path / "j.html", explain="b")
    run = cli("render", "--model", "neuron-paths", "-o", "np.html")
    assert run.code == 0 and "np.html" in run.out
    html = (tmp_path / "np.html").read_text(encoding="utf-8")
    assert "W1[1,2]" in html


# ---------------------------------------------------------------------------------------------
# In the browser

class Opened:
    """A page at 1280×720 with its console errors, uncaught exceptions and every request kept."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1280, "height": 720})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready='1']", timeout=60_000)

    def drawn(self) -> int:
        return int(self.page.evaluate("document.body.dataset.drawn"))

    def texts(self) -> list[str]:
        return self.page.evaluate("[...document.querySelectorAll('#canvas svg text')].map(t => t.textContent)")

    def panel(self) -> dict:
        return self.page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#panel dd')]
            .map(dd => [dd.dataset.field, dd.textContent]))""")

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / name))


@pytest.fixture(scope="module")
def flat_page(tmp_path_factory):
    text, values = flat_sum(1500)
    traced = trace(text, values)
    return traced, traced.render(tmp_path_factory.mktemp("page") / "flat.html")


@browser_test
def test_the_6000_node_page_opens_collapsed_offline_and_without_errors(browser, flat_page):
    _, path = flat_page
    opened = Opened(browser, path)
    assert opened.drawn() == 13
    texts = opened.texts()
    assert "Σ of 1,500 terms" in texts and "terms 1–144" in texts and "running sum" in texts
    assert opened.page.text_content("#status") == "6,000 nodes in the graph · 13 drawn · 1 group open"
    opened.shot("flat-6000-start.png")
    assert opened.errors == []
    assert [u for u in opened.requests if not u.startswith("file:")] == []
    opened.page.close()


@browser_test
def test_clicking_a_box_opens_it_and_clicking_its_frame_closes_it(browser, flat_page):
    opened = Opened(browser, flat_page[1])
    box = opened.page.locator("#canvas g.node.box", has_text="terms 1–144")
    box.click()
    opened.page.wait_for_function("document.body.dataset.drawn === '24'")
    texts = opened.texts()
    assert "terms 1–12" in texts and "terms 133–144" in texts and "terms 1–144" in texts  # the frame's title
    opened.shot("flat-6000-opened.png")
    opened.page.click("#fit")
    opened.page.locator("#canvas g.cluster text", has_text="terms 1–144").click()
    opened.page.wait_for_function("document.body.dataset.drawn === '13'")
    assert opened.errors == []
    opened.page.close()


@browser_test
def test_search_opens_the_groups_around_a_node_and_shows_its_chain_rule(browser, flat_page):
    traced, path = flat_page
    opened = Opened(browser, path)
    opened.page.fill("#search", "w700")
    opened.page.press("#search", "Enter")
    opened.page.wait_for_selector("#n%d.selected" % traced["w700"].id)
    panel = opened.panel()
    from explainer.format import fmt

    assert panel["gradient"] == fmt(traced["w700"].grad) and panel["value"] == "-0.05"
    assert panel["local"] == "∂(w700*x700)/∂w700 = x700 = -0.5"
    assert panel["chain"].splitlines()[0] == "∂y/∂w700 = ∂y/∂(w700*x700) · ∂(w700*x700)/∂w700"
    assert panel["chain"].splitlines()[-1] == "= " + fmt(traced["w700"].grad)
    assert "x700 = -0.5" in " ".join(opened.texts())
    opened.shot("flat-6000-search.png")
    opened.page.fill("#search", "nope")
    opened.page.press("#search", "Enter")
    assert opened.page.text_content("#message") == "no node named “nope”"
    assert opened.errors == []
    opened.page.close()


@browser_test
def test_zoom_buttons_and_the_wheel_zoom_and_fit_goes_back(browser, flat_page):
    opened = Opened(browser, flat_page[1])
    zoom = lambda: float(opened.page.evaluate("document.body.dataset.zoom"))  # noqa: E731
    assert zoom() == 1.0   # the whole graph would need 12 pt text under 12 px: it opens at 1 px a point
    opened.page.click("#zoom-in")
    assert zoom() == pytest.approx(1.25, rel=1e-3)
    opened.page.mouse.move(400, 400)
    opened.page.mouse.wheel(0, -100)
    assert zoom() == pytest.approx(1.5, rel=1e-3)
    before = opened.page.evaluate("document.querySelector('#canvas svg').getAttribute('viewBox')")
    opened.page.mouse.move(400, 400)
    opened.page.mouse.down()
    opened.page.mouse.move(500, 450)
    opened.page.mouse.up()
    assert opened.page.evaluate("document.querySelector('#canvas svg').getAttribute('viewBox')") != before
    opened.page.click("#fit")
    fitted = zoom()
    assert 0.5 < fitted < 1.0
    opened.page.click("#zoom-out")
    assert zoom() == pytest.approx(0.8 * fitted, rel=1e-2)
    assert opened.errors == []
    opened.page.close()


@browser_test
def test_views_switch_and_a_network_node_shows_both_paths(browser, tmp_path):
    from explainer.models import neuron_paths
    from explainer.api import Traced

    traced = Traced(Graph.build(neuron_paths.build()))
    opened = Opened(browser, traced.render(tmp_path / "np.html"))
    red = "document.querySelectorAll('#canvas g.edge path[stroke=\"#d62728\"]').length"
    assert opened.page.evaluate(red) > 0
    opened.page.click("button[data-view=forward]")
    assert opened.page.evaluate(red) == 0
    opened.page.click("button[data-view=backward]")
    assert opened.page.evaluate(red) > 0
    assert "neuron 2" in opened.texts() and opened.drawn() == 11   # x1, x2, 4 neuron boxes, the output's 5 nodes
    node = traced["W1[1,2]"]
    opened.page.fill("#search", "W1[1,2]")
    opened.page.press("#search", "Enter")
    opened.page.click("#fit")
    opened.page.click(f"#n{node.id}")
    panel = opened.panel()
    from explainer.format import fmt

    assert panel["gradient"] == fmt(node.grad)
    assert panel["group"] == "layer 1/neuron 2"
    opened.shot("neuron-paths.png")
    assert opened.errors == []
    opened.page.close()


@browser_test
def test_a_traced_tensor_mlp_page_shows_shapes(browser, tmp_path, cli):
    run = cli("render", "--model", "mnist-mlp", "-o", "mlp.html")
    assert run.code == 0, run.err
    opened = Opened(browser, tmp_path / "mlp.html")
    name = opened.page.evaluate("DATA.nodes.find(n => n.shape === '[64, 28]' && n.kind === 'op').name")
    opened.page.fill("#search", name)
    opened.page.press("#search", "Enter")
    panel = opened.panel()
    assert panel["shape"] == "[64, 28]" and panel["gradient"] == "[64, 28]"
    opened.shot("mnist-mlp.png")
    assert opened.errors == []
    opened.page.close()


def test_a_module_weight_opens_with_its_module_not_beside_the_network():
    """An ungrouped leaf joins the deepest group holding all its users: fc1.weight sits in fc1."""
    from explainer.commands.common import load
    from explainer.render.dot import group_parts
    from explainer.render.grouping import group_paths, leaves_join_their_users

    graph = load(None, "", model="mnist-mlp").graph
    paths = dict(zip((n.name for n in graph.nodes), leaves_join_their_users(graph, group_paths(graph))))
    fc1 = next(n for n in graph.nodes if n.name == "fc1.weight")
    assert fc1.group is None                       # the graph itself leaves the weight outside
    users = [graph.nodes[n.id].group for n in graph.nodes if fc1.id in n.inputs]
    assert users and group_parts(paths["fc1.weight"]) == group_parts(users[0])
    assert group_parts(paths["fc1.weight"])[-1] == "fc1"
