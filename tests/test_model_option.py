"""--model: every training example's network, and a module from the user's own file
(`FILE.py:NAME` with --input-shape and --loss), drawn, checked and explained from the CLI."""
from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from explainer.errors import ExplainerError
from explainer.models import get_model, model_names

USER_NET = textwrap.dedent("""
    import torch
    from torch import nn

    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(4, 3)
            self.out = nn.Linear(3, 2)

        def forward(self, x):
            return self.out(torch.tanh(self.hidden(x)))

    net = Tiny()

    def make():
        return Tiny()

    answer = 42

    if __name__ == "__main__":
        raise SystemExit("the model file's main block must not run")
""")

OUR_NET = textwrap.dedent("""
    from explainer import nn

    def build():
        return nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
""")


@pytest.fixture
def user_file(tmp_path):
    path = tmp_path / "src" / "mynet.py"
    path.parent.mkdir()
    path.write_text(USER_NET)
    return path


def test_every_example_network_is_a_model():
    names = model_names()
    for name in ("cnn", "digits-mlp", "two-layer-sequential", "two-layer-module", "two-layer-manual",
                 "linreg-module", "linreg-manual", "mnist-mlp", "neuron-paths"):
        assert name in names


def test_the_lstm_and_gan_networks_join_when_their_examples_are_there():
    import importlib.util

    for name in ("lstm", "gan"):
        present = importlib.util.find_spec(f"explainer.examples.{name}") is not None
        assert (name in model_names()) == present


@pytest.mark.parametrize("name, shape", [("linreg-manual", None), ("linreg-module", None),
                                         ("two-layer-module", "4,1000"), ("digits-mlp", "4,784")])
def test_an_example_network_checks_out_in_both_engines(name, shape):
    from explainer.api import trace
    from explainer.torchbridge import from_torch

    model = get_model(name, shape)
    ours = trace(model.build())
    assert ours.check().ok and ours.output.name == "loss"
    output, params, named = model.build_torch()
    theirs = from_torch(output, params=params, inputs=named)
    assert theirs.output_node.name == "loss"
    # the same weights and batch: both engines get the same loss and parameter gradients
    assert float(theirs.output_node.value) == pytest.approx(float(ours.output.value), rel=1e-12)
    for name_, p in params.named_parameters():
        np.testing.assert_allclose(ours[name_].grad, theirs[name_].grad, rtol=1e-9, atol=1e-12)


@pytest.mark.slow
def test_the_cnn_from_the_command_line_in_torchs_graph(cli):
    run = cli("check", "--model", "cnn", "--torch", "--input-shape", "1,1,28,28", timeout=600)
    assert run.code == 0, run.err
    assert "torch agrees with every gradient" in run.out
    for name in ("0.weight", "2.weight", "6.weight", "9.bias", "loss"):
        assert name in run.out


def test_a_user_torch_module_from_a_file(cli, user_file, tmp_path):
    spec = f"{user_file}:net"
    run = cli("check", "--model", spec, "--input-shape", "5,4", "--loss", "cross-entropy", "--json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["ok"] and {"hidden.weight", "hidden.bias", "out.weight", "out.bias"} <= set(report["nodes"])
    assert np.asarray(report["nodes"]["hidden.weight"]["grad"]).shape == (3, 4)
    # the function returning a module works the same, and the picture uses the parameter names
    run = cli("render", "--model", f"{user_file}:make", "--input-shape", "5,4", "--loss", "mse",
              "--view", "backward", "--depth", "ops", "-o", "net.svg")   # every op, not module boxes
    assert run.code == 0, run.err
    svg = (tmp_path / "net.svg").read_text()
    assert "∂loss/∂hidden.weight" in svg and "out.bias" in svg and "x [5, 4]" in svg
    from explainer.commands.common import load

    explanation = load(None, "", spec, input_shape="5,4").explain("out.bias")
    assert "∂loss/∂out.bias = ∂loss/∂output, summed to [2]" in explanation.text()


def test_the_loss_and_shape_go_where_asked(user_file):
    model = get_model(f"{user_file}:net", "7,4", "sum")
    output, params, named = model.build_torch()
    assert tuple(named["x"].shape) == (7, 4) and output.grad_fn.name() == "SumBackward0"
    with pytest.raises(ExplainerError, match="--loss cross-entropy needs an output of shape"):
        get_model(f"{user_file}:net", "7,2,4", "cross-entropy").build_torch()


def test_an_explainer_module_from_a_file(tmp_path):
    from explainer.api import trace

    path = tmp_path / "ours.py"
    path.write_text(OUR_NET)
    model = get_model(f"{path}:build", "6,3", "mse")
    assert model.build_torch is None
    traced = trace(model.build())
    assert traced.check().ok
    assert {"0.weight", "0.bias", "2.weight", "2.bias"} <= {n.name for n in traced.graph.leaves()}


def test_model_file_refusals(user_file, tmp_path):
    with pytest.raises(ExplainerError, match=r"^no file .*missing\.py: --model takes FILE\.py:NAME"):
        get_model(f"{tmp_path}/missing.py:net", "5,4")
    with pytest.raises(ExplainerError, match=r"defines no Net; it defines Tiny, make, net$"):
        get_model(f"{user_file}:Net", "5,4")
    with pytest.raises(ExplainerError, match=r"answer in .* is a int, not a module or a function returning one"):
        get_model(f"{user_file}:answer", "5,4")
    with pytest.raises(ExplainerError, match=r"needs --input-shape, the shape of the batch it reads"):
        get_model(f"{user_file}:net")
    with pytest.raises(ExplainerError, match=r"rejects an input of shape \[5, 3\]: mat1 and mat2 shapes cannot"):
        get_model(f"{user_file}:net", "5,3").build_torch()
