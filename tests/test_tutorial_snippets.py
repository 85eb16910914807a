"""The five tutorials' code (tests/snippets/, one idiom each, taken from shared/seeds/) run twice:
with real torch, and with only their import lines pointed at `explainer.torch`.

Each snippet is compared one of four ways (SPECS below):
- "exact":  the printed text is identical (object addresses aside);
- "masked": identical once every number is masked (the snippet draws random numbers, so values
            differ between engines; the text around them — tensor reprs, grad_fn names, dtypes,
            shapes, the number of lines — must not), and the snippet's outcome check holds;
- "close":  identical once numbers are masked, and every number within 1e-5 (relative) of
            torch's: deterministic float32 code whose last digits differ between math libraries;
- "lines":  the same number of printed lines and the outcome check (a shuffled DataLoader);
- "error":  both engines stop with the same exception type and the same message (the tutorial's
            typos, kept as printed).
An outcome check (a function of the snippet's variables and output) runs on both engines.
"""
from __future__ import annotations

import contextlib
import io
import math
import os
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")   # the tutorials call plt.show(); nothing opens a window in tests

SNIPPETS = Path(__file__).resolve().parent / "snippets"

# --------------------------------------------------------------------------- import rewriting

_IMPORT = re.compile(r"^(?P<indent>\s*)import\s+torch(?P<sub>(\.\w+)*)(?P<alias>\s+as\s+\w+)?\s*$")
_FROM = re.compile(r"^(?P<indent>\s*)from\s+torch(?P<sub>(\.\w+)*)\s+import\s+(?P<names>.+)$")


def to_explainer(source: str) -> str:
    """The same script with only `torch` → `explainer.torch` in its import lines."""
    lines = []
    for line in source.splitlines():
        m = _IMPORT.match(line)
        if m:
            indent, sub, alias = m["indent"], m["sub"] or "", m["alias"]
            if alias:
                line = f"{indent}import explainer.torch{sub}{alias}"
            elif sub:          # `import torch.nn` binds the name `torch`, with torch.nn loaded
                line = f"{indent}import explainer.torch{sub}, explainer.torch as torch"
            else:
                line = f"{indent}import explainer.torch as torch"
        else:
            m = _FROM.match(line)
            if m:
                line = f"{m['indent']}from explainer.torch{m['sub'] or ''} import {m['names']}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_import_rewriting_touches_only_import_lines():
    source = ("import torch\nimport torch.nn\nimport torch.nn.functional as F\nfrom torch import nn\n"
              "from torch.utils.data import Dataset,DataLoader\nimport torchvision\nx = torch.ones(2)\n")
    assert to_explainer(source).splitlines() == [
        "import explainer.torch as torch", "import explainer.torch.nn, explainer.torch as torch",
        "import explainer.torch.nn.functional as F", "from explainer.torch import nn",
        "from explainer.torch.utils.data import Dataset,DataLoader", "import torchvision",
        "x = torch.ones(2)"]


# --------------------------------------------------------------------------- running a snippet

SMS_LINES = [
    ("ham", "Go until jurong point, crazy.. Available only in bugis n great world la e buffet..."),
    ("ham", "Ok lar... Joking wif u oni..."),
    ("spam", "Free entry in 2 a wkly comp to win FA Cup final tkts 21st May 2005."),
    ("ham", "U dun say so early hor... U c already then say..."),
    ("ham", "Nah I don't think he goes to usf, he lives around here though"),
    ("spam", "FreeMsg Hey there darling it's been 3 week's now and no word back!"),
    ("ham", "Even my brother is not like to speak with me."),
    ("ham", "As per your request 'Melle Melle' has been set as your callertune"),
    ("spam", "WINNER!! As a valued network customer you have been selected to receivea £900 prize!"),
    ("spam", "Had your mobile 11 months or more? U R entitled to Update to the latest colour mobiles"),
    ("ham", "I'm gonna be home soon and i don't want to talk about this stuff anymore tonight"),
    ("spam", "SIX chances to win CASH! From 100 to 20,000 pounds txt> CSH11 and send to 87575."),
    ("ham", "I've been searching for the right words to thank you for this breather."),
    ("ham", "I HAVE A DATE ON SUNDAY WITH WILL!!"),
    ("ham", "Oh k...i'm watching here:)"),
    ("ham", "Eh u remember how 2 spell his name... Yes i did. He v naughty make until i v wet."),
    ("ham", "Fine if that\u2019s the way u feel. That\u2019s the way its gota b"),
    ("spam", "England v Macedonia - dont miss the goals/team news. Txt ur national team to 87077"),
    ("ham", "Is that seriously how you spell his name?"),
    ("ham", "I\u2018m going to try for 2 months ha ha only joking"),
    ("ham", "So \u00fc pay first lar... Then when is da stock comin..."),
    ("ham", "Aft i finish my lunch then i go str down lor. Ard 3 smth lor. U finish ur lunch already?"),
    ("ham", "Rofl. Its true to its name"),
]


def _workdir(tmp_path: Path, engine: str) -> Path:
    """A fresh folder holding what the tutorials expect beside them: model/, results/, the SMS file."""
    work = tmp_path / engine
    (work / "model").mkdir(parents=True)
    (work / "results").mkdir()
    # the tutorial's path r"data\SMSSpamCollection" is, on Linux, one file name with a backslash
    (work / "data\\SMSSpamCollection").write_text(
        "".join(f"{label}\t{text}\n" for label, text in SMS_LINES), encoding="utf-8")
    return work


def run_snippet(name: str, engine: str, tmp_path: Path):
    """(stdout, variables, exception) of one snippet run with `engine` ('torch' or 'explainer')."""
    import torch

    import explainer.torch as etorch

    path = SNIPPETS / f"{name}.py"
    source = path.read_text(encoding="utf-8")
    if engine == "explainer":
        source = to_explainer(source)
    torch.manual_seed(0)
    etorch.manual_seed(0)
    np.random.seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)       # tiny models: torch's thread pool only adds contention here
    out, namespace, error = io.StringIO(), {"__name__": "__main__", "__file__": str(path)}, None
    cwd = os.getcwd()
    os.chdir(_workdir(tmp_path, engine))
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(source, str(path), "exec"), namespace)   # noqa: S102 (our own test files)
    except Exception as exc:  # the snippet's own error is compared, not raised
        error = exc
    finally:
        os.chdir(cwd)
        torch.set_num_threads(threads)
        import matplotlib.pyplot as plt
        plt.close("all")
    return out.getvalue(), namespace, error


def _unaddressed(text: str) -> str:
    return re.sub(r" at 0x[0-9a-fA-F]+", " at 0x…", text)


_NUMBER = r"-?\b\d+(\.\d*)?(e[-+]?\d+)?|-?\.\d+|\bnan\b|-?\binf\b"


def _numbers(text: str) -> list[float]:
    return [float(m.group()) for m in re.finditer(_NUMBER, _unaddressed(text))]


def _masked(text: str) -> str:
    text = re.sub(_NUMBER, "#", _unaddressed(text))
    return re.sub(r"[ \t]+", "", text)      # column padding depends on the values' widths


# --------------------------------------------------------------------------- outcome checks

def _linreg_fit(ns, out):
    w, b = ns["w"].item(), ns["b"].item()
    assert abs(w - 3) < 0.3 and abs(b - 0.8) < 0.2, (w, b)      # tutorial: w 2.9280, b 0.8372


def _module_fit(tolerance):
    def check(ns, out):
        losses = [float(v) for v in re.findall(r"loss: ([\d.]+)", out)]
        assert losses[-1] < losses[0], losses[:3]
        w, b = ns["model"].linear.weight.item(), ns["model"].linear.bias.item()
        assert tolerance is None or (abs(w - 3) < tolerance and abs(b - 0.8) < tolerance), (w, b)
    return check


def _loss_fell(ns, out):
    assert ns["loss"].item() < 0.5 * ns["first_loss"], (ns["first_loss"], ns["loss"].item())


def _xor_predictions(ns, out):
    output = np.asarray(ns["output"].tolist())
    assert output.shape == (3, 1) and ((output > 0) & (output < 1)).all()


def _digits_accuracy(ns, out):
    assert ns["train_accuracy"] > 0.5 and ns["val_accuracy"] > 0.5, (ns["train_accuracy"], ns["val_accuracy"])


def _mnist_accuracy(ns, out):
    assert int(ns["correct"]) > 0.8 * 300 and int(ns["reloaded"]) == int(ns["correct"])


def _matrix_t(ns, out):
    m = np.asarray(ns["matrix"].tolist())
    assert np.array_equal(np.asarray(ns["matrix"].t().tolist()), m.T)


def _sms_batches(ns, out):
    lines = out.splitlines()
    assert lines[-1] == f"{len(SMS_LINES)} {math.ceil(len(SMS_LINES) / 10)}"
    assert out.count("*" * 100) == 3
    for label in ("ham", "spam"):
        assert out.count(f"'{label}'") >= sum(1 for lab, _ in SMS_LINES if lab == label)


def _sgd_converged(ns, out):
    assert ns["f"].item() == pytest.approx(-4.0) and max(abs(v) for v in ns["x"].tolist()) < 1e-4


def _gan_ran(ns, out):
    # two batches of 4; the last `fake` is that batch's detached generator output
    assert tuple(ns["fake"].shape) == (4, 3, 32, 32) and out.count("鉴别网络损失") == 2
    assert 0 < ns["dmean_real"].item() < 1 and ns["gloss"].item() > 0


SPECS = {
    # seed 000 — 梯度下降和反向传播 / 线性回归 / 基础的模型 / 数据加载 / 手写数字识别
    "s000_forward_requires_grad": ("exact", None),
    "s000_requires_grad_and_grad_fn": ("exact", None),
    "s000_no_gard_typo": ("error", None),
    "s000_data_and_numpy": ("exact", None),
    "s000_linreg_manual": ("masked", _linreg_fit),
    "s000_module_optimizer_loss": ("exact", None),
    "s000_linreg_module": ("masked", _module_fit(0.15)),
    "s000_linreg_device": ("masked", _module_fit(None)),
    "s000_device_choice": ("exact", None),
    "s000_sms_dataset": ("exact", None),
    "s000_sms_dataloader": ("lines", _sms_batches),
    "s000_relu": ("exact", None),
    "s000_cross_entropy": ("exact", None),
    "s000_mnist_full": ("masked", _mnist_accuracy),
    "s000_save_load": ("exact", None),
    "s000_max_eq_accuracy": ("exact", None),
    "s000_grad_accumulates": ("exact", None),
    "s000_backward_twice": ("error", None),
    "s000_gard_typo": ("error", None),
    # seed 001 — 使用pytorch反向传播
    "s001_autograd_float64": ("exact", None),
    "s001_vector_jacobian": ("exact", None),
    "s001_two_layer_manual": ("masked", _loss_fell),
    "s001_two_layer_sequential": ("masked", _loss_fell),
    "s001_two_layer_module": ("masked", _loss_fell),
    "s001_init_normal": ("exact", None),
    # seed 002 — PyTorch入门 (numpy vs torch, digits)
    "s002_float_tensor": ("exact", None),
    "s002_matrix_transpose": ("masked", _matrix_t),
    "s002_variable": ("exact", None),
    "s002_nn_optim_modules": ("exact", None),
    "s002_numpy_vs_torch": ("masked", _xor_predictions),
    "s002_digits_training": ("masked", _digits_accuracy),
    "s002_loss_data_index": ("error", None),
    # seed 003 — 基础的模型 (second copy)
    "s003_sequential_shortcut": ("exact", None),
    "s003_device_typo": ("error", None),
    # seed 004 — pytorch 速查 (factories, SGD, losses, init, conv, pooling, LSTM, GAN)
    "s004_sequential_relu": ("exact", None),
    "s004_factories": ("exact", None),
    "s004_reshape_cat_stack": ("exact", None),
    "s004_cos_square_grad": ("exact", None),
    "s004_sgd_steps": ("close", _sgd_converged),
    "s004_mse_loss": ("exact", None),
    "s004_mse_arange_typo": ("error", None),
    "s004_weights_init": ("exact", None),
    "s004_weights_init_on_relu": ("error", None),
    "s004_conv2d": ("exact", None),
    "s004_padding": ("exact", None),
    "s004_padding_typo": ("error", None),
    "s004_cnn_net": ("exact", None),
    "s004_cnn_sequential": ("exact", None),
    "s004_lstm": ("exact", None),
    "s004_gan_data_loop": ("exact", None),
    "s004_gan": ("masked", _gan_ran),
}

# Snippets that do not pass yet, each with its reason (the closing note of issue 11 counts them).
# Snippets that do not pass yet, each with its reason (none since the LSTM/GAN layers landed).
KNOWN_FAILURES: dict[str, str] = {}

# 30,000 optimizer steps; 500 steps of a 1000-100-10 net (over 10 s each on a loaded 2-core box)
SLOW = {"s000_linreg_module", "s001_two_layer_manual", "s001_two_layer_sequential",
        "s001_two_layer_module"}


def _params():
    for name in sorted(SPECS):
        marks = []
        if name in KNOWN_FAILURES:
            marks.append(pytest.mark.xfail(reason=KNOWN_FAILURES[name], strict=True))
        if name in SLOW:
            marks.append(pytest.mark.slow)
        yield pytest.param(name, marks=marks, id=name)


def test_every_snippet_file_has_a_spec():
    assert sorted(p.stem for p in SNIPPETS.glob("*.py")) == sorted(SPECS)


@pytest.mark.parametrize("name", list(_params()))
def test_snippet_gives_torchs_results(name, tmp_path):
    mode, check = SPECS[name]
    theirs, their_vars, their_error = run_snippet(name, "torch", tmp_path)
    ours, our_vars, our_error = run_snippet(name, "explainer", tmp_path)
    if mode == "error":
        assert their_error is not None, "torch ran the snippet without an error"
        assert our_error is not None, f"explainer.torch ran it without torch's {their_error!r}"
        assert isinstance(our_error, type(their_error)), (our_error, their_error)
        assert str(our_error).replace("explainer.torch", "torch") == str(their_error)
        assert _unaddressed(ours) == _unaddressed(theirs)
        return
    assert their_error is None, f"torch itself fails: {their_error!r}"
    if our_error is not None:
        raise AssertionError(f"explainer.torch fails where torch runs: "
                             f"{type(our_error).__name__}: {our_error}") from our_error
    if mode == "exact":
        assert _unaddressed(ours) == _unaddressed(theirs)
    elif mode in ("masked", "close"):
        assert _masked(ours) == _masked(theirs)
        if mode == "close":
            np.testing.assert_allclose(_numbers(ours), _numbers(theirs), rtol=1e-5, atol=1e-7)
    else:
        assert len(ours.splitlines()) == len(theirs.splitlines())
    if check is not None:
        check(their_vars, theirs)
        check(our_vars, ours)
