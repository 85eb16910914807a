"""click's own words in Chinese (issue 14): an unknown option, a missing argument, a value of the
wrong type, extra words, an unknown command, and the `Usage:` line — with --lang zh and with
EXPLAINER_LANG=zh; English keeps click's wording."""
from __future__ import annotations

import pytest
from test_i18n import run

from explainer import i18n
from explainer.commands.usage_errors import sentence


@pytest.mark.parametrize("args, expected", [
    (["render", "--bogus"], "没有这个选项：--bogus（你是不是想用 --loss？）"),
    (["train"], "缺少参数 EXAMPLE"),
    (["train", "linreg-manual", "--steps", "abc"], "--steps 需要一个整数"),
    (["check", "J = a b", "--at", "a=1,b=2", "--rtol", "x"], "--rtol 需要一个数"),
    (["render", "J", "=", "ab"], "命令行里多出了这些词：= ab（含空格的表达式要加引号）"),
    (["nope"], "没有 'nope' 这个命令"),
])
@pytest.mark.parametrize("how", ["flag", "environment"])
def test_clicks_errors_in_chinese(tmp_path, args, expected, how):
    proc = (run([*args, "--lang", "zh"], tmp_path) if how == "flag"
            else run(args, tmp_path, EXPLAINER_LANG="zh"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line.strip("│ ") for line in proc.stderr.splitlines()]
    assert expected in lines
    assert lines[0].startswith("用法：cli.py ")  # run() calls python cli.py
    assert lines[1].startswith("运行 'cli.py") and "查看帮助" in lines[1]
    assert "错误" in lines[2]
    assert not any(word in proc.stderr for word in ("Usage", "Error", "No such", "Missing", "Invalid", "Got"))


def test_english_keeps_clicks_words(tmp_path):
    proc = run(["render", "--bogus"], tmp_path, EXPLAINER_LANG="en")
    assert proc.returncode == 2
    assert proc.stderr.startswith("Usage: cli.py render")
    assert "No such option: --bogus (Possible options: --loss)" in proc.stderr


def test_help_in_chinese_starts_with_the_translated_usage_line(tmp_path):
    proc = run(["train", "--help", "--lang", "zh"], tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.strip().splitlines()[0].strip() == "用法：cli.py train [OPTIONS] {EXAMPLE}"


def test_an_unrecognised_click_message_keeps_its_english_detail():
    """A click message we have no sentence for is shown as click words it, not lost (and the
    instance's format_message, which install() points at `sentence`, is not called back)."""
    from typer.main import get_command

    import cli

    try:   # typer's own click (it carries a copy; `click` itself may not be installed)
        get_command(cli.app).main(["render", "--bogus"], standalone_mode=False)
    except Exception as raised:
        usage_error = next(c for c in type(raised).__mro__ if c.__name__ == "UsageError")
    error = usage_error("Something click says in a new version.")
    error.format_message = lambda: sentence(error)
    with i18n.using("zh"):
        assert sentence(error) == "Something click says in a new version."


def test_the_command_list_in_chinese_is_whole_and_help_says_itself_in_chinese(tmp_path):
    proc = run(["--help", "--lang", "zh"], tmp_path, COLUMNS="80")
    assert proc.returncode == 0
    assert "显示这条帮助并退出。" in proc.stdout and "Show this message" not in proc.stdout
    assert "…" not in proc.stdout                      # no command's line cut short in 80 columns
    rows = [line.strip("│ ").split(None, 1) for line in proc.stdout.splitlines() if line.startswith("│ ")]
    described = {row[0]: row[1] for row in rows if len(row) == 2}
    assert described["run"].startswith("运行你自己的脚本")    # one line, not a paragraph cut at its breaks
    assert described["explain"] == "写出链式法则：输出到一个节点的每条路径、乘积及其和。"
