"""中文课堂 (issue 14): the op registry's rules in words read in Chinese, formulas stay formulas.

A rule in words ("grad broadcast to the shape of {0}") is marked N_() where the op is defined and
read through `Op.rules()`, so `explain`, the picture's edge labels, the module view's rule lines,
the step-through page and the docs' op table show it in the language in force, with the operands'
names filled in and the numbers unchanged. A rule that is a formula ("cos {0}", "grad · {1}ᵀ") is
the same in both languages, and what parses the rules back (formulas.py) still reads `text`.
"""
from __future__ import annotations

import gettext
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from explainer import i18n
from explainer.ops import OPS

ROOT = Path(__file__).resolve().parents[1]
MO = ROOT / "explainer" / "locale" / "zh" / "LC_MESSAGES" / "explainer.mo"
SVG = "{http://www.w3.org/2000/svg}"
HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
GRAD = re.compile(r"(?<![A-Za-z_])grad(?![a-z_])")   # the symbol explain replaces by ∂L/∂out
# the words a formula is written with: the ops' own names (exp, tanh, softmax), the arriving
# gradient and the notation's functions
MATHS = set(OPS) | {"grad", "sign", "onehot", "mask"}


def wordy(text: str) -> bool:
    """Whether a registry text has English words in it (then it needs a Chinese translation)."""
    return any(word not in MATHS for word in re.findall(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", text)))


def registry_texts() -> set[str]:
    return {t for op in OPS.values() for t in op.text + op.vjp_text}


def chinese_catalogue() -> dict:
    with MO.open("rb") as fh:
        return gettext.GNUTranslations(fh)._catalog


def numbers(text: str) -> list[str]:
    return sorted(re.findall(r"-?\d+(?:\.\d+)?", text))


# ---------------------------------------------------------------------------------------------
# The registry and the catalogue


def test_every_rule_in_words_has_a_chinese_translation():
    """A new op whose rule has English words fails here until its rule is in the catalogue."""
    words = {t for t in registry_texts() if wordy(t)}
    assert {"grad broadcast to the shape of {0}", "grad / n broadcast to the shape of {0}",
            "none (class indices)", "grad summed over the batch", "the slice of grad where {0} sits",
            "grad convolved with the flipped kernel {1}", "gate grads summed over steps and batch"} <= words
    assert len(words) >= 25
    catalogue = chinese_catalogue()
    missing = sorted(t for t in words if not catalogue.get(t))
    assert not missing, "registry rules without a Chinese translation (mark them N_() and translate):\n" \
        + "\n".join(missing)
    for text in words:
        chinese = catalogue[text]
        assert HAN.search(chinese), (text, chinese)
        assert sorted(PLACEHOLDER.findall(chinese)) == sorted(PLACEHOLDER.findall(text)), (text, chinese)
        # explain writes `grad` as the gradient arriving (∂L/∂h): the Chinese rule keeps the symbol
        assert bool(GRAD.search(chinese)) == bool(GRAD.search(text)), (text, chinese)


def test_formulas_are_the_same_in_both_languages():
    formulas = sorted(t for t in registry_texts() if not wordy(t))
    assert {"cos {0}", "exp({0})", "grad · {1}ᵀ", "gradᵀ", "(softmax({0}) − onehot({1})) · grad / N"} <= set(formulas)
    catalogue = chinese_catalogue()
    assert not [t for t in formulas if t in catalogue]   # never marked: nothing to translate
    with i18n.using("zh"):
        zh = {name: op.rules() for name, op in OPS.items()}
    with i18n.using("en"):
        en = {name: op.rules() for name, op in OPS.items()}
    for name, op in OPS.items():
        assert en[name] == op.text   # English: the registry's own texts
        for text, chinese in zip(op.text, zh[name]):
            assert chinese == (catalogue[text] if wordy(text) else text), (name, text, chinese)
    assert zh["sum"] == ("grad 广播成 {0} 的形状",)
    assert zh["linear"] == ("grad · {1}", "gradᵀ · {0}", "grad 在批量上求和")
    assert zh["cross_entropy"] == ("(softmax({0}) − onehot({1})) · grad / N", "无（类别索引没有梯度）")


def test_the_formula_parser_still_reads_the_untranslated_rules():
    from explainer.formulas import _template

    _template.cache_clear()
    with i18n.using("zh"):
        assert _template("cos", 0) is not None and _template("mul", 1) is not None
        assert OPS["sin"].derivative_text(0, ["x"], "y") == "cos x"
    _template.cache_clear()


def test_the_docs_op_table_writes_the_rules_in_the_language_in_force():
    from explainer.ops.table import markdown

    with i18n.using("zh"):
        zh = markdown()
    en = markdown()
    assert "grad 广播成 x 的形状" in zh and "grad broadcast to the shape of x" not in zh
    assert "grad broadcast to the shape of x" in en and "广播" not in en
    assert "∂/∂x: cos x" in zh and "∂/∂x: cos x" in en


# ---------------------------------------------------------------------------------------------
# explain: the Chinese rule with the operands' names, the same numbers


def small_net():
    """A linear layer and cross-entropy in our engine, its module calls recorded."""
    from explainer import nn
    from explainer.api import trace
    from explainer.tensor import Tensor

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 3)

        def forward(self, x):
            return self.fc(x)

    net = Net()
    with_weights = {"fc.weight": [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], "fc.bias": [0.0, 0.1, -0.1]}
    for name, param in net.named_parameters():
        param.value[...] = np.asarray(with_weights[name], dtype=param.value.dtype)
    x = Tensor(np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]], dtype=np.float32), name="x")
    labels = Tensor(np.array([2, 0, 1]), name="labels")
    return trace(nn.CrossEntropyLoss()(net(x), labels))


def test_explain_a_linear_layer_and_cross_entropy_in_chinese():
    en_graph = small_net()
    en = en_graph.explain("fc.bias").text().splitlines()
    with i18n.using("zh"):
        zh_graph = small_net()
        zh = zh_graph.explain("fc.bias").text().splitlines()
        zh_weight = zh_graph.explain("fc.weight").text()
    assert "  ∂cross_entropy/∂fc.bias = ∂cross_entropy/∂fc summed over the batch  [3×3] → [3]" in en
    assert "  ∂cross_entropy/∂fc.bias = ∂cross_entropy/∂fc 在批量上求和  [3×3] → [3]" in zh
    assert zh[0] == en[0] == ("  ∂cross_entropy/∂fc = (softmax(fc) − onehot(labels)) · "
                              "∂cross_entropy/∂cross_entropy / N  [] → [3×3]")
    assert zh[-1] == en[-1] and numbers("\n".join(zh)) == numbers("\n".join(en))
    # the gradient itself: softmax(logits) − onehot(labels), averaged over the 3 rows
    x = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]])
    logits = x @ np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]).T + [0.0, 0.1, -0.1]
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(zh_graph.graph["fc.bias"].grad, (p - np.eye(3)[[2, 0, 1]]).mean(0), rtol=1e-5)
    assert "∂cross_entropy/∂fc.weight = (∂cross_entropy/∂fc)ᵀ · x  [3×3]·[3×2]" in zh_weight
    # the target's edge: no gradient flows into class indices, said in Chinese
    texts = {zh_graph.graph.nodes[e.src].name: e.text for e in zh_graph.graph.edges}
    assert texts["labels"] == "无（类别索引没有梯度）" and texts["fc.bias"] == "grad 在批量上求和"


MEAN = ["y = x + 2; z = 3 y y; out = mean(z)", "--at", "x=[[1,2],[3,4]]", "--wrt", "x"]


def test_explain_a_mean_from_the_cli_in_chinese(tmp_path):
    def run(*args):
        proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "explain", *MEAN, *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.splitlines()

    zh, en = run("--lang", "zh"), run()
    assert "  ∂out/∂z = ∂out/∂out / n 广播成 z 的形状  [] → [2×2]" in zh
    assert "  ∂out/∂z = ∂out/∂out / n broadcast to the shape of z  [] → [2×2]" in en
    assert zh[-1] == en[-1] == "∂out/∂x = [[4.5, 6], [7.5, 9]]"
    assert numbers("\n".join(zh)) == numbers("\n".join(en))


def test_a_sum_and_a_broadcast_in_chinese():
    from explainer.api import trace

    with i18n.using("zh"):
        t = trace("L = sum(W @ x + b)", W=[[1.0, 2], [3, 4]], x=[[1.0], [2]], b=[[0.5], [1.0]])
        lines = t.explain("W").text().splitlines()
        edges = {t.graph.nodes[e.src].name: e.text for e in t.graph.edges}
    assert lines[0] == "  ∂L/∂(W @ x + b) = ∂L/∂L 广播成 (W @ x + b) 的形状  [] → [2×1]"
    assert lines[-1] == "∂L/∂W = [[1, 2], [1, 2]]"
    np.testing.assert_allclose(t.graph["W"].grad, [[1, 2], [1, 2]])
    assert edges["W @ x + b"] == "grad 广播成 W @ x + b 的形状"
    with i18n.using("zh"):
        t = trace("out = mean(x + b)", x=[[1.0, 2], [3, 4]], b=[1.0, 2])
        texts = {t.graph.nodes[e.src].name: e.text for e in t.graph.edges}
    assert texts["b"] == "grad，在广播出的维度上求和"
    np.testing.assert_allclose(t.graph["b"].grad, [0.5, 0.5])


# ---------------------------------------------------------------------------------------------
# Pictures and the step-through page


def svg_texts(path) -> list[str]:
    return [t.text or "" for t in ET.parse(path).getroot().iter(f"{SVG}text")]


def test_the_module_view_writes_its_rules_in_chinese(tmp_path):
    en_path = small_net().render(tmp_path / "en.svg", view="backward")
    with i18n.using("zh"):
        zh_path = small_net().render(tmp_path / "zh.svg", view="backward")
    en, zh = svg_texts(en_path), svg_texts(zh_path)
    assert "VJP ∂/∂bias = grad summed over the batch" in en and "gradient [3, 3]" in en
    assert "向量-雅可比积 ∂/∂bias = grad 在批量上求和" in zh and "梯度 [3, 3]" in zh
    assert "向量-雅可比积 ∂/∂weight = gradᵀ · x" in zh
    assert "[3, 3], [3] → 标量" in zh and "[3, 3], [3] → scalar" in en
    assert not [line for line in zh if re.search(r"[a-z]{3,} [a-z]{3,}", line)], zh
    assert numbers(" ".join(zh)) == numbers(" ".join(en))
    fonts = {t.get("font-family") for t in ET.parse(zh_path).getroot().iter(f"{SVG}text")}
    assert all("Noto Sans CJK SC" in f for f in fonts), fonts


def test_the_op_graph_edges_say_the_rule_in_chinese(tmp_path):
    from explainer.api import trace

    args = ("out = mean(x + b)",)
    values = {"x": [[1.0, 2], [3, 4]], "b": [1.0, 2]}
    en = svg_texts(trace(*args, **values).render(tmp_path / "en.svg", view="backward"))
    with i18n.using("zh"):
        zh = svg_texts(trace(*args, **values).render(tmp_path / "zh.svg", view="backward"))
    assert "VJP: grad / n broadcast to the shape of x + b" in en
    assert "VJP: grad, summed over broadcast dims" in en
    assert "向量-雅可比积：grad / n 广播成 x + b 的形状" in zh
    assert "向量-雅可比积：grad，在广播出的维度上求和" in zh
    assert not [line for line in zh if "VJP" in line or "broadcast" in line]
    assert numbers(" ".join(zh)) == numbers(" ".join(en))


def test_the_step_through_page_of_a_tensor_graph_in_chinese():
    from explainer.api import trace
    from explainer.render.animate import frames

    with i18n.using("zh"):
        lines = [line for frame in frames(trace("out = mean(x + b)", x=[[1.0, 2], [3, 4]], b=[1.0, 2]).graph)
                 for line, _quiz in frame["lines"]]
    assert "局部规则  向量-雅可比积：grad / n 广播成 x + b 的形状" in lines
    assert "局部规则  向量-雅可比积：grad，在广播出的维度上求和" in lines
    assert "链式法则  ∂out/∂b = VJP(∂out/∂(x + b)) = [0.5, 0.5]" in lines


@pytest.mark.parametrize("op", ["sum", "mean", "linear", "cross_entropy", "conv2d", "lstm", "embedding"])
def test_each_rule_in_words_reads_chinese_with_its_operands(op):
    entry = OPS[op]
    names = ["a", "b", "c", "d", "e", "f", "g"][:len(entry.text)]
    with i18n.using("zh"):
        shown = [entry.derivative_text(i, names, "out") for i in range(len(entry.text))]
    english = [entry.derivative_text(i, names, "out") for i in range(len(entry.text))]
    for text, zh, en in zip(entry.text, shown, english):
        if wordy(text):
            assert HAN.search(zh) and not HAN.search(en), (zh, en)
            for name in re.findall(r"\{(\d)\}", text):   # the operand a rule names is in both
                assert names[int(name)] in zh and names[int(name)] in en
        else:
            assert zh == en
