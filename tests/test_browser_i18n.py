"""Chinese in headless chromium (issue 14): the step-through page with --lang zh, its labels drawn
with real CJK glyphs (not tofu boxes), screenshotted; and the docs site's Chinese pages.

Run with `make test-browser`. Without playwright, chromium or graphviz these tests skip.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from browsers import needs_browser, needs_dot
from test_browser import ROOT, STATE

pytestmark = [*needs_browser, needs_dot]

# Draw each character on a canvas in the font the page uses for it, and a character no font has
# (U+E000, private use): a character that looks exactly like that one is a tofu box. Distinct
# characters drawn as distinct pictures are real glyphs.
GLYPHS = """([selector, sample]) => {
  const el = document.querySelector(selector);
  const style = getComputedStyle(el);
  const font = `${style.fontWeight} 32px ${style.fontFamily}`;
  const canvas = document.createElement('canvas'); canvas.width = 48; canvas.height = 48;
  const ctx = canvas.getContext('2d');
  const picture = ch => { ctx.clearRect(0, 0, 48, 48); ctx.font = font; ctx.fillStyle = '#000';
    ctx.textBaseline = 'top'; ctx.fillText(ch, 4, 4);
    return Array.from(ctx.getImageData(0, 0, 48, 48).data).join(','); };
  const tofu = picture('\\ue000');
  const chars = [...new Set([...sample].filter(ch => /[\\u4e00-\\u9fff]/.test(ch)))];
  const pictures = chars.map(picture);
  return {family: style.fontFamily, chars, tofu: pictures.filter(p => p === tofu).length,
          blank: pictures.filter(p => !/[1-9]/.test(p)).length, distinct: new Set(pictures).size};
}"""


@pytest.fixture(scope="module")
def zh_page(tmp_path_factory):
    """`explainer animate "J = 3(a + bc)" --at a=5,b=3,c=2 --lang zh -o j.html`, as a user runs it."""
    folder = tmp_path_factory.mktemp("animate-zh")
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "animate", "J = 3(a + bc)", "--at", "a=5,b=3,c=2",
                           "--lang", "zh", "-o", "j.html"], cwd=folder, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return folder / "j.html"


def test_chinese_step_through_page_draws_real_glyphs(watched, zh_page, tmp_path):
    page = watched.page
    page.goto(zh_page.as_uri())
    state = page.evaluate(STATE)
    assert watched.errors == []
    assert state["progress"] == "第 1 步，共 15 步 · 本页内容"
    assert state["lines"][0] == "前向传播：7 步，每个节点一步——3 个运算各自由它的输入算出。"
    # the picture's labels (graphviz, --lang zh) and the panel's text, glyph by glyph
    labels = page.evaluate("() => [...document.querySelectorAll('#graph svg text')].map(t => t.textContent)")
    assert labels.count("输入") == 3
    for selector, sample in [("#graph svg g.node text:nth-of-type(2)", "输入"),
                             ("#frame-title", page.inner_text("#frame-title") + "前向传播反向传播链式法则局部梯度"),
                             ("#next", page.inner_text("#next"))]:
        result = page.evaluate(GLYPHS, [selector, sample])
        assert result["chars"], selector
        assert result["tofu"] == 0 and result["blank"] == 0, (selector, result)
        assert result["distinct"] == len(result["chars"]), (selector, result)
        assert "CJK" in result["family"], result["family"]
    # the labels fit in their boxes: graphviz measured the Chinese text it laid out
    fits = page.evaluate("""() => [...document.querySelectorAll('#graph svg g.node')]
        .filter(g => g.querySelector('ellipse, polygon, path')).map(g => {
        const shape = g.querySelector('ellipse, polygon, path').getBBox();
        return [...g.querySelectorAll('text:not(.grad-badge)')].every(t => t.getBBox().width <= shape.width + 1); })""")
    assert len(fits) == 6 and all(fits)
    # step to the backward pass and keep a screenshot of the Chinese page
    for _ in range(12):
        page.keyboard.press("ArrowRight")
    state = page.evaluate(STATE)
    assert state["phase"] == "backward" and state["progress"] == "第 13 步，共 15 步 · 反向传播"
    assert state["lines"][0] == "局部梯度  ∂bc/∂b = c = 2"
    assert state["lines"][1] == "链式法则  ∂J/∂b = ∂J/∂bc · ∂bc/∂b = 3·2 = 6"
    shot = tmp_path / "step-through-zh.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert watched.errors == []


def test_chinese_quiz_hides_and_reveals_in_chinese(watched, tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "animate", "c = -x; b = e^c; a = 1 + b; f = a^(-1)",
                           "--at", "x=0", "--quiz", "--lang", "zh", "-o", "q.html"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    page = watched.page
    page.goto((tmp_path / "q.html").as_uri())
    page.keyboard.press("End")
    page.keyboard.press("Home")
    for _ in range(12):
        page.keyboard.press("ArrowRight")
    state = page.evaluate(STATE)
    assert state["phase"] == "backward"
    assert any(line.startswith("链式法则") and line.endswith("= ?") for line in state["lines"]), state["lines"]
    page.click("#reveal")
    state = page.evaluate(STATE)
    assert not any(line.endswith("= ?") for line in state["lines"])
    assert page.inner_text("#reveal") == "揭晓"
    assert watched.errors == []


# ---------------------------------------------------------------------------------------------
# The docs site: every page in Chinese beside English (one build shared with tests/test_docs.py)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_build", ROOT / "docs" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build.build_once(tmp_path_factory.getbasetemp() / "docs-site")


def test_docs_site_has_every_page_in_chinese_with_chinese_pictures(site):
    english = sorted(p.relative_to(site) for p in site.rglob("index.html")
                     if p.relative_to(site).parts[:1] not in (("zh",), ("assets",)))
    assert len(english) >= 30
    for page in english:
        chinese = site / "zh" / page
        assert chinese.is_file(), f"no Chinese page for {page}"
        text = chinese.read_text(encoding="utf-8")
        assert '<html lang="zh"' in text and 'hreflang="en"' in text, page   # the language switch
    j = (site / "zh" / "examples" / "j-abc" / "index.html").read_text(encoding="utf-8")
    assert "计算图上的链式法则" in j and "出自教程" in j and "3.1 计算图和反向传播" in j
    import re

    assert "--lang zh" in re.sub(r"<[^>]+>", "", j)          # the command shown, as highlighted
    assert 'src="../../../examples/img/j-forward-zh.svg"' in j
    assert "∂J/∂b = 3·1·c = 3·1·2 = 6" in j                  # formulas as in English
    picture = (site / "examples" / "img" / "j-forward-zh.svg").read_text(encoding="utf-8")
    assert ">输入<" in picture and "Noto Sans CJK SC" in picture
    glossary = (site / "zh" / "glossary" / "index.html").read_text(encoding="utf-8")
    assert "局部梯度" in glossary and "连线上的梯度" in glossary
    steps = (site / "steps" / "j-zh.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in steps and "下一步" in steps


def test_docs_site_chinese_page_draws_real_glyphs(watched, site):
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        watched.page.goto(f"http://127.0.0.1:{server.server_port}/zh/examples/j-abc/")
        result = watched.page.evaluate(GLYPHS, ["h1", watched.page.inner_text("h1")])
        assert result["chars"] and result["tofu"] == 0 and result["blank"] == 0
        assert result["distinct"] == len(result["chars"])
        switch = watched.page.evaluate("() => [...document.querySelectorAll('a[hreflang]')].map(a => a.hreflang)")
        assert "en" in switch and "zh" in switch
        assert watched.errors == []
        # the switch leads to the same page in English (leaving aborts the page's own late requests)
        with watched.page.expect_navigation():
            watched.page.evaluate("() => document.querySelector('a[hreflang=en]').click()")
        watched.page.wait_for_load_state()
        assert watched.page.url.endswith(f":{server.server_port}/examples/j-abc/")
        assert "the chain rule on a computation graph" in watched.page.inner_text("h1")
    finally:
        server.shutdown()
