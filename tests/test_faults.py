"""Faults (issue 7): nan/inf named at the node where they first appear, dot missing, hung or
crashing, damaged dataset files, an unwritable --out, and a training run killed mid-epoch that
resumes to exactly the parameters of an uninterrupted run."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from explainer import data
from explainer.api import trace
from explainer.errors import ExplainerError, ExplainerMathError
from explainer.numerics import first_nonfinite
from explainer.render import dot as dot_module
from test_data import DATA_DIR, needs_data

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- nan and inf, named where they appear

def test_nan_in_the_forward_pass_is_named_at_its_first_node():
    traced = trace("f = sum(exp(log(x)))", x=np.array([1.0, -1.0, 2.0]))
    trouble = first_nonfinite(traced.graph)
    node, where = trouble
    assert (node.name, where, trouble.kind, trouble.count, trouble.size) == ("log(x)", "value", "nan", 1, 3)
    assert trouble.message == ("nan first appears in the forward pass at node 'log(x)' = log(x) "
                               "(1 of 3 elements)")
    assert traced.nonfinite.warning() == (
        "warning: nan first appears in the forward pass at node 'log(x)' = log(x) (1 of 3 elements); what is "
        "computed from it means nothing, and the check counts it as a mismatch")


def test_overflow_in_the_forward_pass_is_inf_at_the_exp():
    traced = trace("y = sum(x * exp(x))", x=np.array([1.0, 800.0]))
    trouble = traced.nonfinite
    assert (trouble.node.name, trouble.where, trouble.kind) == ("exp(x)", "value", "inf")


def test_inf_born_in_the_backward_pass_names_the_step_and_its_local_derivative():
    traced = trace("f = sum(sqrt(x))", x=np.array([0.0, 4.0]))
    assert np.isfinite(traced["f"].value)   # the forward pass is fine: sqrt(0) = 0
    trouble = traced.nonfinite
    assert (trouble.node.name, trouble.where, trouble.kind, trouble.via.name) == ("x", "gradient", "inf", "sqrt(x)")
    assert trouble.message == ("inf first appears in the backward pass in the gradient of 'x' (1 of 2 elements), "
                               "in the backward step through 'sqrt(x)' (sqrt, local derivative grad · 1/(2√x))")
    assert traced["x"].grad.tolist() == [np.inf, 0.25]


def test_nan_gradient_of_a_negative_base_power_in_the_scalar_engine():
    traced = trace("f = x^y", x=-2, y=2)
    assert traced["f"].value == 4.0 and traced["x"].grad == -4.0
    trouble = traced.nonfinite
    assert (trouble.node.name, trouble.where, trouble.kind, trouble.via.name) == ("y", "gradient", "nan", "f")
    assert "local derivative x^y·ln(x)" in trouble.message


def test_the_check_counts_nonfinite_numbers_as_a_mismatch_even_where_torch_agrees():
    # torch computes the same nan here, so every row agrees: the report must still say not ok
    report = trace("f = sum(log(x))", x=np.array([1.0, -1.0])).check()
    assert all(row.ok for row in report.rows)
    assert report.ok is False
    assert report.to_json()["nonfinite"] == {
        "node": "log(x)", "where": "value", "kind": "nan",
        "message": "nan first appears in the forward pass at node 'log(x)' = log(x) (1 of 2 elements)"}
    assert "nan in the graph" in report.table().title
    json.dumps(report.to_json(), allow_nan=False)


def test_a_clean_graph_has_no_trouble_and_checks_ok():
    traced = trace("J = 3(a + bc)", a=5, b=3, c=2)
    assert traced.nonfinite is None and first_nonfinite(traced.graph) is None
    report = traced.check()
    assert report.ok and report.to_json()["nonfinite"] is None


@pytest.mark.parametrize("expression, values, message", [
    ("sqrt(x)", {"x": 0}, "the gradient is undefined at √x: its local derivative ∂(√x)/∂x = 1/(2·√x) "
                          "is infinite or undefined at x = 0"),
    ("y = x^0.5 + x", {"x": 0}, "the gradient is undefined at x^0.5: its local derivative "
                                "∂(x^0.5)/∂x = 0.5·x^(-0.5) is infinite or undefined at x = 0"),
])
def test_an_undefined_scalar_gradient_is_one_sentence(expression, values, message):
    with pytest.raises(ExplainerMathError) as caught:
        trace(expression, values)
    assert str(caught.value) == message


def test_cli_check_with_nan_exits_1_and_names_the_node(cli):
    run = cli("check", "f = sum(log(x))", "--at", "x=[1,-1]", "--json")
    assert run.code == 1, run.err
    report = json.loads(run.out)
    assert report["ok"] is False and report["nonfinite"]["node"] == "log(x)"
    assert "RuntimeWarning" not in run.err   # numpy's own warnings are replaced by the report


# ---------------------------------------------------------------- graphviz's dot: missing, failing, hung

def _fake_dot(folder: Path, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    script = folder / "dot"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return folder


@pytest.fixture
def j_abc():
    return trace("J = 3(a + bc)", a=5, b=3, c=2)


def test_missing_dot_is_one_sentence(j_abc, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ExplainerError) as caught:
        j_abc.render(tmp_path / "j.svg")
    assert str(caught.value) == dot_module.DOT_MISSING
    assert j_abc.render(tmp_path / "j.dot").read_text().startswith("digraph")  # DOT source needs no dot


def test_crashing_dot_is_one_sentence(j_abc, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(_fake_dot(tmp_path / "bin", "kill -SEGV $$")))
    with pytest.raises(ExplainerError) as caught:
        j_abc.render()
    assert str(caught.value) == ("graphviz's dot crashed (SIGSEGV) while drawing the graph; try --collapse "
                                 "or a smaller graph, or reinstall graphviz")


def test_failing_dot_quotes_its_first_error_line(j_abc, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(_fake_dot(tmp_path / "bin", "echo 'Error: out of memory' >&2; exit 1")))
    with pytest.raises(ExplainerError, match=r"^graphviz's dot could not draw the graph: Error: out of memory$"):
        j_abc.render()


def test_hung_dot_is_killed_at_the_time_limit(j_abc, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(_fake_dot(tmp_path / "bin", f"exec {shutil.which('sleep')} 60")))
    monkeypatch.setenv("EXPLAINER_DOT_TIMEOUT", "0.5")
    started = time.monotonic()
    with pytest.raises(ExplainerError) as caught:
        j_abc.render(tmp_path / "j.svg")
    assert time.monotonic() - started < 10
    assert str(caught.value) == (
        "graphviz's dot did not finish drawing the graph within 0.5 s; draw fewer boxes with --collapse or a "
        "lower --max-nodes, or allow more time with EXPLAINER_DOT_TIMEOUT=SECONDS")
    assert not (tmp_path / "j.svg").exists()


@pytest.mark.parametrize("value", ["soon", "0", "-3", "nan", "inf"])
def test_a_bad_dot_timeout_setting_is_one_sentence(j_abc, monkeypatch, value):
    monkeypatch.setenv("EXPLAINER_DOT_TIMEOUT", value)
    with pytest.raises(ExplainerError) as caught:
        j_abc.render()
    assert str(caught.value) == f"EXPLAINER_DOT_TIMEOUT must be a positive number of seconds, not {value!r}"


def test_cli_render_with_a_hung_dot_exits_2(cli, tmp_path):
    bin_dir = _fake_dot(tmp_path / "bin", f"exec {shutil.which('sleep')} 60")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "EXPLAINER_DOT_TIMEOUT": "1"}
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "render", "x*y", "--at", "x=1,y=2", "-o",
                           "g.svg"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: graphviz's dot did not finish drawing the graph within 1 s;")


# ---------------------------------------------------------------- damaged dataset files

@pytest.fixture
def mnist_copy(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data.MNIST_FILES:
        shutil.copy(DATA_DIR / "MNIST" / "raw" / name, raw / name)
    return tmp_path


@needs_data
def test_truncated_mnist_file_fails_its_md5_check(mnist_copy):
    path = mnist_copy / "MNIST" / "raw" / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ExplainerError) as caught:
        data.load_mnist(mnist_copy, train=False, download=False)
    assert str(caught.value) == (f"{path} fails its MD5 check (expected ec29112dd5afa0611ce80d1b7f02629c); "
                                 "delete it and fetch it again.")


@needs_data
def test_mnist_file_with_one_changed_byte_fails_its_md5_check(mnist_copy):
    path = mnist_copy / "MNIST" / "raw" / "train-labels-idx1-ubyte.gz"
    raw = bytearray(path.read_bytes())
    raw[-100] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ExplainerError, match=r"train-labels-idx1-ubyte\.gz fails its MD5 check \(expected "
                                             r"d53e105ee54ea40749a09fcbcd1e9432\)"):
        data.load_mnist(mnist_copy, train=True, download=False)


@needs_data
@pytest.mark.slow   # torch's import and the model come before the files are read: several seconds
def test_cli_train_on_a_truncated_mnist_exits_2(cli, mnist_copy):
    path = mnist_copy / "MNIST" / "raw" / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:5000])
    run = cli("train", "mnist-mlp", "--data-dir", str(mnist_copy), "--limit", "100", "--epochs", "1")
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err == (f"error: {path} fails its MD5 check (expected f68b3c2dcbeaaa9fbdd348bbdeb94873); "
                       "delete it and fetch it again.\n")


@needs_data
def test_truncated_sms_file_says_truncated(tmp_path):
    (tmp_path / "sms").mkdir()
    path = tmp_path / "sms" / "SMSSpamCollection"
    path.write_bytes((DATA_DIR / "sms" / "SMSSpamCollection").read_bytes()[:200_000])
    with pytest.raises(ExplainerError) as caught:
        data.read_sms(tmp_path)
    assert str(caught.value) == (f"{path} fails its MD5 check (expected 1949b64a224790d01335c2bf8a0e48b2); "
                                 "it has 200,000 of the 477,907 bytes, so it is truncated; replace it with "
                                 "UCI's original file.")


@needs_data
def test_sms_file_with_a_changed_message_fails_its_md5_check(tmp_path):
    (tmp_path / "sms").mkdir()
    text = (DATA_DIR / "sms" / "SMSSpamCollection").read_text(encoding="utf-8")
    (tmp_path / "sms" / "SMSSpamCollection").write_text(text.replace("ham\t", "spam\t", 1), encoding="utf-8")
    with pytest.raises(ExplainerError, match=r"fails its MD5 check .*replace it with UCI's original file\.$"):
        data.read_sms(tmp_path)


# ---------------------------------------------------------------- an unwritable --out

@pytest.mark.parametrize("out, why", [("a-file/sub", "Not a directory"), ("a-file", "File exists")])
def test_unwritable_out_is_one_sentence_before_training(cli, tmp_path, out, why):
    (tmp_path / "a-file").write_text("not a folder")
    run = cli("train", "linreg-manual", "--steps", "5", "--out", out)
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err == (f"error: --out {out} is not a folder this run can write to ({why}); "
                       "choose another with --out DIR.\n")


def test_out_in_a_read_only_folder_is_refused(tmp_path):
    from explainer.examples import RunOptions, run_example

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as root: permissions do not stop writes")
        with pytest.raises(ExplainerError, match=r"is not a folder this run can write to \(Permission denied\)"):
            run_example("linreg-manual", RunOptions(steps=5, out=locked / "run"))
    finally:
        locked.chmod(0o700)


# ---------------------------------------------------------------- killed mid-epoch, resumed

def _train(out: Path, *extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "cli.py"), "train", "mnist-mlp", "--engine", "torch", "--device", "cpu",
            "--limit", "3000", "--epochs", "3", "--seed", "5", "--data-dir", str(DATA_DIR), "--out", str(out),
            "--json", *extra]


def _weights(out: Path) -> dict:
    import torch

    state = torch.load(out / "checkpoints" / "mnist-mlp-torch.pt", weights_only=True)
    return state


@needs_data
@pytest.mark.slow
def test_run_killed_mid_epoch_resumes_to_the_uninterrupted_parameters(tmp_path):
    import torch

    straight, split = tmp_path / "straight", tmp_path / "split"
    subprocess.run(_train(straight), check=True, capture_output=True, timeout=600)

    checkpoint = split / "checkpoints" / "mnist-mlp-torch.pt"
    proc = subprocess.Popen(_train(split), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while not checkpoint.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)   # within milliseconds of epoch 1's checkpoint: epoch 2 is under way
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert _weights(split)["epoch"] == 1   # what was lost is (part of) epoch 2, nothing before it

    resumed = subprocess.run(_train(split, "--resume"), capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert [row["epoch"] for row in summary["history"]] == [1, 2, 3]
    a, b = _weights(straight), _weights(split)
    assert a["epoch"] == b["epoch"] == 3
    for name, value in a["model"].items():
        assert torch.equal(value, b["model"][name]), name
    assert a["history"] == b["history"]


def test_a_half_written_checkpoint_does_not_stop_a_resume(tmp_path):
    """A kill during the save leaves OUT/checkpoints/NAME.pt.tmp beside the last good checkpoint."""
    from explainer.examples import RunOptions, run_example

    straight = run_example("linreg-manual", RunOptions(steps=600, seed=4))
    run_example("linreg-manual", RunOptions(steps=300, seed=4, out=tmp_path))
    (tmp_path / "checkpoints" / "linreg-manual-torch.pt.tmp").write_bytes(b"PK\x03\x04 half a zip")
    resumed = run_example("linreg-manual", RunOptions(steps=600, seed=4, out=tmp_path, resume=True))
    assert resumed.params == straight.params
