"""explainer run SCRIPT.py: the user's own script runs as `python SCRIPT.py` would, its output
untouched, and every distinct backward pass lands in a gallery with pictures, a check and a
step-through page."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

# the tutorials' first autograd snippets (seeds 000 and 001), deterministic, in one script
TUTORIAL = textwrap.dedent("""
    import torch

    x = torch.ones(2, 2, requires_grad=True)
    print(x)
    y = x+2
    print(y)
    z = y*y*3
    out = z.mean()
    print(out)
    out.backward()
    print(x.grad)

    x = torch.tensor([[1,2],[3,4]],dtype=torch.double,requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward()
    print(x.grad)

    x = torch.tensor([1, 2, 3], dtype=torch.double, requires_grad=True)
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    print(y)
    v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(v)
    print(x.grad)
""")

TRAINING = textwrap.dedent("""
    import sys
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    data, target = torch.randn(8, 3), torch.randn(8, 1)
    for step in range(int(sys.argv[1])):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(data), target)
        loss.backward()
        optimizer.step()
    print(__name__, sys.argv[1:], round(loss.item(), 6))
""")

FAILING = textwrap.dedent("""
    import torch

    w = torch.tensor([2.0, -1.0], requires_grad=True)
    total = (w * w).sum()
    total.backward()
    print("before the failure")

    def broken():
        return 1 / 0

    broken()
""")


def _script(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_tutorial_script_prints_what_python_prints_and_writes_the_gallery(cli, tmp_path):
    script = _script(tmp_path, "tutorial.py", TUTORIAL)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    run = cli("run", "tutorial.py", "-o", "gallery")
    assert run.code == 0, run.err
    assert run.out == plain.stdout                            # the script's output passes through
    assert "tensor([[4.5000, 4.5000]," in run.out
    assert run.err.strip() == "explainer: 3 backward passes, 3 distinct graphs, 3 drawn; wrote gallery/index.html"
    index = (tmp_path / "gallery" / "index.html").read_text()
    assert "1. out.backward() at tutorial.py:11" in index and "3. y.backward() at tutorial.py:27" in index
    assert index.count("torch agrees with every gradient") == 3
    # the pictures use the script's own names; the vector-Jacobian seed v is the one backward got
    forward = (tmp_path / "gallery" / "graph-1-forward.svg").read_text()
    assert "x [2, 2] = [[1, 1], [1, 1]]" in forward and "out = 27" in forward
    check = json.loads((tmp_path / "gallery" / "graph-3-check.json").read_text())
    assert check["ok"] and check["nodes"]["x"]["torch"] == pytest.approx([51.2, 512.0, 0.0512], rel=1e-6)
    steps = (tmp_path / "gallery" / "graph-2-steps.html").read_text()
    assert "tutorial.py: out" in steps


def test_a_training_loop_is_one_graph_called_each_step(cli, tmp_path):
    _script(tmp_path, "train.py", TRAINING)
    run = cli("run", "train.py", "-o", "out", "--", "4")
    assert run.code == 0, run.err
    assert run.out.startswith("__main__ ['4'] ")               # run as __main__, with its arguments
    assert "4 backward passes, 1 distinct graph, 1 drawn" in run.err
    index = (tmp_path / "out" / "index.html").read_text()
    assert "1. loss.backward() at train.py:13, called 4 times" in index
    backward = (tmp_path / "out" / "graph-1-backward.svg").read_text()
    for name in ("∂loss/∂0.weight", "∂loss/∂2.bias"):
        assert name in backward


def test_more_distinct_graphs_than_max_graphs_are_counted(cli, tmp_path):
    _script(tmp_path, "tutorial.py", TUTORIAL)
    run = cli("run", "tutorial.py", "--max-graphs", "1", "-o", "g")
    assert run.code == 0, run.err
    assert "3 backward passes, 3 distinct graphs, 1 drawn" in run.err
    assert "2 more distinct graph(s) were counted, not drawn (--max-graphs 1)" in \
        (tmp_path / "g" / "index.html").read_text()
    assert not (tmp_path / "g" / "graph-2-forward.svg").exists()


def test_a_failing_script_gives_its_own_traceback_and_the_gallery_so_far(cli, tmp_path):
    _script(tmp_path, "fails.py", FAILING)
    run = cli("run", "fails.py", "-o", "g")
    assert run.code == 1
    assert run.out == "before the failure\n"
    lines = run.err.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert 'fails.py", line 12, in <module>' in lines[1] and "runpy" not in run.err
    assert "ZeroDivisionError: division by zero" in run.err
    index = (tmp_path / "g" / "index.html").read_text()
    assert "The script stopped: ZeroDivisionError: division by zero" in index
    assert "1. total.backward() at fails.py:6" in index and "torch agrees with every gradient" in index


def test_engine_explainer_runs_the_tutorial_on_our_engine_with_torchs_text(cli, tmp_path):
    pytest.importorskip("explainer.torch")
    script = _script(tmp_path, "tutorial.py", TUTORIAL)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
    run = cli("run", "tutorial.py", "--engine", "explainer", "-o", "ours")
    assert run.code == 0, run.err
    assert run.out == plain.stdout                           # our tensors print as torch's do
    assert "3 backward passes, 3 distinct graphs, 3 drawn" in run.err
    index = (tmp_path / "ours" / "index.html").read_text()
    assert "engine: explainer" in index and index.count("torch agrees with every gradient") == 3


BLAS_THREADS = """import numpy as np  # noqa: F401  (loads numpy's BLAS)
from threadpoolctl import threadpool_info
print(max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"))
"""


def test_our_engine_runs_a_script_on_one_blas_thread_as_the_examples_do(cli, tmp_path):
    _script(tmp_path, "threads.py", BLAS_THREADS)
    plain = subprocess.run([sys.executable, "threads.py"], capture_output=True, text=True, cwd=tmp_path)
    ours = cli("run", "threads.py", "--engine", "explainer", "-o", "ours")
    theirs = cli("run", "threads.py", "--engine", "torch", "-o", "theirs")
    assert ours.code == 0 and theirs.code == 0, ours.err + theirs.err
    assert ours.out.strip() == "1"
    assert theirs.out == plain.stdout   # under torch the script keeps numpy's own threading
