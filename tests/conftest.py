"""Shared test helpers: run the real CLI as a user would."""
from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The slow fuzz suites draw from this seed: fresh for each run unless given (CI fixes one per run),
# printed in the header so that `EXPLAINER_FUZZ_SEED=N make test-slow` replays a failure.
# The suite checks English text; tests of Chinese (tests/test_i18n.py) ask for it explicitly.
os.environ["EXPLAINER_LANG"] = "en"
os.environ.setdefault("EXPLAINER_FUZZ_SEED", str(random.SystemRandom().randrange(2**32)))


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"fuzz seed: EXPLAINER_FUZZ_SEED={os.environ['EXPLAINER_FUZZ_SEED']} "
                                "(the slow suites' randomness; set it to replay a run)")


class Run:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr


@pytest.fixture
def cli(tmp_path):
    """`cli("render", "J = 3(a+bc)", ...)` runs `python cli.py …` in tmp_path and returns code/out/err."""

    def run(*args: str, timeout: float = 120) -> Run:
        proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=timeout)
        return Run(proc)

    return run


@pytest.fixture(scope="module")
def app():
    """The `train` commands as a typer app, for typer's CliRunner (no subprocess)."""
    import typer

    from explainer.commands import train as train_commands

    app = typer.Typer(pretty_exceptions_enable=False)
    train_commands.register(app)
    return app


@pytest.fixture(scope="module")
def browser():
    """Headless chromium for a module's browser tests (tests/browsers.py: marks, Watched)."""
    from playwright.sync_api import sync_playwright

    from browsers import launch

    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


@pytest.fixture
def watched(browser):
    from browsers import Watched

    w = Watched(browser)
    yield w
    w.page.close()
