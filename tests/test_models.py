"""Built-in networks for --model: neuron-level paths, tensor-level shapes, torch's own graph."""
import re
import xml.etree.ElementTree as ET

import pytest

from explainer.commands.common import load
from explainer.ops import OPS

SVG = "{http://www.w3.org/2000/svg}"


def svg_text(path) -> str:
    return " ".join(t.text or "" for t in ET.parse(path).getroot().iter(f"{SVG}text"))


def test_neuron_paths_two_paths_sum_to_torchs_gradient():
    from explainer.models.neuron_paths_torch import build

    explanation = load(None, "", "neuron-paths").explain("W1[1,2]")
    out, params = build()
    out.backward()
    assert len(explanation.paths) == 2
    # path 1 goes through b1 and W3[1,1], path 2 through b2 and W3[2,1], as in the tutorial
    assert "W3[1,1]" in explanation.paths[0].symbolic and "W3[2,1]" in explanation.paths[1].symbolic
    assert explanation.total == pytest.approx(params["W1"].grad[0, 1].item(), rel=1e-12)
    assert sum(p.value for p in explanation.paths) == pytest.approx(explanation.total, rel=1e-12)


def test_render_neuron_paths_explain_labels_both_paths_and_the_sum(cli, tmp_path):
    run = cli("render", "--model", "neuron-paths", "--explain", "W1[1,2]", "-o", "p.svg")
    assert run.code == 0, run.err
    text = svg_text(tmp_path / "p.svg")
    assert "path 1" in text and "path 2" in text
    assert re.search(r"∂out/∂W1\[1,2\] = 0\.000924716 \+ 0\.018935 = 0\.0198597", text)


def test_neuron_paths_groups_by_layer_and_neuron_and_collapses(cli, tmp_path):
    graph = load(None, "", "neuron-paths").graph
    assert graph["a2"].group == "layer 1/neuron 2" and graph["W3[2,1]"].group == "output"
    run = cli("render", "--model", "neuron-paths", "--collapse", "layer", "--view", "forward", "-o", "l.dot")
    assert run.code == 0, run.err
    source = (tmp_path / "l.dot").read_text()
    assert "layer 1" in source and "layer 2" in source and "W1[1,2]" not in source


def test_mnist_mlp_backward_view_shows_shapes_and_vjp_rules(cli, tmp_path):
    run = cli("render", "--model", "mnist-mlp", "--view", "backward", "--depth", "ops", "-o", "g.svg")
    assert run.code == 0, run.err
    text = svg_text(tmp_path / "g.svg")
    for shape in ("[64, 784]", "[64, 28]", "[64, 10]"):
        assert shape in text
    assert "gradᵀ · x" in text and "grad · [fc1(x) > 0]" in text


def test_mnist_mlp_torch_graph_has_the_same_ops(cli, tmp_path):
    ours = load(None, "", "mnist-mlp").graph
    theirs = load(None, "", "mnist-mlp", use_torch=True).graph
    our_ops = {OPS[n.op].grad_fn for n in ours.nodes if n.op}
    torch_ops = set(theirs.grad_fns.values())   # torch's graph, rebuilt in the registry's ops
    assert our_ops == {"AddmmBackward0", "ReluBackward0", "LogSoftmaxBackward0", "NllLossBackward0"}
    assert our_ops <= torch_ops
    assert {n.op for n in theirs.nodes if n.op} == {"matmul", "add", "transpose", "relu", "log_softmax",
                                                     "nll_loss"}
    assert theirs.output_node.name == "loss" and theirs["x"].shape == (64, 784)
    assert {n.name for n in theirs.leaves()} == {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}
    run = cli("render", "--model", "mnist-mlp", "--torch", "--view", "backward", "-o", "t.svg")
    assert run.code == 0, run.err
    assert "AddmmBackward0" in svg_text(tmp_path / "t.svg")


@pytest.mark.parametrize("model", ["neuron-paths", "two-layer", "mnist-mlp"])
def test_every_model_passes_the_torch_check(model):
    assert load(None, "", model).check().ok
    assert load(None, "", model, use_torch=True).check().ok   # torch's graph against our replay


def test_unknown_model_lists_the_known_ones(cli):
    run = cli("check", "--model", "resnet")
    assert run.code == 2
    assert run.err.strip().startswith("error: unknown model 'resnet'; known models: neuron-paths, two-layer, "
                                      "mnist-mlp, two-layer-manual, linreg-manual, linreg-module, ")
    assert run.err.strip().endswith(", cnn, or FILE.py:NAME for a module in your own file") or \
        run.err.strip().endswith(", gan, or FILE.py:NAME for a module in your own file")
