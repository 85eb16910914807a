"""No sentence reaches a user unmarked (issue 14).

tests/test_i18n.py checks that every string Babel extracts has a Chinese translation; it cannot see a
sentence that was never wrapped in `_()`. This test reads the source (the AST of every module under
explainer/ and cli.py) and fails, naming file:line, when English text reaches what a person reads —
an ExplainerError (and its subclasses), a run's note or extra results, a warning, text echoed or
printed or put in a table, the text of a plot (titles, axes, legends, text parameters' defaults) —
without `_()`, `gettext()` or `ngettext()` around it. Both branches of `a if c else b`, both sides of
`+` and `%`, the arguments of `.format()` and a variable assigned from a literal are followed. Text
that is only a formula, a number, a name or an option stays as it is.

Not read: the errors that are also a built-in exception (TensorError is a RuntimeError, …): they copy
torch's own English texts, which user code catches and compares (see error_classes).
"""
from __future__ import annotations

import ast
import builtins
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_i18n import run as cli_run

ROOT = Path(__file__).resolve().parents[1]

# Deliberately English: (file, a piece of the text) -> why.
ALLOWED = {
    ("explainer/i18n.py", "unknown language"):
        "the user asked for a language we cannot give, so the sentence cannot be in it",
    ("explainer/check.py", "grad can be implicitly created only for scalar outputs"):
        "torch's own words for backward() on a vector (NON_SCALAR; tests/test_check_format.py pins them)",
    ("explainer/nn.py", "Error(s) in loading state_dict for"):
        "torch's own RuntimeError text for load_state_dict, word for word, as tutorial code expects it",
}

MARKERS = {"_", "gettext", "ngettext", "N_"}
# matplotlib and graph text: keywords and methods whose strings are drawn in a picture
TEXT_KEYWORDS = {"title", "xlabel", "ylabel", "label", "notes"}
TEXT_METHODS = {"set_title", "suptitle", "set_xlabel", "set_ylabel", "text", "figtext", "annotate"}
# text shown on the terminal: echoed, printed, in a rich table, or click's own one-line errors
ECHO = {"echo", "secho", "print", "add_column", "add_row", "BadParameter", "UsageError", "SystemExit", "Exit"}
TEXT_PARAMETERS = {"title", "label", "xlabel", "ylabel"}  # defaults of a function's text parameters


def english(text: str) -> bool:
    """True when `text` has an English word in it, once placeholders, markup ([dim]), file names,
    option names, code (MSELoss, nll_loss, sin(t), (sum)) and the words of a formula (y − out) are set
    aside: a title that is only a formula or a class name stays as it is in every language."""
    code = (r"\{[^{}]*\}", r"\[/?[a-z ]*\]", r"[\w/-]+\.\w+", r"--?[\w-]+", r"\([^()\s]*\)", r"\w+\(",
            r"\b[A-Za-z]*[a-z][A-Z]\w*", r"\b[A-Z]{2,}\w*", r"\b\w+_\w+",
            r"[−+=·×*/^]\s*[A-Za-z]+", r"[A-Za-z]+\s*[−+=·×*/^]")
    for pattern in code:
        text = re.sub(pattern, " ", text)
    return re.search(r"(?<![\w'])[A-Za-z]{3,}(?![\w'])", text) is not None


def name_of(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


@dataclass
class Finding:
    path: str
    line: int
    sink: str
    text: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.sink}: {self.text}"


def error_classes(trees: dict[str, ast.Module]) -> set[str]:
    """ExplainerError and every class that inherits from it, in any module scanned — except those that
    are also a built-in exception (TensorError is a RuntimeError, TensorIndexError an IndexError, …):
    they imitate torch's own errors, whose English text user code catches and compares, as torch
    prints it in every language."""
    names, builtin, grew = {"ExplainerError"}, set(), True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names | builtin:
                    bases = {name_of(base) for base in node.bases}
                    if bases & (names | builtin):
                        imitates = any(isinstance(getattr(builtins, b, None), type) and b != "Exception"
                                       and issubclass(getattr(builtins, b), BaseException) for b in bases)
                        (builtin if imitates or bases & builtin else names).add(node.name)
                        grew = True
    return names


def assignments(body) -> dict[str, list[ast.expr]]:
    """name -> the values assigned to it in this function (or module body), nested functions aside."""
    found: dict[str, list[ast.expr]] = {}
    todo = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    found.setdefault(target.value.id + "[]", []).append(target.slice)  # curves["label"] = …
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name) and node.value:
            found.setdefault(node.target.id, []).append(node.value)
        todo.extend(ast.iter_child_nodes(node))
    return found


def text_parameters(trees: dict[str, ast.Module]) -> dict[str, set[int]]:
    """function name -> the positions of its text parameters (title, label, …), `self` not counted:
    a title passed by position reaches the picture as surely as title=…"""
    found: dict[str, set[int]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [a.arg for a in node.args.posonlyargs + node.args.args]
                if names[:1] in (["self"], ["cls"]):
                    names = names[1:]
                for position, name in enumerate(names):
                    if name in TEXT_PARAMETERS:
                        found.setdefault(node.name, set()).add(position)
    return found


class Scanner(ast.NodeVisitor):
    def __init__(self, path: str, errors: set[str], positions: dict[str, set[int]] | None = None):
        self.path, self.errors, self.positions = path, errors, positions or {}
        self.scopes: list[dict[str, list[ast.expr]]] = []
        self.found: list[Finding] = []

    # ------------------------------------------------------------------ where text is shown
    def visit_Module(self, node):
        self.scopes.append(assignments(node.body))
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        args = node.args.posonlyargs + node.args.args
        for arg, default in zip(args[len(args) - len(node.args.defaults):], node.args.defaults):
            if arg.arg in TEXT_PARAMETERS:
                self.check(default, f"default of {node.name}({arg.arg}=)")
        for arg, default in zip(node.args.kwonlyargs, node.args.kw_defaults):
            if default is not None and arg.arg in TEXT_PARAMETERS:
                self.check(default, f"default of {node.name}({arg.arg}=)")
        self.scopes.append(assignments(node.body))
        self.generic_visit(node)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        name, func = name_of(node.func), node.func
        sink = None
        if name in self.errors:
            sink = name
        elif name == "note" and isinstance(func, ast.Attribute):
            sink = ".note"
        elif name == "warn" and (isinstance(func, ast.Name) or name_of(func.value) == "warnings"):
            sink = "warnings.warn"
        elif name in ECHO:
            sink = name
        elif name == "write" and isinstance(func, ast.Attribute) and name_of(func.value) in ("stderr", "stdout"):
            sink = "write"
        elif name in TEXT_METHODS and isinstance(func, ast.Attribute):
            sink = name
        elif name == "append" and isinstance(func, ast.Attribute) and name_of(func.value) == "notes":
            sink = "notes.append"
        if sink:
            for arg in node.args:
                self.check(arg, sink)
        for position in self.positions.get(name, ()):
            if position < len(node.args) and not isinstance(node.args[position], ast.Starred):
                self.check(node.args[position], f"{name}(… text argument {position + 1})")
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS or (sink and keyword.arg in (None, "message", "msg")):
                self.check(keyword.value, f"{name}({keyword.arg}=)")
            elif keyword.arg == "curves":   # {legend label: values}
                self.check_keys(keyword.value, f"{name}(curves=) legend")
            elif keyword.arg == "extra":    # a run's extra results: the summary table shows their values
                self.check_values(keyword.value, f"{name}(extra=)")
        if name == "update" and isinstance(func, ast.Attribute) and name_of(func.value) == "extra":
            for arg in node.args:
                self.check_values(arg, "extra.update")
        if name in MARKERS and node.args and isinstance(node.args[0], (ast.JoinedStr, ast.BinOp)):
            self.found.append(Finding(self.path, node.lineno, f"{name}()",
                                      "an f-string or concatenation inside _(): Babel cannot extract it; "
                                      "write _('… {name} …').format(name=…)"))
        self.generic_visit(node)

    # ------------------------------------------------------------------ is this text marked?
    def check(self, node: ast.expr, sink: str, inner: bool = False):
        for bad in self.unmarked(node, set(), inner):
            text = ast.get_source_segment(self.source, bad) or ast.dump(bad)
            self.found.append(Finding(self.path, bad.lineno, sink, text.replace("\n", " ")))

    def visit_Assign(self, node):
        for target in node.targets:   # extra["bug"] = "…": a sentence the summary table shows
            if isinstance(target, ast.Subscript) and name_of(target.value) == "extra":
                self.check_values(node.value, "extra[…] =")
        self.generic_visit(node)

    def check_values(self, node: ast.expr, sink: str):
        """A value of a run's `extra` (nested dicts too): a sentence in it must be marked; a single word
        is a name (a data set, a label) and stays."""
        todo = [node]
        while todo:
            node = todo.pop()
            if isinstance(node, ast.Dict):
                todo.extend(node.values)
            elif isinstance(node, ast.Name):
                for scope in reversed(self.scopes):
                    if node.id in scope:
                        todo.extend(v for v in scope[node.id] if isinstance(v, ast.Dict))
                        break
            else:
                self.check(node, sink, inner=True)

    def check_keys(self, node: ast.expr, sink: str):
        """The keys of a dict of named curves (the legend), written in place or built in a variable."""
        keys = []
        if isinstance(node, ast.Dict):
            keys = [k for k in node.keys if k is not None]
        elif isinstance(node, ast.Name):
            for scope in reversed(self.scopes):
                if node.id in scope or node.id + "[]" in scope:
                    keys = [k for v in scope.get(node.id, []) if isinstance(v, ast.Dict) for k in v.keys if k is not None]
                    keys += scope.get(node.id + "[]", [])
                    break
        for key in keys:
            self.check(key, sink)

    def unmarked(self, node, seen: set[str], inner: bool = False):
        """The literal pieces of `node` with English words that reach the user untranslated. `inner`:
        a value put into a sentence (a .format() or .join() argument, a variable's value), where a
        single word is a name, a key or a file ("train", "forward"), not a sentence."""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str) and english(node.value) and not (inner and len(node.value.split()) < 2):
                yield node
        elif isinstance(node, ast.JoinedStr):
            words = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if english(words):
                yield node
            else:
                for value in node.values:
                    if isinstance(value, ast.FormattedValue):
                        yield from self.unmarked(value.value, seen, True)
        elif isinstance(node, ast.IfExp):
            yield from self.unmarked(node.body, seen, inner)
            yield from self.unmarked(node.orelse, seen, inner)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            yield from self.unmarked(node.left, seen, inner)
            yield from self.unmarked(node.right, seen, inner)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                yield from self.unmarked(value, seen, inner)
        elif isinstance(node, (ast.List, ast.Tuple)):
            for element in node.elts:
                yield from self.unmarked(element, seen, inner)
        elif isinstance(node, (ast.GeneratorExp, ast.ListComp)):
            yield from self.unmarked(node.elt, seen, True)
        elif isinstance(node, ast.Call):
            name = name_of(node.func)
            if name in MARKERS:
                return  # marked (an f-string inside _() is reported by visit_Call)
            if name in ("format", "join") and isinstance(node.func, ast.Attribute):
                if name == "format":
                    yield from self.unmarked(node.func.value, seen, inner)
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    yield from self.unmarked(arg, seen, True)
        elif isinstance(node, ast.Name) and node.id not in seen:
            # a message built earlier in the function (or the module): follow what was assigned to it,
            # when that is text (a tuple of choices or a dict is data, not a sentence)
            for scope in reversed(self.scopes):
                if node.id in scope:
                    for value in scope[node.id]:
                        if isinstance(value, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.IfExp, ast.BoolOp, ast.Call)):
                            yield from self.unmarked(value, seen | {node.id}, True)
                    break


def scan_source(source: str, path: str, errors: set[str] | None = None,
                positions: dict[str, set[int]] | None = None) -> list[Finding]:
    tree = ast.parse(source)
    scanner = Scanner(path, errors or error_classes({path: tree}),
                      positions if positions is not None else text_parameters({path: tree}))
    scanner.source = source
    scanner.visit(tree)
    return scanner.found


def modules() -> dict[str, str]:
    paths = [ROOT / "cli.py", *sorted((ROOT / "explainer").rglob("*.py"))]
    return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in paths}


@functools.lru_cache(maxsize=1)
def findings() -> list[Finding]:
    sources = modules()
    trees = {path: ast.parse(text) for path, text in sources.items()}
    errors, positions = error_classes(trees), text_parameters(trees)
    return [f for path, text in sources.items() for f in scan_source(text, path, errors, positions)]


def excused(finding: Finding, table) -> tuple | None:
    for key in table:
        if key[0] == finding.path and key[1] in finding.text:
            return key
    return None


# ---------------------------------------------------------------------------------------------
# The scan


def test_no_user_facing_sentence_is_unmarked():
    found = findings()
    bad = [str(f) for f in found if not excused(f, ALLOWED)]
    assert not bad, ("English reaches a user without _() (wrap it as _('… {name} …').format(name=…), then "
                     "translate it in the .po):\n" + "\n".join(bad))


def marked_literals(source: str):
    """(line, text) of every literal given to _(), gettext(), ngettext() or N_(), f-strings included."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and name_of(node.func) in MARKERS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value


def test_every_marked_sentence_is_in_the_catalogue_even_inside_an_f_string():
    """Babel's extractor does not look inside f-strings: `f"{_('at {where}')}"` was marked but never
    extracted, so the gallery of `explainer run` stayed English. The AST sees every call."""
    import gettext as gettext_module

    with (ROOT / "explainer/locale/zh/LC_MESSAGES/explainer.mo").open("rb") as fh:
        catalogue = gettext_module.GNUTranslations(fh)._catalog
    known = {key if isinstance(key, str) else key[0] for key in catalogue}
    missing = [f"{path}:{line}: {text!r}" for path, source in modules().items()
               for line, text in marked_literals(source) if text not in known]
    assert not missing, "marked but not in the catalogue (take _() out of the f-string):\n" + "\n".join(missing)
    inside = list(marked_literals('x = f"{html.escape(_(\'at {where}\'))}"'))
    assert inside == [(1, "at {where}")]   # the walk does reach into f-strings


def test_which_errors_are_read():
    """Our errors are read, the imitations of torch's built-in ones are not."""
    errors = error_classes({path: ast.parse(text) for path, text in modules().items()})
    assert {"ExplainerError", "ExplainerMathError", "ValuesError", "ExpressionError", "MissingValueError"} <= errors
    assert not errors & {"TensorError", "TensorIndexError", "TensorTypeError", "MissingFileError"}


def test_every_allowed_english_sentence_is_still_there():
    """An allow-list entry whose sentence is gone (fixed or reworded) goes too: the list stays short."""
    found = findings()
    stale = [key for key in ALLOWED if not any(excused(f, {key: 0}) for f in found)]
    assert not stale, stale


def test_the_scan_finds_a_bad_call_and_passes_a_good_one():
    source = '''
from explainer.errors import ExplainerError
from explainer.i18n import _
import warnings

class DataError(ExplainerError):
    pass

def bad(n, ok):
    raise DataError(f"no data set called {n}" if not ok else "the folder is empty")

def bad_local(n):
    message = "the model has %d layers" % n
    warnings.warn(message)

def bad_plot(ax, name, reporter, title="one step ahead"):
    ax.set(xlabel="time step", ylabel="y")
    ax.set_title(name + " on the test set")
    reporter.note(_(f"{name} ran on the CPU"))

def good(n, ax, reporter, title=_("one step ahead")):
    message = _("the model has {n} layers").format(n=n)
    warnings.warn(message)
    ax.set(xlabel="x", ylabel="y = wx + b", title=f"{n}: y = {n:.4f}x")
    reporter.note(_("no data set called {n}; use --dataset {choices}").format(n=n, choices=", ".join(["a"])))
    raise DataError(_("the folder {path} is empty").format(path="a.txt") if n else _("no folder"))
'''
    found = scan_source(source, "synthetic.py")
    lines = {f.line: f for f in found}
    assert sorted(lines) == [10, 13, 16, 17, 18, 19], [str(f) for f in found]
    assert "no data set called" in str(found[0]) and "the folder is empty" in str(found[1])
    assert lines[10].sink == "DataError"   # a subclass of ExplainerError is a sink too
    assert lines[13].sink == "warnings.warn" and "%d layers" in lines[13].text  # followed through the local
    assert "one step ahead" in lines[16].text and "time step" in lines[17].text
    assert "on the test set" in lines[18].text and "f-string" in lines[19].text


def test_the_scan_reads_a_runs_extra_results_and_legends():
    source = '''
from explainer.i18n import N_, _

def run(result, plot_loss, engine, losses):
    result.extra["bug"] = "the loop drops the output bias"
    result.extra.update({"dataset": "CIFAR-10", "what": {"why": _("gradients pile up")}})
    curves = {"train": losses}
    curves[_("test")] = losses
    plot_loss(result, "lstm", losses, label=N_("epoch"), curves=curves, extra={"images": 3})
'''
    found = scan_source(source, "synthetic.py")
    assert [(f.line, f.text) for f in found] == [(5, '"the loop drops the output bias"'), (7, '"train"')], found


@pytest.mark.parametrize("text, is_english", [
    ("no CUDA GPU found: running on the CPU", True),
    ("{name}: y = {w:.4f}x + {b:.4f}", False),
    ("sin(t) + 0.1", False),
    ("--steps", False),
    ("lstm-loss.svg", False),
    ("[dim]add --out DIR[/]", True),
    ("ŷ = wx + b", False),
    ("{name}: MSELoss(sum)", False),
    ("{NAME}: ½·Σ(y − out)²", False),
    ("{NAME}: nll_loss per epoch", True),
    ("input: sin(t) + noise", True),
    ("fixed", True),
])
def test_what_counts_as_english(text, is_english):
    assert english(text) is is_english


# ---------------------------------------------------------------------------------------------
# Seen from the CLI: the sentences this scan made translatable reach a Chinese user in Chinese


run = functools.partial(cli_run, timeout=300)   # training runs may take longer than the default


def svg_texts(path: Path) -> list[str]:
    import xml.etree.ElementTree as ET

    return [t.text or "" for t in ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize("name, dataset, chinese, english", [
    ("linreg-manual", "mnist", "错误：linreg-manual 不接受 --dataset：它只在一个数据集上训练。\n",
     "error: linreg-manual takes no --dataset: it trains on one data set.\n"),
    ("gan", "nope", "错误：gan 在 auto, cifar10, mnist 上训练，不接受 --dataset 'nope'。\n",
     "error: gan trains on auto, cifar10, mnist, not --dataset 'nope'.\n"),
])
def test_the_dataset_error_both_branches_in_chinese(tmp_path, name, dataset, chinese, english):
    """The `--dataset` error was `a if c else b` of two f-strings: both branches now speak Chinese."""
    zh = run(["train", name, "--dataset", dataset, "--lang", "zh"], tmp_path)
    assert zh.returncode == 2 and zh.stdout == ""
    assert zh.stderr == chinese and "Traceback" not in zh.stderr
    en = run(["train", name, "--dataset", dataset], tmp_path, EXPLAINER_LANG="en")
    assert en.returncode == 2 and en.stderr == english


def test_a_render_error_in_chinese(tmp_path):
    proc = run(["render", "J = a", "--at", "a=1", "--rankdir", "XY", "-o", "j.svg"], tmp_path, EXPLAINER_LANG="zh")
    assert proc.returncode == 2
    assert proc.stderr == "错误：未知的 rankdir 'XY'；请选择 TB（从上到下）或 LR（从左到右）\n"


def test_lstm_plots_and_notes_in_chinese(tmp_path):
    """A short lstm run with --lang zh: both plots' titles, legend and axes are Chinese, the formulas
    (sin(t), MSELoss) and numbers stay, and the no-GPU note is Chinese."""
    import torch

    proc = run(["train", "lstm", "--steps", "3", "--lang", "zh", "--out", "run"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    if not torch.cuda.is_available():  # the torch engine on auto says where it runs
        assert "没有找到 CUDA GPU：在 CPU 上运行" in proc.stderr
    prediction = svg_texts(tmp_path / "run" / "lstm-prediction.svg")
    title = [t for t in prediction if t.startswith("lstm（torch）：")]
    assert len(title) == 1 and re.fullmatch(r"lstm（torch）：在没见过的一段上预测下一步，MSE \d\.\d{4}", title[0]), prediction
    for text in ("sin(t)，无噪声", "输入：sin(t) + 噪声", "预测的下一个样本", "时间步", "值"):
        assert text in prediction
    assert not [t for t in prediction if re.search(r"[a-z]{3,} [a-z]{3,}", t)], prediction   # no English left
    loss = svg_texts(tmp_path / "run" / "lstm-loss.svg")
    assert "lstm：MSELoss，预测下一步" in loss and "步" in loss and "损失" in loss
    from explainer import i18n
    from explainer.render import plots

    with i18n.using("en"):  # the same picture in English keeps its English words
        path = plots.sequence_prediction([0.0, 1.0, 0.0], [0.1, 0.9, 0.1], [0.8, 0.2], tmp_path / "en.svg")
    assert {"predicted next sample", "time step", "one step ahead", "sin(t), no noise"} <= set(svg_texts(path))


def test_the_run_gallery_in_chinese(tmp_path):
    (tmp_path / "tut.py").write_text("import torch\nx = torch.ones(2, 2, requires_grad=True)\n"
                                     "out = ((x + 2) * (x + 2) * 3).mean()\nout.backward()\n")
    proc = run(["run", "tut.py", "--lang", "zh", "-o", "gal"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "gal" / "index.html").read_text(encoding="utf-8")
    for words in ("引擎：torch", "1. out.backward()，位于 tut.py:4", "逐步演示反向传播", "（点击查看大图）",
                  "与 torch 核对（rtol 0.0001）：每个梯度都与 torch 一致"):
        assert words in page, words
    for english in ("engine:", "step through", "click for full size", "check against torch"):
        assert english not in page, english
