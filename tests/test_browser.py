"""Headless chromium (Debian's, driven by Playwright): the step-through page and the docs site.

Run with `make test-browser`. Without playwright or chromium these tests skip with the reason.
"""
from __future__ import annotations

import functools
import http.server
import importlib.util
import threading
from pathlib import Path

import pytest
from browsers import Watched, needs_browser, needs_dot

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [*needs_browser, needs_dot]


# ---------------------------------------------------------------------------------------------
# The step-through page


@pytest.fixture(scope="module")
def j_page(tmp_path_factory):
    """`explainer animate "J = 3(a + bc)" --at a=5,b=3,c=2 -o j.html`, run as a user runs it."""
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("animate")
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "animate", "J = 3(a + bc)", "--at", "a=5,b=3,c=2",
                           "-o", "j.html"], cwd=folder, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return folder / "j.html"


STATE = """() => {
  const name = el => el ? el.getAttribute('data-name') : null;
  const node = document.querySelector('#graph g.node.current');
  const target = document.querySelector('#graph g.node.target');
  const edges = [...document.querySelectorAll('#graph g.edge.current title')].map(t => t.textContent.trim());
  const badges = {};
  document.querySelectorAll('#graph g.node').forEach(g => {
    const b = g.querySelector('text.grad-badge'); if (b && b.textContent) badges[name(g)] = b.textContent; });
  return {frame: +document.body.dataset.frame, phase: document.body.dataset.phase,
          node: name(node), target: name(target), edges, badges,
          progress: document.getElementById('progress-text').textContent,
          lines: [...document.querySelectorAll('#frame-lines li')].map(li => li.textContent)};
}"""


def walk(page, frames: int) -> list[dict]:
    states = [page.evaluate(STATE)]
    for _ in range(frames - 1):
        page.keyboard.press("ArrowRight")
        states.append(page.evaluate(STATE))
    return states


def test_animate_page_loads_without_errors_and_needs_no_network(watched, j_page):
    requests = []
    watched.page.on("request", lambda r: requests.append(r.url))
    watched.page.goto(j_page.as_uri())
    state = watched.page.evaluate(STATE)
    assert watched.errors == []
    assert [url for url in requests if not url.startswith("file:")] == []
    assert state["frame"] == 0 and state["phase"] == "intro"
    assert state["progress"] == "Step 1 of 15 · what this page shows"
    assert state["node"] is None and state["lines"][0].startswith("Forward pass: 7 steps")


def test_stepping_moves_the_highlight_forward_then_backward_in_reverse_topological_order(watched, j_page):
    watched.page.goto(j_page.as_uri())
    states = walk(watched.page, 15)
    forward = [s for s in states if s["phase"] == "forward"]
    assert [s["node"] for s in forward] == ["3", "a", "b", "c", "bc", "a + bc", "J"]
    assert forward[4]["edges"] == ["n2->n4", "n3->n4"]  # b and c feed bc
    assert forward[4]["lines"] == ["bc = b·c", "bc = 3·2 = 6"]
    assert forward[6]["lines"] == ["J = 3·(a + bc)", "J = 3·11 = 33"]   # not 3 × a + bc
    backward = [s for s in states if s["phase"] == "backward"]
    assert [(s["node"], s["target"]) for s in backward] == [
        ("J", None), ("J", "a + bc"), ("a + bc", "a"), ("a + bc", "bc"), ("bc", "b"), ("bc", "c")]
    assert [s["edges"] for s in backward[1:]] == [["n5->n6"], ["n1->n5"], ["n4->n5"], ["n2->n4"], ["n3->n4"]]
    assert backward[4]["lines"] == ["local gradient  ∂bc/∂b = c = 2",
                                    "chain rule  ∂J/∂b = ∂J/∂bc · ∂bc/∂b = 3·2 = 6"]
    assert backward[4]["badges"] == {"J": "∂J/∂J = 1", "a + bc": "∂J/∂(a + bc) = 3", "a": "∂J/∂a = 3",
                                     "bc": "∂J/∂bc = 3", "b": "∂J/∂b = 6"}
    assert all(s["badges"] == {} for s in forward)  # no gradient before the backward pass
    assert watched.errors == []


def test_the_last_frame_shows_the_leaves_gradients(watched, j_page):
    watched.page.goto(j_page.as_uri())
    watched.page.keyboard.press("End")
    state = watched.page.evaluate(STATE)
    assert state["phase"] == "done" and state["progress"] == "Step 15 of 15 · done"
    assert {k: state["badges"][k] for k in "abc"} == {"a": "∂J/∂a = 3", "b": "∂J/∂b = 6", "c": "∂J/∂c = 9"}
    assert state["lines"][:3] == ["∂J/∂a = 3", "∂J/∂b = 6", "∂J/∂c = 9"]
    assert watched.page.is_disabled("#next") and not watched.page.is_disabled("#prev")
    # and back again: stepping back undoes what the last steps wrote
    watched.page.click("#prev")
    watched.page.click("#prev")
    state = watched.page.evaluate(STATE)
    assert (state["node"], state["target"]) == ("bc", "b")
    assert "c" not in state["badges"] and state["badges"]["b"] == "∂J/∂b = 6"
    watched.page.keyboard.press("Home")
    assert watched.page.evaluate(STATE)["badges"] == {}
    assert watched.errors == []


def test_quiz_mode_hides_each_gradient_until_revealed(watched, j_page):
    watched.page.goto(j_page.as_uri())
    watched.page.keyboard.press("q")
    for _ in range(15):  # to the step from bc into b: 8 plain steps, then reveal + next for each hidden one
        watched.page.keyboard.press("ArrowRight")
    state = watched.page.evaluate(STATE)
    assert (state["node"], state["target"]) == ("bc", "b"), state
    assert state["badges"]["b"] == "∂J/∂b = ?"
    assert state["lines"] == ["local gradient  ∂bc/∂b = ?", "chain rule  ∂J/∂b = ∂J/∂bc · ∂bc/∂b = 3·? = ?"]
    assert not watched.page.is_disabled("#reveal")
    watched.page.click("#reveal")
    state = watched.page.evaluate(STATE)
    assert state["badges"]["b"] == "∂J/∂b = 6"
    assert state["lines"][1] == "chain rule  ∂J/∂b = ∂J/∂bc · ∂bc/∂b = 3·2 = 6"
    assert watched.page.is_disabled("#reveal")
    assert watched.errors == []


def test_quiz_mode_reveals_everything_at_end(watched, j_page):
    watched.page.goto(j_page.as_uri())
    watched.page.keyboard.press("q")
    for _ in range(9):   # into the backward pass: the first step's gradient is hidden
        watched.page.keyboard.press("ArrowRight")
    assert any(v.endswith("= ?") for v in watched.page.evaluate(STATE)["badges"].values())
    watched.page.keyboard.press("End")
    state = watched.page.evaluate(STATE)
    assert state["phase"] == "done"
    assert state["badges"] == {"J": "∂J/∂J = 1", "a + bc": "∂J/∂(a + bc) = 3", "a": "∂J/∂a = 3",
                               "bc": "∂J/∂bc = 3", "b": "∂J/∂b = 6", "c": "∂J/∂c = 9"}
    assert not any("?" in line for line in state["lines"])
    assert watched.errors == []


LAYOUT = """() => {
  const panel = document.getElementById('panel').getBoundingClientRect();
  const lines = document.getElementById('frame-lines').getBoundingClientRect();
  const nav = document.querySelector('nav').getBoundingClientRect();
  const p = document.getElementById('panel');
  return {panelBottom: panel.bottom, linesBottom: lines.bottom, navTop: nav.top, navBottom: nav.bottom,
          panelScrolls: p.scrollHeight > p.clientHeight + 1,
          pageScrolls: document.documentElement.scrollHeight > window.innerHeight + 1,
          height: window.innerHeight};
}"""


@pytest.mark.parametrize("expression, at", [
    ("J = 3(a + bc)", "a=5,b=3,c=2"),
    ("p = sigmoid(w x + b); L = -(y ln p + (1 - y) ln(1 - p))", "w=0.5,x=1.5,b=-0.2,y=1"),
])
def test_the_explanation_is_never_under_the_buttons_on_a_4_3_projector(browser, tmp_path, expression, at):
    """1024×768: every frame's explanation lies above the button bar and needs no scrolling."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "animate", expression, "--at", at,
                           "-o", "page.html"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    try:
        page.goto((tmp_path / "page.html").as_uri())
        frames = page.evaluate("JSON.parse(document.getElementById('explainer-data').textContent).frames.length")
        for k in range(frames):
            for quiz in (False, True):
                if quiz:
                    page.keyboard.press("q")
                box = page.evaluate(LAYOUT)
                assert box["linesBottom"] <= box["navTop"] and box["panelBottom"] <= box["navTop"], (k, box)
                assert box["navBottom"] <= box["height"] and not box["pageScrolls"], (k, box)
                assert not box["panelScrolls"], (k, box)
                if quiz:
                    page.keyboard.press("q")
            page.keyboard.press("ArrowRight")
    finally:
        page.close()


def test_theme_switches_between_light_and_dark(watched, j_page):
    watched.page.goto(j_page.as_uri())
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert watched.page.evaluate(background) == "rgb(255, 255, 255)"
    watched.page.keyboard.press("t")
    assert watched.page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert watched.page.evaluate(background) == "rgb(0, 0, 0)"
    assert watched.errors == []


# ---------------------------------------------------------------------------------------------
# The docs site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The docs, built once per test session (docs/build.py, strict) and served on localhost."""
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        pytest.skip("mkdocs-material is not installed (pip install -e '.[docs]')")
    spec = importlib.util.spec_from_file_location("docs_build", ROOT / "docs" / "build.py")
    docs_build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(docs_build)
    root = docs_build.build_once(tmp_path_factory.getbasetemp() / "docs-site")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


IMAGES = """() => [...document.querySelectorAll('article img')].map(i => ({src: i.getAttribute('src'),
  ok: i.complete && i.naturalWidth > 0}))"""


def test_every_docs_page_loads_with_all_its_images(browser, site):
    root, base = site
    pages = sorted(p.parent.relative_to(root).as_posix() for p in root.rglob("index.html"))
    assert len(pages) >= 30
    pictures = 0
    for path in pages:
        w = Watched(browser)
        url = base + ("" if path == "." else path + "/")
        w.page.goto(url, wait_until="load")
        images = w.page.evaluate(IMAGES)
        assert [i["src"] for i in images if not i["ok"]] == [], url
        assert w.errors == [], url
        pictures += len(images)
        w.page.close()
    assert pictures >= 30


def test_the_chain_rule_page_shows_generated_pictures_with_their_numbers(browser, site):
    root, base = site
    w = Watched(browser)
    w.page.goto(base + "examples/j-abc/")
    images = w.page.evaluate(IMAGES)
    assert len(images) == 3 and all(i["ok"] for i in images)
    forward = (root / "examples" / "j-abc" / images[0]["src"]).resolve().read_text(encoding="utf-8")
    assert ">J = 33<" in forward
    text = w.page.inner_text("article")
    assert "∂J/∂b = 3·1·c = 3·1·2 = 6" in text
    assert "torch agrees with every gradient" in text
    w.page.close()
