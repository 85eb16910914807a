"""Headless chromium for the browser tests: Debian's, driven by Playwright (never `playwright
install`). The `browser` and `watched` fixtures live in conftest.py; a test module marks itself
with `pytestmark = needs_browser` (or a test with `@browser_test`), and `needs_dot` where
dot draws the page."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

needs_browser = [
    pytest.mark.browser,
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None,
                       reason="playwright is not installed (make browser)"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"chromium is not at {CHROMIUM} (make browser)"),
]
# pages drawn with graphviz's dot (the step-through page, the docs site); the interactive page lays
# itself out in the browser and needs no dot
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")


def browser_test(fn):
    """`needs_browser` on one test."""
    for mark in needs_browser:
        fn = mark(fn)
    return fn


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


class Watched:
    """A page with its console errors, uncaught exceptions and failed requests collected."""

    def __init__(self, browser, width: int = 1280, height: int = 800):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
