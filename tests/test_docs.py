"""The documentation: its pages cover EXAMPLES.md, its directives name real commands, its
references come from the app. The full strict build is marked `browser` (make test-browser)."""
from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
import typer

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES_MD = ROOT.parent / "shared" / "EXAMPLES.md"
GENERATED = {"cli.md", "api.md", "notebook.md", "ops.md", "glossary.md"}  # written by docs/build.py


def load_build():
    spec = importlib.util.spec_from_file_location("docs_build", DOCS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = load_build()


def source_pages() -> list[str]:
    return sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")
                  if "_build" not in p.parts and not p.name.endswith(".zh.md"))  # translations: test_i18n


def nav_pages() -> list[str]:
    """Every page named in mkdocs.yml's nav (read as text: the `- Title: path.md` lines)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text.split("\nnav:\n", 1)[1]
    return re.findall(r":\s*([\w./-]+\.md)\s*$", nav, re.M)


def test_every_system_of_examples_sections_a_to_c_has_a_page_in_the_nav():
    ids = [i for section in build.EXAMPLE_PAGES.values() for i in section]
    assert len(ids) == len(set(ids)) == 23
    nav = nav_pages()
    for example in ids:
        assert (DOCS / "examples" / f"{example}.md").is_file(), example
        assert f"examples/{example}.md" in nav, example


@pytest.mark.skipif(not EXAMPLES_MD.is_file(), reason=f"{EXAMPLES_MD} is not there to compare with")
def test_the_page_list_matches_examples_md():
    text = EXAMPLES_MD.read_text(encoding="utf-8")
    for section, ids in build.EXAMPLE_PAGES.items():
        body = re.split(r"^## ", text, flags=re.M)
        block = next(b for b in body if b.startswith(f"{section}. "))
        found = re.findall(r"^\| `([\w-]+)`(?:, `([\w-]+)`)? \|", block, re.M)
        listed = [name for pair in found for name in pair if name]
        assert listed == ids, section


def test_nav_and_pages_agree():
    nav = nav_pages()
    assert len(nav) == len(set(nav))
    assert sorted(set(nav) - GENERATED) == source_pages()
    assert GENERATED <= set(nav)


def test_directives_are_found_with_their_arguments():
    text = ('intro\n<!-- explainer: render "J = 3(a + bc)" --at a=5,b=3,c=2 -o img/j.svg -->\n'
            '<!-- explainer-error: check "J = (" -->\nnot <!-- explainer: a directive --> mid-line\n')
    assert build.find_directives(text) == [
        (1, False, ["render", "J = 3(a + bc)", "--at", "a=5,b=3,c=2", "-o", "img/j.svg"]),
        (2, True, ["check", "J = ("]),
    ]
    assert build.outputs_of(["train", "linreg-manual", "--out", "img/lin", "--steps", "3"]) == ["img/lin"]
    assert build.outputs_of(["render", "x", "-o", "a.svg"]) == ["a.svg"]


def test_every_directive_in_the_docs_names_a_command_and_options_the_app_has():
    import cli

    group = typer.main.get_command(cli.app)
    commands = {name: group.get_command(None, name) for name in group.list_commands(None)}
    count = 0
    for page in DOCS.rglob("*.md"):
        for number, _, args in build.find_directives(page.read_text(encoding="utf-8")):
            where = f"{page.relative_to(DOCS)}:{number + 1}"
            assert args[0] in commands, f"{where}: no command {args[0]!r} in cli.py"
            known = {o for p in commands[args[0]].params for o in p.opts + p.secondary_opts}
            for word in args[1:]:
                if word.startswith("-") and not re.match(r"-\d", word):
                    assert word in known, f"{where}: {args[0]} has no option {word}"
            count += 1
    assert count >= 60


def test_the_cli_reference_lists_every_command_with_its_options():
    import cli

    text = build.cli_reference()
    group = typer.main.get_command(cli.app)
    for name in group.list_commands(None):
        assert f"\n## {name}\n" in text
    render = text.split("\n## render\n", 1)[1].split("\n## ", 1)[0]
    assert "| `--at` |" in render and "| `-o`, `--output` |" in render or "| `--output`, `-o` |" in render
    assert '$ explainer render "J = 3(a + bc)" --at a=5,b=3,c=2' in render


def test_the_api_page_shows_signatures_and_docstrings():
    text = build.api_reference()
    assert "::: explainer.trace\n    options:\n      heading_level: 3" in text
    assert "::: explainer.Traced" in text and "::: explainer.notebook.stepper" in text
    assert "```text" not in text           # docstrings are rendered by mkdocstrings, not pasted as text
    assert "::: explainer.from_torch" in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")
def test_a_directive_becomes_the_command_its_output_and_its_picture(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("x\n", encoding="utf-8")
    markdown = build.expand(["render", "J = 3(a + bc)", "--at", "a=5,b=3,c=2", "-o", "img/j.svg"], False, page)
    assert markdown == ('```console\n$ explainer render "J = 3(a + bc)" --at a=5,b=3,c=2 -o img/j.svg\n```'
                        '\n\n![j](img/j.svg)')
    assert ">J = 33<" in (tmp_path / "img" / "j.svg").read_text(encoding="utf-8")
    error = build.expand(["explain", "J = 3(a + bc)", "--at", "a=5,b=3", "--wrt", "a"], True, page)
    assert error.startswith("```console\n$ explainer explain") and "\nerror: no value for 'c'" in error
    with pytest.raises(build.BuildError, match="failed with exit code 2"):
        build.expand(["explain", "J = 3(a + bc)", "--at", "a=5,b=3", "--wrt", "a"], False, page)


@pytest.mark.browser
@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None,
                    reason="mkdocs-material is not installed (pip install -e '.[docs]')")
def test_make_docs_builds_strictly_with_generated_pictures_and_every_example_page(tmp_path_factory):
    site = build.build_once(tmp_path_factory.getbasetemp() / "docs-site")
    for ids in build.EXAMPLE_PAGES.values():
        for example in ids:
            assert (site / "examples" / example / "index.html").is_file(), example
    pictures = {p.relative_to(site).as_posix(): p for p in site.rglob("*.svg") if "assets" not in p.parts}
    assert len(pictures) >= 30
    assert ">J = 33<" in pictures["img/j-both.svg"].read_text(encoding="utf-8")
    assert ">∂J/∂b = 6<" in pictures["img/notebook-2.svg"].read_text(encoding="utf-8")
    for plot in ("examples/img/linreg-manual/linreg-manual-fit.svg", "examples/img/optimizers/optimizers.svg"):
        assert plot in pictures
    page = (site / "examples" / "j-abc" / "index.html").read_text(encoding="utf-8")
    assert 'src="../img/j-forward.svg"' in page
    assert "∂J/∂b = 3·1·c = 3·1·2 = 6" in page
    cli_page = (site / "cli" / "index.html").read_text(encoding="utf-8")
    assert 'id="animate"' in cli_page and 'id="train"' in cli_page
    assert not list(site.rglob("*.pt")) and not list(site.rglob("*.npz"))  # checkpoints stay out
    steps = (site / "steps" / "j.html").read_text(encoding="utf-8")
    assert "∂J/∂c = 9" in steps
