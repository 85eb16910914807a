"""`explainer examples` and `explainer train`, driven through typer's CliRunner on the app from conftest.py."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from explainer import data
from explainer.commands import train as train_commands
from explainer.errors import ExplainerError
from explainer.examples import EXAMPLES
from test_data import DATA_DIR, needs_data

runner = CliRunner()


def invoke(app, *args):
    return runner.invoke(app, list(args), catch_exceptions=True)


def test_examples_lists_every_example_one_line_each(app):
    result = invoke(app, "examples", "--json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert sorted(listed) == sorted(EXAMPLES)
    assert listed["mnist-mlp"]["engines"] == ["torch", "explainer"]
    table = invoke(app, "examples")
    assert table.exit_code == 0
    rows = [line for line in table.stdout.splitlines() if line.startswith("│")]
    names = [row.split("│")[1].strip() for row in rows if row.split("│")[1].strip()]
    assert names == list(EXAMPLES)   # summaries wrap under their name, never cut at 80 columns
    assert "…" not in table.stdout


def test_every_command_help_has_an_example(app):
    for command in ("examples", "train"):
        result = invoke(app, command, "--help")
        assert result.exit_code == 0 and "Example:" in result.stdout
    assert "--show-bug" in invoke(app, "train", "--help").stdout


def test_train_json_prints_one_object_with_the_summary_keys(app):
    result = invoke(app, "train", "linreg-manual", "--json", "--device", "cpu")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)  # stdout is the JSON alone: no bars, no notes
    assert {"example", "engine", "device", "seconds", "final_loss", "params"} <= set(summary)
    assert (summary["example"], summary["engine"], summary["device"]) == ("linreg-manual", "torch", "cpu")
    assert abs(summary["params"]["w"] - 3) < 0.1 and abs(summary["params"]["b"] - 0.8) < 0.1
    assert 0 < summary["final_loss"] < 1e-3 and summary["seconds"] > 0


def test_train_our_engine_from_the_cli(app):
    result = invoke(app, "train", "linreg-manual", "--engine", "explainer", "--steps", "500", "--json")
    summary = json.loads(result.stdout)
    assert summary["engine"] == "explainer" and summary["device"] == "cpu"
    assert 2.0 < summary["params"]["w"] < 3.5


def test_summary_table_shows_ours_beside_the_tutorials(app):
    result = invoke(app, "train", "linreg-manual", "--steps", "200", "--device", "cpu")
    assert result.exit_code == 0
    assert "w = 2.9280, b = 0.8372" in result.stdout and "the tutorial" in result.stdout
    assert "final loss" in result.stdout and "--out DIR" not in result.stdout  # not a TTY: no hints


def test_the_rich_progress_reporter_follows_a_run():
    """What a terminal shows: the bar advances to the total with the live loss."""
    from explainer.examples import RunOptions, run_example

    reporter = train_commands._RichReporter()
    result = run_example("linreg-manual", RunOptions(steps=120, device="cpu", reporter=reporter))
    assert reporter.progress is None  # stopped at the end
    assert len(result.losses) == 120 and result.notes == reporter.notes


def test_unknown_example_lists_the_known_ones(app):
    result = invoke(app, "train", "mnist")
    assert isinstance(result.exception, ExplainerError)
    assert "unknown example 'mnist'; known examples:" in str(result.exception)
    assert "mnist-mlp" in str(result.exception)


def test_missing_dataset_is_one_sentence_naming_files_and_folder(app, tmp_path, monkeypatch):
    monkeypatch.setattr(data, "MNIST_MIRRORS", ("http://127.0.0.1:9/",))  # offline
    result = invoke(app, "train", "mnist-mlp", "--data-dir", str(tmp_path), "--json")
    assert isinstance(result.exception, ExplainerError)
    message = str(result.exception)
    assert str(tmp_path / "MNIST" / "raw") in message and "train-images-idx3-ubyte.gz" in message
    assert message.count(".") >= 1 and "\n" not in message
    assert result.stdout == ""


def test_a_data_dir_that_does_not_exist_is_named(app, tmp_path):
    result = invoke(app, "train", "sms-dataset", "--data-dir", str(tmp_path / "nowhere"))
    assert isinstance(result.exception, ExplainerError)
    assert f"--data-dir {tmp_path / 'nowhere'} is not a folder" in str(result.exception)
    assert not (tmp_path / "nowhere").exists()  # nothing created behind the user's back


def test_resume_through_the_cli_ends_where_an_uninterrupted_run_ends(app, tmp_path):
    straight = json.loads(invoke(app, "train", "linreg-manual", "--steps", "400", "--seed", "5", "--json").stdout)
    first = invoke(app, "train", "linreg-manual", "--steps", "150", "--seed", "5", "--out", str(tmp_path), "--json")
    assert first.exit_code == 0 and (tmp_path / "checkpoints" / "linreg-manual-torch.pt").is_file()
    resumed = invoke(app, "train", "linreg-manual", "--steps", "400", "--seed", "5", "--out", str(tmp_path),
                     "--resume", "--json")
    assert json.loads(resumed.stdout)["params"] == straight["params"]
    plots = json.loads(resumed.stdout)["plots"]
    assert any(p.endswith("linreg-manual-fit.svg") for p in plots)


def test_corrupt_checkpoint_through_the_cli(app, tmp_path):
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "linreg-manual-torch.pt").write_bytes(b"\x80\x02garbage")
    result = invoke(app, "train", "linreg-manual", "--out", str(tmp_path), "--resume", "--json")
    assert isinstance(result.exception, ExplainerError)
    assert "is unusable" in str(result.exception) and "run without --resume" in str(result.exception)


@needs_data
def test_sms_dataset_through_the_cli(app):
    result = invoke(app, "train", "sms-dataset", "--data-dir", str(DATA_DIR), "--json")
    summary = json.loads(result.stdout)
    assert summary["samples"] == 5574 and summary["batches"] == 558 and summary["final_loss"] is None


@needs_data
def test_digits_show_bug_through_the_cli_prints_both_results(app):
    result = invoke(app, "train", "digits-mlp", "--data-dir", str(DATA_DIR), "--epochs", "1", "--limit", "1500",
                    "--show-bug", "--device", "cpu", "--json")
    summary = json.loads(result.stdout)
    assert 0 < summary["accuracy"] <= 1
    assert 0 < summary["bug"]["validation_accuracy"] < summary["accuracy"]
