"""中文课堂 (issue 14): every sentence a person reads in Chinese beside English.

The catalogue is complete (Babel extracts every marked string and the typer app's help; each has a
Chinese translation), the shipped .mo is compiled from the .po, translations keep placeholders,
numbers and formulas, use the glossary's words (checked against the tutorials in shared/seeds/),
and the CLI speaks Chinese with --lang zh or EXPLAINER_LANG=zh, numbers unchanged.
"""
from __future__ import annotations

import gettext
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from explainer import i18n
from explainer.errors import ExplainerError

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "explainer" / "locale"
PO = LOCALE / "zh" / "LC_MESSAGES" / "explainer.po"
MO = LOCALE / "zh" / "LC_MESSAGES" / "explainer.mo"
GLOSSARY = LOCALE / "glossary.tsv"
SEEDS = ROOT.parent / "shared" / "seeds"
if not SEEDS.is_dir():  # a worktree beside the main checkout
    SEEDS = Path("/work/shared/seeds")
HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_]\w*)[^{}]*\}")
# placeholders that only add an English plural "s": Chinese has no plural, so they may go
ENGLISH_ONLY = {"declared_else", "names_else"}
SVG = "{http://www.w3.org/2000/svg}"


def catalogue():
    from babel.messages.pofile import read_po

    with PO.open("rb") as fh:
        return read_po(fh)


def extracted() -> dict[str, list]:
    """Every message Babel extracts with babel.cfg, as `make messages` does: msgid -> locations."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[str, list] = {}
    sys.path.insert(0, str(ROOT))  # the cli extractor imports cli.py
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map):
        key = message[0] if isinstance(message, tuple) else message
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def glossary() -> list[dict]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        english, chinese, avoid, seeds = (line.split("\t") + ["", ""])[:4]
        rows.append({"english": english, "chinese": chinese,
                     "avoid": [w for w in avoid.split(",") if w], "seeds": seeds})
    return rows


def translated_pairs():
    for message in catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            yield ids[0], string


# ---------------------------------------------------------------------------------------------
# The catalogue


def test_every_user_facing_string_has_a_chinese_translation():
    cat = catalogue()
    missing = []
    for msgid, where in sorted(extracted().items()):
        message = cat.get(msgid)
        strings = () if message is None else (message.string if isinstance(message.string, tuple)
                                              else (message.string,))
        if message is None or not all(strings) or message.fuzzy:
            missing.append(f"{where[0]}: {msgid!r}")
    assert not missing, ("strings without a Chinese translation (run `make messages`, translate them "
                         f"in {PO.relative_to(ROOT)}):\n" + "\n".join(missing))
    assert len(cat) > 200


def test_compiled_catalogue_is_up_to_date_with_the_po():
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    from_po = {}
    for message in catalogue():
        if not message.id or not message.string:
            continue
        if isinstance(message.id, tuple):
            for n, string in enumerate(message.string):
                from_po[(message.id[0], n)] = string
        else:
            from_po[message.id] = message.string
    compiled = {k: v for k, v in compiled.items() if k != ""}
    assert compiled == from_po, "explainer.mo is stale: run `make messages` (pybabel compile)"


def test_the_mo_ships_in_the_package():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'"explainer"\s*=\s*\[[^\]]*"locale/\*/LC_MESSAGES/\*\.mo"', text)
    assert re.search(r'"explainer"\s*=\s*\[[^\]]*"locale/glossary\.tsv"', text)


def test_translations_keep_placeholders_numbers_and_formulas():
    problems = []
    for msgid, msgstr in translated_pairs():
        wanted = set(PLACEHOLDER.findall(msgid)) - ENGLISH_ONLY
        got = set(PLACEHOLDER.findall(msgstr))
        if wanted != got:
            problems.append(f"{msgid!r}: placeholders {sorted(wanted)} became {sorted(got)}")
        for token in re.findall(r"\d+(?:[.,]\d+)*|[∂∇Σσ×·²→≥‖±]|[A-Za-z]\w*\((?!s\))", msgid):
            if token not in msgstr:
                problems.append(f"{msgid!r}: {token!r} is missing from {msgstr!r}")
    assert not problems, "\n".join(problems)


def test_translations_are_chinese():
    """Every translation has Chinese words in it, unless the English was only a formula."""
    english_left = [msgid for msgid, msgstr in translated_pairs()
                    if re.search(r"[a-z]{3,} [a-z]{3,}", msgid) and not HAN.search(msgstr)]
    assert not english_left


# ---------------------------------------------------------------------------------------------
# The glossary: one word for one idea, the tutorials' word


def test_glossary_holds_the_issue_terms():
    words = {row["chinese"] for row in glossary()}
    for term in ["计算图", "前向传播", "反向传播", "链式法则", "局部梯度", "梯度", "偏导数", "叶子节点", "损失函数",
                 "优化器"]:
        assert term in words


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the tutorials (shared/seeds/) are not here")
def test_glossary_matches_the_tutorials_wording():
    seeds = "".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(SEEDS.glob("*.txt")))
    for row in glossary():
        if row["seeds"]:
            assert row["seeds"] in seeds, f"{row['english']}: the tutorials never write {row['seeds']}"
            if row["seeds"] != row["chinese"]:
                continue  # a phrase of the tutorials the term names (连线上的梯度 -> 局部梯度)
        count_term = seeds.count(row["chinese"])
        for other in row["avoid"]:
            # a word we avoid may appear in the tutorials, but never more often than ours
            assert seeds.count(other) <= count_term, f"the tutorials prefer {other} to {row['chinese']}"


def test_catalogue_uses_the_glossary_words():
    rows = glossary()
    problems = []
    for msgid, msgstr in translated_pairs():
        for row in rows:
            for other in row["avoid"]:
                if other in msgstr:
                    problems.append(f"{msgstr!r} writes {other}: the glossary says {row['chinese']}")
        for row in rows:  # a whole English term in the sentence: its Chinese term in the translation
            term = row["english"]
            if " " in term and re.search(rf"\b{re.escape(term)}s?\b", msgid, re.I) and row["chinese"] not in msgstr:
                problems.append(f"{msgid!r} says {term!r}, the translation lacks {row['chinese']}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# Choosing the language


@pytest.mark.parametrize("environ, expected", [
    ({}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LANGUAGE": "zh_TW:en"}, "zh"),
    ({"EXPLAINER_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
    ({"EXPLAINER_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"),
])
def test_language_from_environment(environ, expected):
    assert i18n.from_environment(environ) == expected


def test_language_from_argv_and_a_wrong_name():
    assert i18n.from_argv(["render", "x", "--lang", "zh"]) == "zh"
    assert i18n.from_argv(["--lang=en", "check"]) == "en"
    assert i18n.from_argv(["render", "--", "--lang", "zh"]) is None
    with pytest.raises(ExplainerError, match="unknown language 'fr'"):
        i18n.from_argv(["--lang", "fr"])


def test_using_switches_and_restores():
    with i18n.using("zh"):
        assert i18n._("input") == "输入"
        assert i18n.ngettext("{members} node", "{members} nodes", 3).format(members=3) == "3 个节点"
        with i18n.using("en"):
            assert i18n._("input") == "input"
        assert i18n.language() == "zh"


# ---------------------------------------------------------------------------------------------
# The CLI in Chinese (subprocesses, as a learner types it)


def run(args, cwd, timeout: float = 120, **env):
    environ = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1", **env}
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=cwd, capture_output=True,
                          text=True, env=environ, timeout=timeout)


def svg_lines(path):
    root = ET.parse(path).getroot()
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def numbers(lines):
    return sorted(re.findall(r"-?\d+(?:\.\d+)?", " ".join(lines)))


def test_render_labels_in_chinese_numbers_unchanged(tmp_path):
    args = ["render", "J = 3(a + bc)", "--at", "a=5,b=3,c=2"]
    zh = run([*args, "--lang", "zh", "-o", "j.svg"], tmp_path)
    en = run([*args, "--lang", "en", "-o", "j-en.svg"], tmp_path)
    assert zh.returncode == 0 and en.returncode == 0, zh.stderr + en.stderr
    zh_lines, en_lines = svg_lines(tmp_path / "j.svg"), svg_lines(tmp_path / "j-en.svg")
    assert zh_lines.count("输入") == 3 and "input" not in zh_lines
    assert en_lines.count("input") == 3
    assert numbers(zh_lines) == numbers(en_lines)
    # the formulas are the same text in both languages
    formulas = [line for line in en_lines if "=" in line]
    assert formulas and all(line in zh_lines for line in formulas)
    # every label names the CJK fonts, so the SVG opened elsewhere falls back to one of them
    families = {t.get("font-family") for t in ET.parse(tmp_path / "j.svg").getroot().iter(f"{SVG}text")}
    assert families == {"Helvetica,Arial,DejaVu Sans,Noto Sans CJK SC,Source Han Sans SC,Microsoft YaHei,"
                        "PingFang SC,WenQuanYi Micro Hei"}
    english = {t.get("font-family") for t in ET.parse(tmp_path / "j-en.svg").getroot().iter(f"{SVG}text")}
    assert english == {"Helvetica,sans-Serif"}  # English pictures are as before


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_an_error_in_chinese(tmp_path, how):
    args = ["check", "J = 3(a + bc)", "--at", "a=5,b=3"]
    proc = (run([*args, "--lang", "zh"], tmp_path) if how == "flag"
            else run(args, tmp_path, EXPLAINER_LANG="zh"))
    assert proc.returncode == 2
    assert proc.stderr == "错误：'c' 没有值：请用 --at c=VALUE 给出（已知：a, b）\n"
    english = run(args, tmp_path, EXPLAINER_LANG="en")
    assert english.stderr == "error: no value for 'c': give it with --at c=VALUE (known: a, b)\n"


def test_a_syntax_error_in_chinese_keeps_the_caret(tmp_path):
    proc = run(["render", "J = 3(a + ", "--lang", "zh"], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["错误：语法错误，位于第 6 列：'(' 没有闭合", "  J = 3(a + ", "       ^"]


def test_the_locale_chooses_chinese_and_the_flag_wins(tmp_path):
    env = {"EXPLAINER_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"}
    assert run(["examples"], tmp_path, **env).stdout.count("训练示例") == 1
    assert "training examples" in run(["examples", "--lang", "en"], tmp_path, **env).stdout


def test_an_unknown_language_is_one_sentence(tmp_path):
    proc = run(["render", "J = a", "--at", "a=1", "--lang", "fr"], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "error: unknown language 'fr': choose one of en, zh\n"


def test_every_command_takes_lang_and_its_help_is_chinese(tmp_path):
    import typer

    sys.path.insert(0, str(ROOT))
    import cli

    names = list(typer.main.get_command(cli.app).commands)
    assert {"render", "check", "explain", "animate", "train"} <= set(names)
    for name in names:
        proc = run([name, "--help", "--lang", "zh"], tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert "--lang" in proc.stdout and "显示内容的语言" in proc.stdout
        assert HAN.search(proc.stdout.split("Usage")[-1].split("--")[0]) or "示例" in proc.stdout, name


# ---------------------------------------------------------------------------------------------
# The docs in Chinese beside English

DOCS = ROOT / "docs"


def docs_module(name):
    import importlib.util

    sys.path.insert(0, str(DOCS))
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def english_pages():
    return sorted(p for p in DOCS.rglob("*.md") if not p.name.endswith(".zh.md") and "_build" not in p.parts)


def test_every_english_page_has_a_chinese_page_with_the_same_commands_and_numbers():
    build = docs_module("build")
    pages = english_pages()
    assert len(pages) >= 28
    for page in pages:
        chinese = page.with_name(page.name.removesuffix(".md") + ".zh.md")
        assert chinese.exists(), f"{page.relative_to(DOCS)} has no Chinese page {chinese.name}"
        en, zh = page.read_text(encoding="utf-8"), chinese.read_text(encoding="utf-8")
        # formulas stay formulas: the same commands, and every number of the English prose
        assert [d[1:] for d in build.find_directives(en)] == [d[1:] for d in build.find_directives(zh)], page.name
        assert HAN.search(zh), chinese.name
        missing = set(re.findall(r"\d+(?:\.\d+)?", en)) - set(re.findall(r"\d+(?:\.\d+)?", zh))
        assert not missing, f"{chinese.name} lacks the numbers {sorted(missing)}"


def test_chinese_pages_run_their_commands_in_chinese_with_their_own_pictures():
    pages = docs_module("i18n_pages")
    page = DOCS / "examples" / "j-abc.zh.md"
    args = ["render", "J = a", "--view", "both", "-o", "img/j.svg"]
    assert pages.localize_args(args, page) == ["render", "J = a", "--view", "both", "-o", "img/j-zh.svg",
                                               "--lang", "zh"]
    assert pages.localize_args(["train", "x", "--out", "img/run"], page)[3] == "img/run-zh"
    assert pages.localize_args(args, DOCS / "examples" / "j-abc.md") == args


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the tutorials (shared/seeds/) are not here")
def test_every_example_page_names_a_tutorial_section_that_exists():
    build, pages = docs_module("build"), docs_module("i18n_pages")
    names = [name for section in build.EXAMPLE_PAGES.values() for name in section]
    assert set(names) == set(pages.TUTORIALS)
    for name, (seed, section) in pages.TUTORIALS.items():
        assert section in (SEEDS / seed).read_text(encoding="utf-8", errors="replace"), (name, section)
        for suffix in (".md", ".zh.md"):
            note = pages.tutorial_note(DOCS / "examples" / f"{name}{suffix}")
            assert seed in note and section in note


def test_the_glossary_page_is_generated_from_the_glossary():
    pages = docs_module("i18n_pages")
    zh, en = pages.glossary_page(True), pages.glossary_page(False)
    for row in glossary():
        assert f"| {row['english']} | {row['chinese']} |" in zh and f"| {row['english']} | {row['chinese']} |" in en
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "Glossary: glossary.md" in nav and "Glossary: 术语表" in nav


# ---------------------------------------------------------------------------------------------
# explain, check and animate in Chinese: the words change, the formulas and numbers do not

TENSOR = ["y = x + 2; z = 3 y y; out = mean(z)", "--at", "x=[[1,2],[3,4]]", "--wrt", "x"]


def test_explain_in_chinese_keeps_every_formula(tmp_path):
    zh = run(["explain", *TENSOR, "--lang", "zh"], tmp_path)
    en = run(["explain", *TENSOR, "--lang", "en"], tmp_path)
    assert zh.returncode == 0 and en.returncode == 0, zh.stderr
    assert zh.stdout.splitlines()[0] == "路径 1（out ← z ← 3 y ← y ← x）："
    assert en.stdout.splitlines()[0] == "path 1 (out ← z ← 3 y ← y ← x):"
    assert zh.stdout.splitlines()[-1] == en.stdout.splitlines()[-1] == "∂out/∂x = [[4.5, 6], [7.5, 9]]"
    assert numbers([zh.stdout]) == numbers([en.stdout])
    # a scalar chain is a formula only: the same text in both languages
    scalar = ["explain", "J = 3(a + bc)", "--at", "a=5,b=3,c=2", "--wrt", "b"]
    assert run([*scalar, "--lang", "zh"], tmp_path).stdout == run(scalar, tmp_path).stdout == "∂J/∂b = 3·1·c = 3·1·2 = 6\n"


def test_check_table_in_chinese(tmp_path):
    args = ["check", "J = 3(a + bc)", "--at", "a=5,b=3,c=2"]
    zh, en = run([*args, "--lang", "zh"], tmp_path), run(args, tmp_path)
    assert zh.returncode == 0
    assert "J 的梯度：所有梯度都与 torch 一致（rtol 1e-09）" in zh.stdout
    for word in ("节点", "值", "我们的", "有限差分", "相对误差", "核对", "一致"):
        assert word in zh.stdout
    assert zh.stdout.rstrip().endswith("每个梯度都与 torch 一致")
    assert numbers([zh.stdout]) == numbers([en.stdout])


def test_animate_page_in_chinese(tmp_path):
    import html as htmllib

    args = ["animate", "J = 3(a + bc)", "--at", "a=5,b=3,c=2", "--quiz"]
    zh = run([*args, "-o", "j.html", "--lang", "zh"], tmp_path)
    en = run([*args, "-o", "j-en.html"], tmp_path)
    assert zh.returncode == 0 and zh.stdout.startswith("已写入 j.html（反向传播 5 步；用浏览器打开）")
    page = (tmp_path / "j.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in page and "Noto Sans CJK SC" in page
    for button, label in [("first", "&#x00AB; 第一步"), ("prev", "&#x25C0; 上一步"), ("next", "下一步 &#x25B6;"),
                          ("last", "最后一步 &#x00BB;"), ("reveal", "揭晓"), ("theme", "主题")]:
        assert re.search(rf'<button id="{button}" title="[^"]*[\u4e00-\u9fff][^"]*">{label}</button>', page), button
    assert "> 测验（Q）</label>" in page
    data = json.loads(page.split('id="explainer-data">')[1].split("</script>")[0])
    english = json.loads((tmp_path / "j-en.html").read_text(encoding="utf-8")
                         .split('id="explainer-data">')[1].split("</script>")[0])
    assert data["words"]["step"] == "第 {k} 步，共 {n} 步" and data["words"]["backward"] == "反向传播"
    titles = [f["title"] for f in data["frames"]]
    assert titles[0] == "J = 33 如何计算，又如何求导"
    assert "前向传播：计算 bc" in titles and titles[-1] == "完成：每个输入的梯度"
    lines = [line for f in data["frames"] for line in f["lines"]]
    assert ["链式法则  ∂J/∂b = ∂J/∂bc · ∂bc/∂b = 3·2 = 6", "链式法则  ∂J/∂b = ∂J/∂bc · ∂bc/∂b = 3·? = ?"] in lines
    # the same frames, the same formulas and numbers: only the words differ
    assert len(data["frames"]) == len(english["frames"])
    for mine, theirs in zip(data["frames"], english["frames"]):
        assert mine["grads"] == theirs["grads"] and mine["edges"] == theirs["edges"]
        assert numbers([json.dumps(mine["lines"], ensure_ascii=False)]) == numbers([json.dumps(theirs["lines"], ensure_ascii=False)])
    assert htmllib.unescape(page).count("J = 3(a + bc)") >= 1


def test_train_summary_and_plot_in_chinese(tmp_path):
    proc = run(["train", "mse-arange", "--lang", "zh"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "本次运行" in proc.stdout and "教程" in proc.stdout and "用时" in proc.stdout
    assert "loss = 3.0; grad = [-0.4, 0, 0.4, 0.8, 1.2]" in proc.stdout


def test_plots_in_chinese_name_a_cjk_font(tmp_path):
    from explainer.render import plots

    import warnings

    with i18n.using("zh"), warnings.catch_warnings():
        warnings.simplefilter("error")   # "Glyph … missing from font(s)" would be a tofu box
        path = plots.loss_curve([3.0, 2.0, 1.0], tmp_path / "loss.svg")
        plots.loss_curve([3.0, 2.0, 1.0], tmp_path / "loss.png")
    svg = path.read_text(encoding="utf-8")
    assert "损失" in svg and "步" in svg
    assert "font-family: 'DejaVu Sans', 'Noto Sans CJK SC'" in svg
    english = plots.loss_curve([3.0, 2.0, 1.0], tmp_path / "loss-en.svg").read_text(encoding="utf-8")
    assert "CJK" not in english and ">loss<" in english.replace("</text>", "<")


def test_interactive_page_in_chinese(tmp_path):
    proc = run(["render", "--model", "neuron-paths", "-o", "graph.html", "--lang", "zh"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "graph.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in page and '"Noto Sans CJK SC"' in page
    for control in ('<button data-view="forward">前向</button>', '<button id="collapse-all">全部折叠</button>',
                    'placeholder="按名字查找节点"', "<button>查找</button>", "点击方框展开它的分组"):
        assert control in page
    words = json.loads(page.split("const T = ")[1].split(";   // the page")[0])
    assert words["gradient"] == "梯度" and words["chain rule"] == "链式法则"
    assert words["status"] == "计算图共 {n} 个节点 · 已画出 {drawn} 个 · 展开了 {open} 个分组"
    english = run(["render", "--model", "neuron-paths", "-o", "en.html"], tmp_path)
    text = (tmp_path / "en.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in text and "<button>find</button>" in text
    assert json.loads(text.split("const T = ")[1].split(";   // the page")[0])["gradient"] == "gradient"


def test_an_unknown_explainer_lang_is_one_sentence_from_the_cli_and_english_in_python(tmp_path, monkeypatch):
    proc = run(["check", "J = a", "--at", "a=1"], tmp_path, EXPLAINER_LANG="fr")
    assert proc.returncode == 2
    assert proc.stderr == "error: unknown language 'fr': choose one of en, zh\n"
    monkeypatch.setenv("EXPLAINER_LANG", "fr")
    assert i18n.language() == "en" and i18n._("input") == "input"
