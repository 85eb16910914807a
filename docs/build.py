"""Build the documentation site: `make docs` (or `python docs/build.py`).

Every picture and every printed output in the docs comes from running `python cli.py ...` here,
at build time; nothing generated is committed. The steps:

1. copy the Markdown pages from docs/ into a staging folder (docs/_build/src, mkdocs' docs_dir);
2. replace each directive line in them with the command, its output and its pictures:
       <!-- explainer: render "J = 3(a + bc)" --at a=5,b=3,c=2 -o img/j.svg -->
   runs in the page's folder; a non-zero exit fails the build. `<!-- explainer-error: ARGS -->`
   shows a user mistake instead: it must exit with code 2, and its one-sentence message is shown;
3. write the CLI reference from the typer app, the Python API page from the docstrings, the op
   table from the op registry, and the Jupyter page by executing docs/notebook.ipynb (nbclient);
4. run `mkdocs build --strict`: a warning (a broken link, a missing picture) fails the build.
"""
from __future__ import annotations

import argparse
import html
import inspect
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import i18n_pages  # noqa: E402  docs/i18n_pages.py: the Chinese pages

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
STAGING = DOCS / "_build" / "src"
CLI = [sys.executable, str(ROOT / "cli.py")]
DIRECTIVE = re.compile(r"^<!-- explainer(?P<error>-error)?: (?P<args>.+?) -->\s*$")
PICTURES = (".svg", ".png")
STAGED = (".md", ".css")  # what is copied from docs/ into the staging folder
WIDTH = "100"  # columns for rich's tables in the captured output

# One page per system of the tutorials (parts A–C), under docs/examples/ (tests check the list).
EXAMPLE_PAGES = {
    "A": ["j-abc", "sigmoid-chain", "basic-rules", "neuron-paths", "cos-square"],
    "B": ["mean-of-square", "mean-of-square-2", "vjp", "grad-fn", "mse-arange"],
    "C": ["linreg-manual", "linreg-module", "two-layer-manual", "two-layer-sequential", "two-layer-module",
          "numpy-vs-torch", "mnist-mlp", "digits-mlp", "optimizers", "sms-dataset", "cnn", "lstm", "gan"],
}


class BuildError(Exception):
    """The docs cannot be built as written: one sentence saying what and where."""


# ---------------------------------------------------------------------------------------------
# Directives: a command's output and pictures, written into the page


def find_directives(text: str) -> list[tuple[int, bool, list[str]]]:
    """(line number, whether an error is expected, the arguments) for every directive line."""
    found = []
    for number, line in enumerate(text.splitlines()):
        match = DIRECTIVE.match(line)
        if match:
            found.append((number, bool(match["error"]), shlex.split(match["args"])))
    return found


def outputs_of(args: list[str]) -> list[str]:
    """The paths a command writes, as given after -o / --output / --out."""
    paths = []
    for flag, value in zip(args, args[1:]):
        if flag in ("-o", "--output", "--out"):
            paths.append(value)
    return paths


def data_dir() -> str:
    """Where the training examples find MNIST and the SMS collection: EXPLAINER_DATA_DIR if set,
    else the shared data folder beside the repository, else ./data."""
    if os.environ.get("EXPLAINER_DATA_DIR"):
        return os.environ["EXPLAINER_DATA_DIR"]
    shared = ROOT.parent / "shared" / "data"
    return str(shared if shared.is_dir() else ROOT / "data")


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": WIDTH, "NO_COLOR": "1", "TERM": "dumb", "PYTHONIOENCODING": "utf-8",
           "EXPLAINER_DATA_DIR": data_dir()}
    return subprocess.run(CLI + args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def shell(args: list[str]) -> str:
    """The command as a reader would type it: double quotes where a word needs quoting."""
    words = []
    for word in args:
        plain = shlex.quote(word) == word
        words.append(word if plain else f'"{word}"' if not re.search(r'["$`\\!]', word) else shlex.quote(word))
    return " ".join(words)


def expand(args: list[str], expect_error: bool, page: Path) -> str:
    """Run one directive in the page's folder and return the Markdown that replaces it."""
    args = i18n_pages.localize_args(args, page)  # a .zh.md page: --lang zh, its own pictures
    proc = run_cli(args, page.parent)
    shown = "$ explainer " + shell(args)
    where = f"{page.name}: `explainer {shell(args)}`"
    if expect_error:
        if proc.returncode != 2 or not proc.stderr.startswith(i18n_pages.ERROR_PREFIXES) or "Traceback" in proc.stderr:
            raise BuildError(f"{where} should fail with one sentence and exit code 2, "
                             f"got exit code {proc.returncode}: {proc.stderr.strip()[-300:]}")
        return _console(shown, proc.stderr.rstrip())
    if proc.returncode != 0:
        raise BuildError(f"{where} failed with exit code {proc.returncode}: {proc.stderr.strip()[-600:]}")
    printed = "\n".join(line for line in proc.stdout.rstrip().splitlines() if not i18n_pages.WROTE.match(line))
    parts = [_console(shown, printed.rstrip())]
    for target in outputs_of(args):
        parts.extend(_embed(page.parent, target, page))
    return "\n\n".join(parts)


def _console(command: str, output: str) -> str:
    body = command if not output else f"{command}\n{output}"
    fence = "````" if "```" in body else "```"
    return f"{fence}console\n{body}\n{fence}"


def _embed(folder: Path, target: str, page: Path | None = None) -> list[str]:
    """Markdown for what a command wrote: pictures inline, a page as a link, a folder's pictures."""
    path = folder / target
    if path.is_dir():
        for other in sorted(path.rglob("*"), reverse=True):  # checkpoints and the like stay out of the site
            if other.is_dir() and not any(other.iterdir()):
                other.rmdir()
            elif other.is_file() and other.suffix not in PICTURES:
                other.unlink()
        files = sorted(p for p in path.rglob("*") if p.suffix in PICTURES)
        if not files:
            raise BuildError(f"{target} holds no pictures after the command ran")
        return [_picture(folder, p) for p in files]
    if not path.exists():
        raise BuildError(f"the command did not write {target}")
    if path.suffix in PICTURES:
        return [_picture(folder, path)]
    if path.suffix == ".html":  # a page it wrote: linked; an interactive graph also embedded
        rel = path.relative_to(folder).as_posix()
        link = f"[Open the page it wrote: {path.name}]({rel})"
        if "-interactive" not in path.stem:
            return [link]
        return [f'<iframe class="explainer-page" src="{_from_served_page(page, path)}" '
                f'title="{path.stem}" loading="lazy"></iframe>', link]
    return []


def _from_served_page(page: Path, path: Path) -> str:
    """`path`'s address relative to where mkdocs serves `page`: raw HTML is not rewritten as
    Markdown links are. folder/name.md is served at folder/name/ (Chinese pages at zh/folder/name/),
    while the files a command wrote stay at folder/… in the site."""
    root = next(p for p in page.parents if (p / "index.md").exists() and p.name in ("src", "docs"))
    page_rel = page.relative_to(root)
    name = page_rel.name.split(".")[0]
    depth = len(page_rel.parts) - 1 + (name != "index") + (".zh." in page_rel.name)
    return "../" * depth + path.relative_to(root).as_posix()


def _picture(folder: Path, path: Path) -> str:
    rel = path.relative_to(folder).as_posix()
    return f"![{path.stem.replace('-', ' ').replace('_', ' ')}]({rel})"


def expand_pages(pages: list[Path], workers: int) -> int:
    """Run every directive of every page (in parallel; each writes only its own files)."""
    jobs = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for number, expect_error, args in find_directives(text):
            jobs.append((page, number, expect_error, args))
    def timed(job):
        start = time.perf_counter()
        markdown = expand(job[3], job[2], job[0])
        return markdown, time.perf_counter() - start

    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = list(pool.map(timed, jobs))
    results = [markdown for markdown, _ in runs]
    slowest = sorted(zip((seconds for _, seconds in runs), jobs), key=lambda pair: -pair[0])[:5]
    for seconds, job in slowest:
        print(f"{seconds:6.1f} s  explainer {shell(job[3])}")
    replaced: dict[Path, dict[int, str]] = {}
    for (page, number, _, _), markdown in zip(jobs, results):
        replaced.setdefault(page, {})[number] = markdown
    for page, lines in replaced.items():
        text = page.read_text(encoding="utf-8").splitlines()
        page.write_text("\n".join(lines.get(i, line) for i, line in enumerate(text)) + "\n", encoding="utf-8")
    return len(jobs)


# ---------------------------------------------------------------------------------------------
# Generated pages: the CLI reference, the Python API, the notebook


def cli_reference() -> str:
    """Markdown for every command of the typer app: usage, description, arguments and options."""
    import typer

    sys.path.insert(0, str(ROOT))
    import cli

    # typer ships its own copy of click, so contexts come from the commands themselves
    from explainer.commands.language import localize

    group = localize(typer.main.get_command(cli.app))  # --lang on every command; help in the language in force
    lines = ["# Command line reference", "",
             "Generated from the typer app in `cli.py` when the docs are built. "
             "Every command also answers `--help`.", ""]
    with group.make_context("explainer", [], resilient_parsing=True) as ctx:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            sub = command.make_context(name, [], parent=ctx, resilient_parsing=True)
            lines += [f"## {name}", "", "```text", "explainer " + name + " " + " ".join(command.collect_usage_pieces(sub)),
                      "```", ""]
            lines += [_help_markdown(command.help or ""), ""]
            rows = [_param_row(p, sub) for p in command.get_params(sub) if p.name != "help"]
            if rows:
                lines += ["| argument or option | meaning | default |", "|---|---|---|", *rows, ""]
    return "\n".join(lines)


def _help_markdown(text: str) -> str:
    """A command's docstring: paragraphs as text, `Example:` lines as a console block."""
    out = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        if paragraph.lstrip().startswith(("Example:", "Examples:", "Networks:")):
            label, _, rest = paragraph.strip().partition(":")
            commands = [line.strip() for line in rest.strip().splitlines() if line.strip()]
            out.append(f"**{label}:**\n\n```console\n" + "\n".join(f"$ {c}" for c in commands) + "\n```")
        else:
            out.append(_escape(" ".join(paragraph.split())))
    return "\n\n".join(out)


def _param_row(param, ctx) -> str:
    if param.param_type_name == "argument":
        names = f"`{param.name.upper()}`"
        meaning = getattr(param, "help", None) or ""
    else:
        names = ", ".join(f"`{o}`" for o in param.opts + param.secondary_opts)
        meaning = param.help or ""
    default = param.get_default(ctx) if not param.required else None
    shown = "required" if param.required else ("" if default in (None, "", False) else f"`{default}`")
    return f"| {names} | {_escape(meaning)} | {shown} |"


def _escape(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|")


API = [  # (module, names) shown on the Python API page, in this order
    ("explainer", ["trace", "from_torch", "Traced", "Graph", "Scalar", "ExplainerError", "ExplainerMathError"]),
    ("explainer.values", ["parse_values"]),
    ("explainer.render", ["render", "svg", "to_dot", "require_dot"]),
    ("explainer.explain", ["explain"]),
    ("explainer.check", ["check"]),
    ("explainer.render.animate", ["page", "write_page", "frames"]),
    ("explainer.notebook", ["view", "stepper"]),
]


def api_reference() -> str:
    """Markdown for the public Python API: one mkdocstrings directive per name, so the site renders
    each signature and docstring as documentation (headings, parameters), not monospace blocks."""
    lines = ["# Python API", "", "Generated from the docstrings (mkdocstrings) when the docs are built.", "",
             "```python", "from explainer import trace", 't = trace("J = 3(a + bc)", a=5, b=3, c=2)', "```", ""]
    for module_name, names in API:
        lines += [f"## `{module_name}`", ""]
        for name in names:
            lines += [f"::: {module_name}.{name}", "    options:", "      heading_level: 3", ""]
    return "\n".join(lines)


def op_table() -> str:
    """The Ops page: one row per op of the registry (explainer/ops/table.py)."""
    sys.path.insert(0, str(ROOT))
    from explainer.ops.table import markdown

    return markdown()


def notebook_page(source: Path, folder: Path) -> str:
    """Execute the notebook headlessly and write it out as a page: code, printed text, pictures."""
    try:
        import nbclient
        import nbformat
    except ImportError:
        raise BuildError("the Jupyter page needs nbclient and ipykernel: pip install -e '.[docs]'") from None
    notebook = nbformat.read(source, as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    nbformat.write(notebook, folder / source.name)
    (folder / "img").mkdir(exist_ok=True)
    parts, pictures = [], 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
            continue
        parts.append(f"```python\n{cell.source}\n```")
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/svg+xml" in data:
                pictures += 1
                name = f"img/notebook-{pictures}.svg"
                (folder / name).write_text(data["image/svg+xml"], encoding="utf-8")
                parts.append(f"![notebook output {pictures}]({name})")
            elif "text/html" in data:
                parts.append(f'<div class="notebook-html">\n{data["text/html"]}\n</div>')
            elif "text/plain" in data:
                parts.append(f"```text\n{data['text/plain']}\n```")
            elif output.get("output_type") == "stream":
                parts.append(f"```text\n{output['text'].rstrip()}\n```")
    parts.append(f"[Download the notebook]({source.name}) and run it with `jupyter lab` "
                 "(`pip install -e '.[docs]'` brings the kernel).")
    return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------------------------------------


def stage() -> list[Path]:
    """A fresh staging folder holding a copy of every page and style sheet; returns the pages."""
    if STAGING.exists():
        shutil.rmtree(STAGING)
    pages = []
    for source in sorted(p for suffix in STAGED for p in DOCS.rglob(f"*{suffix}")):
        if DOCS / "_build" in source.parents:
            continue
        target = STAGING / source.relative_to(DOCS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        if source.suffix == ".md":
            pages.append(target)
    return pages


def build(site_dir: Path | None = None, workers: int = 2) -> Path:
    start = time.perf_counter()
    pages = stage()
    i18n_pages.add_tutorial_notes(pages)
    count = expand_pages(pages, workers)
    (STAGING / "cli.md").write_text(cli_reference(), encoding="utf-8")
    (STAGING / "api.md").write_text(api_reference(), encoding="utf-8")
    (STAGING / "ops.md").write_text(op_table(), encoding="utf-8")
    (STAGING / "notebook.md").write_text(notebook_page(DOCS / "notebook.ipynb", STAGING), encoding="utf-8")
    i18n_pages.write_generated_zh(STAGING, cli_reference)
    i18n_pages.write_glossary(STAGING)
    site_dir = (site_dir or ROOT / "site").resolve()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--clean",
                           "-f", str(ROOT / "mkdocs.yml"), "-d", str(site_dir)],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"})
    warnings = [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("WARNING")]
    if proc.returncode != 0 or warnings:
        raise BuildError("mkdocs build --strict failed:\n" + (proc.stdout + proc.stderr).strip()[-3000:])
    i18n_pages.share_sitemap(site_dir)
    print(f"built {site_dir} from {len(pages)} pages and {count} commands in "
          f"{time.perf_counter() - start:.0f} s")
    return site_dir


def build_once(site_dir: Path, workers: int = 2) -> Path:
    """Build into `site_dir` unless a finished build is already there (tests share one build)."""
    done = site_dir / ".built"
    if not done.exists():
        build(site_dir, workers)
        done.write_text("built by docs/build.py\n", encoding="utf-8")
    return site_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site-dir", type=Path, default=None, help="where the site goes (default: site/)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="commands run at once (default: one per CPU)")
    options = parser.parse_args(argv)
    try:
        build(options.site_dir, options.workers)
    except BuildError as error:
        sys.stderr.write(f"docs build failed: {error}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
