"""explainer.from_torch and trace(torch_tensor): any torch computation read into our graph model,
checked by replaying torch's ops in our engine, explained with the VJP rules, drawn with the
parameters' own names."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import explainer
from explainer.errors import ExplainerError


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(12, 6)
        self.fc2 = torch.nn.Linear(6, 3)

    def forward(self, x):
        return F.log_softmax(self.fc2(torch.relu(self.fc1(x.view(-1, 12)))), dim=1)


class Recurrent(torch.nn.Module):
    """torch.nn.LSTM over a sequence, a Linear on the last step (the lstm example's shape)."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(3, 5, batch_first=True)
        self.head = torch.nn.Linear(5, 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


def test_an_mlp_checks_out_and_its_pictures_use_the_parameter_names(tmp_path):
    torch.manual_seed(0)
    net = Mlp()
    x = torch.randn(4, 3, 4)
    target = torch.tensor([0, 2, 1, 2])
    loss = F.nll_loss(net(x), target)
    traced = explainer.from_torch(loss, model=net)
    report = traced.check()
    assert report.ok and report.rtol == 1e-4            # float32: two float32 engines
    assert {row.name for row in report.rows} >= {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "loss"}
    assert max(row.error for row in report.rows) < 1e-5
    # the caller's variable names: the output, the input batch, the target
    assert traced.output.name == "loss" and traced.output.value == pytest.approx(loss.item(), rel=1e-6)
    assert traced["x"].kind == "const" and traced["x"].shape == (4, 12)
    assert traced["target"].value.tolist() == [0, 2, 1, 2]
    svg = traced.render(view="both")
    for name in ("fc1.weight", "fc1.bias", "fc2.weight", "∂loss/∂fc1.weight: [6, 12]", "x [4, 12]"):
        assert name in svg
    net.zero_grad()
    F.nll_loss(net(x), target).backward()
    np.testing.assert_allclose(traced["fc1.weight"].grad, net.fc1.weight.grad.numpy(), rtol=1e-6)
    # the other views
    page = traced.animate(tmp_path / "steps.html").read_text()
    assert "fc2.weight" in page and "log softmax" in page
    g = traced.to_networkx()
    assert g.nodes[traced["fc2.bias"].id]["shape"] == (3,)
    assert "fc1.bias" in traced._repr_svg_()


def test_explain_gives_the_chain_rule_with_the_vjp_rules_and_shapes():
    torch.manual_seed(1)
    net = Mlp().double()
    x = torch.randn(4, 12, dtype=torch.float64)
    loss = F.nll_loss(net(x), torch.tensor([1, 1, 0, 2]))
    explanation = explainer.from_torch(loss, model=net).explain("fc1.weight")
    text = explanation.text()
    assert text.splitlines()[-1] == "∂loss/∂fc1.weight = [6, 12]"
    for rule in ("−∂loss/∂loss / N at each row's target class, 0 elsewhere  [] → [4×3]",   # VJP rules, shapes
                 "softmax(", "⊙ [AddmmBackward0 > 0]", "= xᵀ · ∂loss/∂mm  [12×4]·[4×6]",
                 "∂loss/∂fc1.weight = (∂loss/∂TBackward0)ᵀ  [12×6] → [6×12]"):
        assert rule in text
    assert explanation.count == 1
    assert [n for n in explanation.paths[0].names][:2] == ["loss", "LogSoftmaxBackward0"]
    net.zero_grad()
    F.nll_loss(net(x), torch.tensor([1, 1, 0, 2])).backward()
    np.testing.assert_allclose(explanation.total, net.fc1.weight.grad.numpy(), rtol=1e-12)


def test_the_cnn_example_checks_out():
    from explainer.examples.cnn import conv_net

    torch.manual_seed(0)
    net = conv_net(torch.nn)
    x, labels = torch.randn(2, 1, 28, 28), torch.tensor([3, 7])
    loss = F.cross_entropy(net(x), labels)
    traced = explainer.from_torch(loss, model=net)
    report = traced.check()
    assert report.ok, report.mismatches
    ops = [n.op for n in traced.graph.nodes if n.kind == "op"]
    assert ops.count("conv2d") == 2 and "max_pool2d" in ops and "reshape" in ops
    assert traced["0.weight"].shape == (64, 1, 3, 3) and traced["6.weight"].shape == (1024, 128 * 14 * 14)
    assert report["0.weight"].error < 1e-4
    # dropout's mask is a constant torch saved: 0 or 1/(1 − p)
    mask = next(n for n in traced.graph.nodes if n.kind == "const" and n.shape == (2, 1024))
    assert set(np.unique(mask.value).tolist()) <= {0.0, 2.0}
    svg = traced.render(view="forward")
    for label in ("0.weight [64, 1, 3, 3]", "6.weight [1024, 25088]", "9.bias", "x [2, 1, 28, 28]"):
        assert label in svg


def test_an_lstm_checks_out_gate_by_gate():
    torch.manual_seed(0)
    model = Recurrent()
    x, y = torch.randn(2, 4, 3), torch.randn(2, 2)
    loss = F.mse_loss(model(x), y)
    traced = explainer.from_torch(loss, model=model)
    report = traced.check()
    assert report.ok, report.mismatches
    names = {n.name for n in traced.graph.nodes}
    assert {"lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
            "head.weight"} <= names
    assert {"gates[0]", "f[3]", "c[3]", "h[3]", "h0", "c0"} <= names       # every gate of every step
    ops = [n.op for n in traced.graph.nodes if n.kind == "op"]
    assert ops.count("sigmoid") == 3 * 4 and ops.count("tanh") == 2 * 4
    model.zero_grad()
    F.mse_loss(model(x), y).backward()
    np.testing.assert_allclose(traced["lstm.weight_hh_l0"].grad, model.lstm.weight_hh_l0.grad.numpy(),
                               rtol=1e-5, atol=1e-7)
    svg = traced.render(view="forward")
    assert "lstm.weight_ih_l0 [20, 3]" in svg


@pytest.mark.filterwarnings("ignore:TF32 acceleration")
def test_an_lstm_without_the_fused_kernel_checks_out_too():
    """Where torch runs the LSTM as separate ops (no oneDNN) it records splits, unbinds, stacks."""
    torch.manual_seed(0)
    model = torch.nn.LSTM(3, 4, num_layers=2).double()
    with torch.backends.mkldnn.flags(enabled=False):
        out, (h, c) = model(torch.randn(5, 2, 3, dtype=torch.float64))
    total = out.sum() + (h * c).sum()
    traced = explainer.trace(total, model=model)
    assert traced.check().ok
    kinds = set(traced.graph.grad_fns.values())
    assert {"UnsafeSplitBackward0", "SigmoidBackward0", "TanhBackward0", "StackBackward0"} <= kinds
    assert traced.output.name == "total"


def test_a_gan_step_checks_out():
    torch.manual_seed(0)
    nn = torch.nn
    generator = nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.Linear(8, 6), nn.Tanh()).double()
    discriminator = nn.Sequential(nn.Linear(6, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1), nn.Sigmoid()).double()
    fake = generator(torch.randn(3, 4, dtype=torch.float64))
    loss = F.binary_cross_entropy(discriminator(fake), torch.ones(3, 1, dtype=torch.float64))
    traced = explainer.from_torch(loss, model=discriminator)
    assert traced.check().ok
    assert traced["0.weight"].attrs["role"] == "parameter"
    assert {"leaf1", "leaf2", "leaf3", "leaf4"} <= {n.name for n in traced.graph.leaves()}  # G's


def test_leaky_relu_read_from_torch_is_the_registry_op_with_torchs_slope_at_zero():
    x = torch.tensor([-2.0, 0.0, 3.0], dtype=torch.float64, requires_grad=True)
    y = (F.leaky_relu(x, 0.2) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum()
    traced = explainer.from_torch(y)
    assert traced.check().ok
    (node,) = [n for n in traced.graph.nodes if n.op == "leaky_relu"]
    assert node.attrs == {"negative_slope": 0.2}
    assert traced["x"].grad.tolist() == [0.2, 0.4, 3.0]   # torch's slope at 0: 2 · 0.2
    assert not [n for n in traced.graph.leaves() if "slope" in n.name]   # no mask leaf beside it


def test_constants_torch_keeps_nowhere_still_give_checked_gradients():
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    y = (x + 1).sum() * 2 + ((1 - x) * x).sum() + ((x * 2 + 1) / 3 - x.exp().log()).pow(2).mean()
    traced = explainer.from_torch(y)
    assert traced.check().ok
    np.testing.assert_allclose(traced["x"].grad, torch.autograd.grad(y, x)[0].numpy(), rtol=1e-12)
    assert traced["constant (not kept by torch)"].value is None  # x + 1 summed: the 1 is lost
    assert traced["1"].value == 1.0                              # 1 - x: worked out from what tanh… kept


def test_a_float32_graph_is_checked_to_float32_precision_and_float64_to_1e_9():
    w = torch.tensor([0.3, -0.2], requires_grad=True)
    assert explainer.trace((w.sin() * w).sum()).check().rtol == 1e-4
    w64 = w.detach().double().requires_grad_()
    report = explainer.trace((w64.sin() * w64).sum()).check()
    assert report.ok and report.rtol == 1e-9 and report["w64"].error < 1e-15


def test_what_cannot_be_read_is_one_sentence():
    x = torch.randn(4, requires_grad=True)
    with pytest.raises(ExplainerError, match=r"^from_torch cannot read torch's CumsumBackward0 yet; it reads: "):
        explainer.from_torch(x.cumsum(0).sum())
    with pytest.raises(ExplainerError, match="grad_fn is None"):
        explainer.from_torch(torch.ones(3))
    with pytest.raises(ExplainerError, match="model= names a torch graph's parameters"):
        explainer.trace("x + 1", model=torch.nn.Linear(1, 1))


def test_the_dcgan_layers_check_out():
    """Transposed and strided convolutions, batch norm (training and eval), leaky ReLU, BCE with logits."""
    nn = torch.nn
    torch.manual_seed(0)
    generator = nn.Sequential(nn.ConvTranspose2d(4, 6, 4, bias=False), nn.BatchNorm2d(6), nn.ReLU(),
                              nn.ConvTranspose2d(6, 3, 4, stride=2, padding=1), nn.Sigmoid()).double()
    discriminator = nn.Sequential(nn.Conv2d(3, 4, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
                                  nn.Conv2d(4, 6, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(6),
                                  nn.LeakyReLU(0.2), nn.Conv2d(6, 1, 2)).double()
    noise = torch.randn(2, 4, 1, 1, dtype=torch.float64)
    fake = generator(noise)
    assert fake.shape == (2, 3, 8, 8)
    loss = F.binary_cross_entropy_with_logits(discriminator(fake).view(-1), torch.ones(2, dtype=torch.float64))
    traced = explainer.from_torch(loss, model=generator)
    report = traced.check()
    assert report.ok, report.mismatches
    ops = [n.op for n in traced.graph.nodes if n.kind == "op"]
    assert ops.count("conv_transpose2d") == 2 and ops.count("conv2d") == 3 and "sqrt" in ops
    assert {"0.weight", "1.weight", "1.bias", "3.weight", "3.bias"} <= {n.name for n in traced.graph.leaves()}
    discriminator.eval()                                    # running statistics: constants
    loss = F.binary_cross_entropy_with_logits(discriminator(fake.detach()).view(-1),
                                              torch.zeros(2, dtype=torch.float64))
    traced = explainer.from_torch(loss, model=discriminator)
    assert traced.check().ok and {"running_mean", "√(var + eps)"} <= {n.name for n in traced.graph.nodes}
