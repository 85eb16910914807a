"""The end-of-run table in Chinese (issue 14): every extra result an example reports has a row
label in the catalogue, so no `initial_loss`-style key is left in a Chinese table."""
from __future__ import annotations

import pytest
from test_data import DATA_DIR, needs_data
from test_i18n import run

from explainer.commands.train import EXTRA_LABELS
from explainer.examples import EXAMPLES, RunOptions, run_example
from explainer.i18n import _, using

SHORT = {"linreg-manual": {"steps": 5}, "linreg-module": {"steps": 5}, "two-layer-manual": {"steps": 5},
         "two-layer-sequential": {"steps": 5}, "two-layer-module": {"steps": 5}, "numpy-vs-torch": {"steps": 5},
         "optimizers": {"steps": 5}, "lstm": {"steps": 3}}
WITH_DATA = {"sms-dataset": {}, "digits-mlp": {"steps": 1, "limit": 64}, "mnist-mlp": {"steps": 1, "limit": 64},
             "cnn": {"steps": 1, "limit": 64}, "gan": {"steps": 1, "limit": 64}}


def extra_keys(name, settings):
    result = run_example(name, RunOptions(engine="torch", device="cpu", data_dir=DATA_DIR, **settings))
    return set(result.extra) - {"history", "epochs"}   # these two are drawn as rows of their own


def quick_examples():
    return [name for name in EXAMPLES if name not in WITH_DATA]


@pytest.mark.parametrize("name", quick_examples())
def test_every_extra_result_has_a_chinese_row_label(name):
    keys = extra_keys(name, SHORT.get(name, {}))
    assert keys <= set(EXTRA_LABELS), f"{name}: no row label for {sorted(keys - set(EXTRA_LABELS))}"
    with using("zh"):
        assert all(_(EXTRA_LABELS[key]) != EXTRA_LABELS[key] for key in keys)


@needs_data
@pytest.mark.parametrize("name", list(WITH_DATA))
def test_every_extra_result_of_a_data_example_has_a_row_label(name):
    keys = extra_keys(name, WITH_DATA[name])
    assert keys <= set(EXTRA_LABELS), f"{name}: no row label for {sorted(keys - set(EXTRA_LABELS))}"


def test_the_table_in_chinese_names_its_rows_in_chinese(tmp_path):
    proc = run(["train", "lstm", "--steps", "3", "--lang", "zh"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    for label in ("初始损失", "在没见过的一段上的损失", "噪声下限"):
        assert label in proc.stdout
    for key in ("initial_loss", "held_out_loss", "noise_floor"):
        assert key not in proc.stdout
