"""Networks drawn as module boxes: which module call made each node (both engines), the boxes'
names and shapes, slide-shaped pictures (within 3:1), --depth and --rankdir, names that explain.

Every picture is checked from its SVG: the <svg> element's width and height, and its text."""
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import module_nets
from browsers import browser_test
from explainer import nn
from explainer.api import trace
from explainer.errors import ExplainerError
from explainer.render import svg, to_dot
from explainer.scopes import calls_of, torch_op
from explainer.tensor import Tensor

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")
SVG = "{http://www.w3.org/2000/svg}"
INTERNAL = re.compile(r"(?<![\w.])t\d+(?![\w\[])")   # t1, t21: an internal id, never shown


def picture(text: str):
    """(width, height, the text elements joined by newlines) of an SVG document."""
    root = ET.fromstring(text)
    width, height = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    words = "\n".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    return width, height, words


def assert_slide_shaped(text: str):
    width, height, words = picture(text)
    assert max(width, height) / min(width, height) <= 3.0, (width, height)
    assert not INTERNAL.search(words), INTERNAL.search(words)
    return words


def mlp():
    """A two-layer MLP of ours with a CrossEntropyLoss module."""
    rng = np.random.default_rng(0)
    net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    x = Tensor(rng.standard_normal((5, 4)), name="x")
    labels = Tensor(np.array([0, 1, 1, 0, 1]), name="labels")
    return net, trace(nn.CrossEntropyLoss()(net(x), labels))


# -- recording which call made each node -----------------------------------------------------

def test_our_module_calls_tag_every_op_with_its_path_type_and_shapes():
    _, traced = mlp()
    ops = [n for n in traced.graph.nodes if n.kind == "op"]
    paths = [[c.label for c in calls_of(n)] for n in ops]
    assert paths == [["Sequential", "0"], ["Sequential", "1"], ["Sequential", "2"], ["CrossEntropyLoss"]]
    first = calls_of(ops[0])[-1]
    assert (first.kind, first.in_shapes, first.out_shapes) == ("Linear", [(5, 4)], [(5, 3)])
    assert [(name, shape) for name, shape, _ in first.params] == [("0.weight", (3, 4)), ("0.bias", (3,))]
    assert ops[0].group == "Sequential/0"          # still a plain group string for --collapse
    # parameters are named as torch names them; unnamed ops by their op, never t1
    names = [n.name for n in traced.graph.nodes]
    assert names == ["x", "0.weight", "0.bias", "linear", "relu", "2.weight", "2.bias", "linear#2",
                     "labels", "cross_entropy"]


def test_nested_modules_and_repeated_calls():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(x).tanh() * 2.0

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = Block()

        def forward(self, x):
            for _ in range(3):       # one cell, called at every step
                x = self.cell(x)
            return x.sum()

    traced = trace(Net()(Tensor(np.ones((2, 3)), name="x")))
    labels = {tuple(c.label for c in calls_of(n)) for n in traced.graph.nodes if n.kind == "op"}
    assert labels == {("Net",), ("Net", "cell"), ("Net", "cell", "cell.fc"), ("Net", "cell #2"),
                      ("Net", "cell #2", "cell.fc #2"), ("Net", "cell #3"), ("Net", "cell #3", "cell.fc #3")}
    names = [n.name for n in traced.graph.nodes if n.kind == "op"]
    assert names[:3] == ["cell.fc", "cell.tanh", "cell.mul"]
    # depth 1: the three calls of `cell` are one box that says so
    source = to_dot(traced.graph, view="forward").source
    assert "× 3 calls" in source and source.count("<B>cell</B>") == 1
    # depth 2 opens the cell: its Linear is a box inside the cell's cluster
    source = to_dot(traced.graph, view="forward", depth=2).source
    assert "<B>cell.fc</B>" in source and "label=cell" in source


def test_a_forward_that_raises_leaves_no_scope_behind():
    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    with pytest.raises(ValueError):
        Broken()(Tensor(np.ones(2), requires_grad=True))
    _, traced = mlp()                   # the next model starts from an empty stack
    assert calls_of(traced.graph.nodes[3])[0].label == "Sequential"


def test_torch_module_calls_are_recorded_with_hooks():
    traced = module_nets.torch_lstm()
    by_name = {n.name: n for n in traced.graph.nodes}
    fc = next(c for n in traced.graph.nodes for c in calls_of(n) if c.path == "fc")
    assert (fc.path, fc.kind, fc.in_shapes, fc.out_shapes) == ("fc", "Linear", [(20, 4, 5)], [(20, 4, 1)])
    rnn = next(c for n in traced.graph.nodes for c in calls_of(n) if c.path == "rnn")
    assert rnn.kind == "LSTM" and rnn.out_shapes[0] == (20, 4, 5)
    assert ("rnn.weight_ih_l0", (20, 1), None) in rnn.params
    loss = traced.graph.output_node
    assert not calls_of(loss) and all(c.path in ("", "rnn", "fc") for n in traced.graph.nodes for c in calls_of(n))


def test_torch_grad_fn_names_read_as_ops():
    assert [torch_op(n) for n in ("AddmmBackward0", "NllLossBackward0", "TBackward0",
                                  "MaxPool2DWithIndicesBackward0", "LogSoftmaxBackward0")] == \
        ["linear", "nll_loss", "transpose", "max_pool2d", "log_softmax"]


# -- the pictures ------------------------------------------------------------------------------

@needs_dot
@pytest.mark.parametrize("view", ["forward", "backward", "both"])
def test_mlp_boxes_say_path_type_shapes_parameters_and_gradients(view):
    _, traced = mlp()
    words = assert_slide_shaped(svg(traced.graph, view=view))
    for text in ("Sequential", "0", "Linear", "[5, 4] → [5, 3]", "weight [3, 4] · bias [3]", "ReLU",
                 "CrossEntropyLoss", "labels"):
        assert text in words
    if view == "forward":
        assert "∂" not in words
    else:
        assert "∂cross_entropy/∂weight [3, 4]" in words and "∂cross_entropy/∂bias [3]" in words
        assert "VJP ∂/∂weight = gradᵀ · x" in words
        assert "gradient [5, 3]" in words          # what flows backward along an edge


@needs_dot
@pytest.mark.parametrize("build", ["ours_cnn", "torch_cnn", "ours_lstm", "torch_lstm", "ours_gan", "torch_gan"])
def test_tutorial_networks_are_slide_shaped_with_module_names_and_shapes(build):
    traced = getattr(module_nets, build)()
    for view in ("forward", "both"):
        words = assert_slide_shaped(svg(traced.graph, view=view))
        if "cnn" in build:
            assert "Conv2d" in words and "MaxPool2d" in words and "[2, 64, 28, 28] → [2, 128, 28, 28]" in words
            assert "weight [1024, 25088] · bias [1024]" in words
        elif "lstm" in build:
            assert "rnn" in words and "LSTM" in words and "[20, 4, 5] → [20, 4, 1]" in words
        else:
            assert "ConvTranspose2d" in words and "BatchNorm2d" in words and "LeakyReLU" in words
            assert "[4, 64, 1, 1] → [4, 256, 4, 4]" in words and "[4, 256, 4, 4] → [4, 1, 1, 1]" in words
            if "torch" in build:
                assert "gnet.0" in words and "dnet.8" in words
        if "torch" in build and view == "both":
            assert "Backward0" in words            # the grad_fn, as the small second line of ops
            assert "VJP: Addmm" not in words and "VJP: AddmmBackward0" not in words


@needs_dot
def test_a_long_chain_folds_into_columns_to_stay_within_3_to_1():
    traced = module_nets.torch_gan()
    source = to_dot(traced.graph, view="forward").source
    assert "style=invis" in source               # the columns
    from explainer.render.dot import _pipe
    from explainer.render.modules import to_dot as module_dot

    unfolded = _pipe(module_dot(traced.graph, "forward", depth=1, rankdir="TB", columns=1), "svg")
    width, height, _ = picture(unfolded.decode())
    assert max(width, height) / min(width, height) > 3   # what the folding saves us from


@needs_dot
def test_depth_ops_draws_every_op_in_clusters_and_rankdir_turns_it():
    _, traced = mlp()
    ops_view = to_dot(traced.graph, view="forward", depth="ops", rankdir="LR").source
    assert "rankdir=LR" in ops_view and "label=Sequential" in ops_view and "linear#2" in ops_view
    assert "rankdir=TB" in to_dot(traced.graph, view="forward", depth="ops", rankdir="tb").source
    assert "rankdir=LR" in to_dot(traced.graph, view="forward", rankdir="LR").source


@pytest.mark.parametrize("depth", ["0", "x", -1, 1.5])
def test_a_bad_depth_or_rankdir_is_one_sentence(depth):
    _, traced = mlp()
    with pytest.raises(ExplainerError, match="--depth takes a whole number"):
        to_dot(traced.graph, depth=depth)
    with pytest.raises(ExplainerError, match="unknown rankdir 'XY'"):
        to_dot(traced.graph, rankdir="XY")


@needs_dot
@pytest.mark.parametrize("torch_view", [False, True])
def test_cli_mnist_mlp_is_slide_shaped_with_module_names(cli, tmp_path, torch_view):
    args = ["render", "--model", "mnist-mlp", "-o", "m.svg"] + (["--torch"] if torch_view else [])
    run = cli(*args)
    assert run.code == 0, run.err
    words = assert_slide_shaped((tmp_path / "m.svg").read_text())
    for text in ("MnistNet", "fc1", "Linear", "[64, 784] → [64, 28]", "fc2", "[64, 28] → [64, 10]",
                 "weight [28, 784] · bias [28]", "nll_loss"):
        assert text in words


def test_cli_bad_depth_exits_2(cli):
    run = cli("render", "--model", "mnist-mlp", "--depth", "deep", "-o", "m.svg")
    assert run.code == 2 and "--depth takes a whole number" in run.err and "Traceback" not in run.err


# -- the step-through page of a network, in headless chromium ---------------------------------

_LAYOUT_PROBE = """() => {
  const svg = document.querySelector('#graph svg'), scale = svg.getScreenCTM().a;
  const sizes = Array.from(svg.querySelectorAll('text')).filter(t => t.textContent.trim())
    .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  const boxes = Array.from(svg.querySelectorAll('g.node')).map(g => {
    const shape = (g.querySelector('ellipse, polygon, path') || g.querySelector('text')).getBoundingClientRect();
    const badge = g.querySelector('text.grad-badge').getBoundingClientRect();
    return [g.querySelector('title').textContent, shape, badge];
  });
  const hit = (a, b) => a.width && b.width && a.left < b.right - 1 && b.left < a.right - 1
                        && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = 0; j < boxes.length; j++) {
    if (i === j) continue;
    if (i < j && hit(boxes[i][1], boxes[j][1])) overlaps.push([boxes[i][0], boxes[j][0], 'nodes']);
    if (hit(boxes[i][2], boxes[j][1])) overlaps.push([boxes[i][0], boxes[j][0], 'badge on node']);
    if (i < j && hit(boxes[i][2], boxes[j][2])) overlaps.push([boxes[i][0], boxes[j][0], 'badges']);
  }
  const panel = document.getElementById('panel').getBoundingClientRect();
  const nav = document.querySelector('nav').getBoundingClientRect();
  return {smallest: Math.min(...sizes), overlaps, panelBottom: panel.bottom, navTop: nav.top,
          panelHeight: panel.height};
}"""


@browser_test
@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)])
@pytest.mark.parametrize("model", ["neuron-paths", "mnist-mlp"])
def test_a_network_page_is_readable_and_nothing_overlaps(cli, browser, tmp_path, size, model):
    run = cli("animate", "--model", model, "-o", "np.html")
    assert run.code == 0, run.err
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((tmp_path / "np.html").as_uri())
    page.keyboard.press("End")                       # every gradient written under its node
    found = page.evaluate(_LAYOUT_PROBE)
    page.close()
    assert not errors
    assert found["smallest"] >= 12, found["smallest"]
    assert found["overlaps"] == [], found["overlaps"][:5]
    assert found["panelBottom"] <= found["navTop"] + 0.5 and found["panelHeight"] > 60


@needs_dot
@pytest.mark.parametrize("model", ["neuron-paths", "two-layer", "mnist-mlp"])
@pytest.mark.parametrize("use_torch", [False, True])
def test_every_built_in_model_is_slide_shaped_in_every_view(model, use_torch):
    from explainer.commands.common import load

    traced = load(None, "", model, use_torch)
    for view in ("forward", "backward", "both"):
        assert_slide_shaped(svg(traced.graph, view=view))


@needs_dot
def test_torch_ops_say_their_op_and_parameters_and_edges_say_what_flows():
    from explainer.commands.common import load

    words = picture(svg(load(None, "", "mnist-mlp", True).graph, view="both", depth="ops"))[2]
    assert "AddmmBackward0" in words and "fc1.weight" in words   # the grad_fn, a small line
    assert "VJP: AddmmBackward0" not in words and not re.search(r"∂\w+Backward0", words)
    assert not INTERNAL.search(words)


def test_rebuilt_torch_ops_take_the_call_their_grad_fn_was_made_in():
    """A reader that rebuilds torch's graph in our ops (one grad_fn -> several of our ops)."""
    from explainer.scopes import Call, Scope, tag_rebuilt

    x = Tensor(np.ones((2, 3)), requires_grad=True, name="x")
    fc_out = (x * 2.0).tanh()          # two ops made for one grad_fn "fc"
    loss = fc_out.sum()                # made for another grad_fn, outside any module
    fc_scope = Scope(Call("fc", "Linear", parent=Call("", "Net")))
    tag_rebuilt({"fc_fn": [fc_out], "loss_fn": [loss], "leaf": [x]}, {"fc_fn": fc_scope})
    assert fc_out.group is fc_scope and fc_out.inputs[0].group is fc_scope
    assert loss.group is None and x.group is None


def test_every_docs_picture_opens_full_size():
    """mkdocs-glightbox wraps every image of the site in a link to itself (zoomable)."""
    import importlib.util
    from pathlib import Path

    yaml = pytest.importorskip("yaml")

    config = yaml.safe_load((Path(__file__).resolve().parents[1] / "mkdocs.yml").read_text())
    plugins = {next(iter(p)) if isinstance(p, dict) else p: p for p in config["plugins"]}
    assert "glightbox" in plugins and plugins["glightbox"]["glightbox"]["zoomable"] is True
    if importlib.util.find_spec("mkdocs") is not None:   # the docs extra installs both
        assert importlib.util.find_spec("mkdocs_glightbox") is not None


@needs_dot
def test_two_models_with_the_same_parameter_names_keep_their_own_boxes():
    """A GAN's generator and discriminator are two Sequentials: both have a `0.weight`."""
    rng = np.random.default_rng(0)
    g = nn.Sequential(nn.Linear(2, 8), nn.ReLU())
    d = nn.Sequential(nn.Linear(8, 1))
    z = Tensor(rng.standard_normal((3, 2)), name="z")
    traced = trace((d(g(z)) ** 2).mean())
    words = picture(svg(traced.graph, view="backward"))[2]
    assert "weight [8, 2]" in words and "weight [1, 8]" in words
    out = traced.graph.output_node.name
    assert f"∂{out}/∂weight [8, 2]" in words and f"∂{out}/∂weight [1, 8]" in words
    assert "0.weight#2" not in words.splitlines()   # in its box, not drawn as a loose leaf


@needs_dot
@pytest.mark.parametrize("torch_view", [False, True])
def test_cli_cnn_is_slide_shaped_with_module_names_and_shapes(cli, tmp_path, torch_view):
    run = cli("render", "--model", "cnn", "-o", "c.svg", *(["--torch"] if torch_view else []))
    assert run.code == 0, run.err
    words = assert_slide_shaped((tmp_path / "c.svg").read_text())
    for text in ("Conv2d", "MaxPool2d", "Flatten", "Linear", "weight [64, 1, 3, 3] · bias [64]",
                 "weight [1024, 25088] · bias [1024]"):
        assert text in words
    assert re.search(r"\[\d+, 64, 28, 28\] → \[\d+, 128, 28, 28\]", words)


@needs_dot
@pytest.mark.parametrize("torch_view", [False, True])
@pytest.mark.parametrize("model, depth, expected", [
    ("lstm", "1", ("rnn", "LSTM", "weight_ih_l0 [20, 1]", "weight_hh_l0 [20, 5]", "fc", "Linear", "weight [1, 5]")),
    # the generator's step: noise → generator → images → discriminator, each closed box holding its weights
    ("gan", "1", ("generator", "discriminator", "target", "[2, 64, 1, 1] → [2, 3, 32, 32]", "[2, 3, 32, 32] → [2, 1, 1, 1]",
                  "11 parameter tensors inside, 921,475 numbers", "10 parameter tensors inside, 663,361 numbers",
                  "∂loss/∂ its 11 parameters: largest |entry| 0.579")),
    ("gan", "2", ("generator.0", "ConvTranspose2d", "discriminator.1", "LeakyReLU", "BatchNorm2d",
                  "weight [64, 3, 4, 4]", "weight [128] · bias [128]")),
])
def test_cli_lstm_and_gan_are_slide_shaped_with_module_names_and_shapes(cli, tmp_path, torch_view, model, depth,
                                                                        expected):
    run = cli("render", "--model", model, "--depth", depth, "-o", "m.svg", *(["--torch"] if torch_view else []))
    assert run.code == 0, run.err
    words = assert_slide_shaped((tmp_path / "m.svg").read_text())
    for text in expected:
        assert text in words, text
