"""The Chinese half of the docs site (issue 14), used by docs/build.py.

Pages are written twice, `page.md` and `page.zh.md` (mkdocs-static-i18n's suffix layout). A
Chinese page's commands run with `--lang zh` and write their pictures beside the English ones
under a `-zh` name; the example pages name the tutorial section they come from (TUTORIALS); the
glossary page is generated from explainer/locale/glossary.tsv, the catalogue's own word list.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ZH = ".zh.md"
GLOSSARY = ROOT / "explainer" / "locale" / "glossary.tsv"
ERROR_PREFIXES = ("error: ", "错误：")
WROTE = re.compile(r"^(wrote |已写入 )")

# The five tutorials in shared/seeds/ (their titles as they give them) and, per example page,
# the file and the section heading it comes from (tests check that each heading is in the file).
SEEDS = {
    "000_1f9119ba626d1e13.txt": "梯度下降和反向传播（及其后的 PyTorch 课程）",
    "001_e139807587444540.txt": "卷积神经网络学习：使用pytorch反向传播",
    "002_ad06241a851e2f48.txt": "PyTorch 入门：numpy 与 PyTorch 构建的神经网络对比",
    "003_9c3ca8b9d41fe8f8.txt": "Pytorch 中 Module 与优化器类的使用方法",
    "004_bece49813087c253.txt": "pytorch：Sequential、优化问题、卷积、循环与生成对抗网络",
}
TUTORIALS = {
    "j-abc": ("000_1f9119ba626d1e13.txt", "3.1 计算图和反向传播"),
    "sigmoid-chain": ("000_1f9119ba626d1e13.txt", "2.1 常见的导数计算"),
    "basic-rules": ("000_1f9119ba626d1e13.txt", "2.1 常见的导数计算"),
    "neuron-paths": ("000_1f9119ba626d1e13.txt", "3.2 神经网络中的反向传播"),
    "cos-square": ("004_bece49813087c253.txt", "2.4 求解优化问题"),
    "mean-of-square": ("000_1f9119ba626d1e13.txt", "1.1 计算过程"),
    "mean-of-square-2": ("001_e139807587444540.txt", "1.pytorch自动求导机制"),
    "vjp": ("001_e139807587444540.txt", "1.pytorch自动求导机制"),
    "grad-fn": ("000_1f9119ba626d1e13.txt", "1.2 requires_grad和grad_fn"),
    "mse-arange": ("004_bece49813087c253.txt", "2.4 求解优化问题"),
    "linreg-manual": ("000_1f9119ba626d1e13.txt", "3. 线性回归实现"),
    "linreg-module": ("003_9c3ca8b9d41fe8f8.txt", "1. Pytorch完成模型常用API"),
    "two-layer-manual": ("001_e139807587444540.txt", "2.利用Pytorch进行反向传播和梯度下降"),
    "two-layer-sequential": ("001_e139807587444540.txt", "2.利用Pytorch进行反向传播和梯度下降"),
    "two-layer-module": ("001_e139807587444540.txt", "2.利用Pytorch进行反向传播和梯度下降"),
    "numpy-vs-torch": ("002_ad06241a851e2f48.txt", "## Neural network in numpy"),
    "mnist-mlp": ("000_1f9119ba626d1e13.txt", "4.2 MNIST数据集的介绍"),
    "digits-mlp": ("002_ad06241a851e2f48.txt", "# define model"),
    "optimizers": ("003_9c3ca8b9d41fe8f8.txt", "3. 常见的优化算法介绍"),
    "sms-dataset": ("000_1f9119ba626d1e13.txt", "2.2 数据加载案例"),
    "cnn": ("004_bece49813087c253.txt", "2.7 卷积神经网络"),
    "lstm": ("004_bece49813087c253.txt", "2.8 循环神经网络"),
    "gan": ("004_bece49813087c253.txt", "2.9 生成对抗网络"),
}


def is_chinese(page: Path) -> bool:
    return page.name.endswith(ZH)


def localize_args(args: list[str], page: Path) -> list[str]:
    """A Chinese page's command: `--lang zh`, and its outputs renamed `NAME-zh.svg` (or `DIR-zh`)
    so that they never overwrite the English page's pictures (both are built at once)."""
    if not is_chinese(page):
        return args
    out = list(args)
    for i, (flag, value) in enumerate(zip(args, args[1:])):
        if flag in ("-o", "--output", "--out"):
            path = Path(value)
            renamed = path.with_name(f"{path.stem}-zh{path.suffix}") if path.suffix else Path(f"{value.rstrip('/')}-zh")
            out[i + 1] = renamed.as_posix()
    return out + ["--lang", "zh"]


def tutorial_note(page: Path) -> str | None:
    """The line under an example page's title naming the tutorial section it comes from."""
    name = page.name.removesuffix(ZH).removesuffix(".md")
    if page.parent.name != "examples" or name not in TUTORIALS:
        return None
    seed, section = TUTORIALS[name]
    title = SEEDS[seed]
    if is_chinese(page):
        return f"!!! quote \"出自教程\"\n    《{title}》（`shared/seeds/{seed}`），**{section}** 一节。"
    return (f"!!! quote \"From the tutorial\"\n    *{title}* (`shared/seeds/{seed}`), "
            f"the section **{section}**.")


def add_tutorial_notes(pages: list[Path]) -> None:
    """Put the tutorial note after the first heading of every example page, in both languages."""
    for page in pages:
        note = tutorial_note(page)
        if note is None:
            continue
        lines = page.read_text(encoding="utf-8").splitlines()
        at = next((i for i, line in enumerate(lines) if line.startswith("# ")), -1) + 1
        lines[at:at] = ["", note, ""]
        page.write_text("\n".join(lines) + "\n", encoding="utf-8")


def glossary_rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            english, chinese, avoid, seeds = (line.split("\t") + ["", ""])[:4]
            rows.append((english, chinese, avoid.replace(",", "、"), seeds))
    return rows


def glossary_page(chinese: bool) -> str:
    """The glossary, generated from the same list the catalogue tests use."""
    if chinese:
        lines = ["# 术语表", "",
                 "命令行、图片、逐步演示页面和本网站的中文都使用下表中的词。它们取自 `shared/seeds/` 中的五篇"
                 "中文 PyTorch 教程；“教程中的写法”一栏是教程原文里的词或短语（空白表示教程没有用到）。"
                 "“不用”一栏的译法不会出现在翻译目录（gettext 消息目录）中（测试会检查）。", "",
                 "| English | 中文 | 教程中的写法 | 不用 |", "|---|---|---|---|"]
    else:
        lines = ["# Glossary", "",
                 "The Chinese words of the command line, the pictures, the step-through pages and this site. "
                 "They are the words of the five Chinese PyTorch tutorials in `shared/seeds/`; the column "
                 "*in the tutorials* quotes the word or phrase they use (empty where they do not use one). "
                 "The translations under *never* do not appear in the catalogue (a test checks it).", "",
                 "| English | 中文 | in the tutorials | never |", "|---|---|---|---|"]
    for english, chinese, avoid, seeds in glossary_rows():
        lines.append(f"| {english} | {chinese} | {seeds} | {avoid} |")
    return "\n".join(lines) + "\n"


def write_glossary(staging: Path) -> None:
    (staging / "glossary.md").write_text(glossary_page(False), encoding="utf-8")
    (staging / f"glossary{ZH}").write_text(glossary_page(True), encoding="utf-8")


# The generated pages' Chinese versions: the CLI reference from the typer app in Chinese, and
# the API, op and notebook pages (code, names and numbers as in English) under Chinese headings.
_CLI_WORDS = [
    ("# Command line reference", "# 命令行参考"),
    ("Generated from the typer app in `cli.py` when the docs are built. Every command also answers `--help`.",
     "构建文档时由 `cli.py` 中的 typer 应用生成。每个命令也都支持 `--help`（加上 `--lang zh` 显示中文）。"),
    ("| argument or option | meaning | default |", "| 参数或选项 | 含义 | 默认值 |"),
    ("| required |", "| 必填 |"),
    ("**Example:**", "**示例：**"), ("**Examples:**", "**示例：**"), ("**Networks:**", "**网络：**"),
]
_INTROS = {
    "api": ("# Python API", "# Python API（接口参考）",
            "Python 接口的名字、签名和文档字符串与代码一致，保持英文；下面的示例与英文页面相同。"
            "错误信息和图片中的文字会跟随语言设置（`explainer.i18n.using(\"zh\")` 或环境变量 `EXPLAINER_LANG=zh`）。"),
    "ops": ("# Ops", "# 运算",
            "运算注册表中的每个运算一行：名字、符号和局部梯度公式（公式在两种语言中相同）。"),
    "notebook": (None, "# Jupyter 笔记本",
                 "在 Jupyter 中使用 explainer：下面是执行过的笔记本（代码和输出与英文页面相同）。"
                 "在笔记本里调用 `explainer.i18n.use(\"zh\")`，图片标签和说明就会变成中文。"),
}


def write_generated_zh(staging: Path, cli_reference) -> None:
    from explainer import i18n

    with i18n.using("zh"):
        text = cli_reference()
    for english, chinese in _CLI_WORDS:
        text = text.replace(english, chinese)
    text = re.sub(r"(?m)^\*\*示例：\*\*", "**示例：**", text)
    (staging / f"cli{ZH}").write_text(text, encoding="utf-8")
    for name, (english_title, title, intro) in _INTROS.items():
        body = (staging / f"{name}.md").read_text(encoding="utf-8")
        if english_title and body.startswith(english_title):
            body = body[len(english_title):].lstrip("\n")
        elif body.startswith("# "):
            body = body.split("\n", 1)[1].lstrip("\n")
        (staging / f"{name}{ZH}").write_text(f"{title}\n\n{intro}\n\n{body}", encoding="utf-8")


def share_sitemap(site_dir: Path) -> None:
    """Material's language switch reads `sitemap.xml` beside the page it switches to (the i18n
    plugin links each page to its own translation); the plugin writes one sitemap, holding both
    languages' addresses, at the root only. A copy beside every page keeps the switch working,
    offline too, with no request that fails."""
    names = [name for name in ("sitemap.xml", "sitemap.xml.gz") if (site_dir / name).exists()]
    for page in site_dir.rglob("index.html"):
        folder = page.parent
        if folder == site_dir or "assets" in folder.relative_to(site_dir).parts:
            continue
        for name in names:
            (folder / name).write_bytes((site_dir / name).read_bytes())
