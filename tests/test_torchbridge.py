"""replay (our graph run again in torch) and from_torch (torch's recorded graph read into ours)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from explainer.errors import ExplainerError
from explainer.expr import trace_expression
from explainer.graph import Graph
from explainer.scalar import Scalar
from explainer.torchbridge import from_torch, replay


# ---------------------------------------------------------------------------------------------
# replay


def test_replay_j_abc_gives_torch_gradients_by_node_id():
    abc = {"a": 5.0, "b": 3.0, "c": 2.0}
    graph = Graph.build(trace_expression("v = bc; u = a + v; J = 3u", abc))
    grads = replay(graph)
    by_name = {graph.nodes[i].name: g for i, g in grads.items()}
    assert set(by_name) == {"a", "b", "c", "v", "u", "J"}  # the constant 3 wants no gradient
    assert {k: g.item() for k, g in by_name.items()} == {
        "a": 3.0, "b": 6.0, "c": 9.0, "v": 3.0, "u": 3.0, "J": 1.0}
    assert all(g.dtype == torch.float64 for g in grads.values())


def test_replay_uses_the_graphs_seed_as_a_vector_jacobian_product():
    x = np.array([1.0, 2.0, 3.0])
    v = np.array([0.1, 1.0, 0.0001])
    out = trace_expression("y = 2x; z = y*y", {"x": x})
    graph = Graph.build(out, seed=v)
    grads = replay(graph)
    np.testing.assert_allclose(grads[graph["x"].id].numpy(), 8 * x * v, rtol=1e-12)
    np.testing.assert_allclose(grads[graph["x"].id].numpy(), graph["x"].grad, rtol=1e-12)


def test_replay_of_a_constant_expression_is_just_the_seed():
    graph = Graph.build(Scalar(2.0, requires_grad=False) * 3.0)
    assert {i: g.item() for i, g in replay(graph).items()} == {graph.output: 1.0}


def test_replay_deeper_than_the_recursion_limit():
    x = Scalar(0.3, "x")
    shift = Scalar(0.01, requires_grad=False)
    y = x
    for _ in range(3000):
        y = y.tanh() + shift
    graph = Graph.build(y)
    grads = replay(graph)
    assert grads[graph["x"].id].item() == pytest.approx(graph["x"].grad, rel=1e-9)
    assert len(grads) == 6001  # every node but the constant


# ---------------------------------------------------------------------------------------------
# from_torch


class MnistNet(torch.nn.Module):
    """EXAMPLES.md's mnist-mlp, narrowed: view → fc1 → relu → fc2 → log_softmax."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(12, 5)
        self.fc2 = torch.nn.Linear(5, 3)

    def forward(self, x):
        x = x.view(-1, 12)
        return torch.log_softmax(self.fc2(torch.relu(self.fc1(x))), dim=1)


def mlp_loss(seed: int = 0):
    torch.manual_seed(seed)
    net = MnistNet().double()
    x = torch.randn(4, 3, 4, dtype=torch.float64)
    target = torch.tensor([0, 2, 1, 2])
    return net, torch.nn.functional.nll_loss(net(x), target)


def test_from_torch_reads_an_mlp_as_the_registrys_ops():
    net, loss = mlp_loss()
    graph = from_torch(loss, net)
    ops = [n.op for n in graph.nodes if n.kind == "op"]
    # AddmmBackward0 is a matmul and an add; TBackward0 a transpose (the view of the input batch
    # needs no gradient: torch records none, and the batch torch saved for fc1 is a constant)
    assert sorted(set(ops)) == ["add", "log_softmax", "matmul", "nll_loss", "relu", "transpose"]
    assert ops.count("add") == 2 and ops.count("matmul") == 2
    assert {graph.grad_fns[n.id] for n in graph.nodes if n.id in graph.grad_fns} == {
        "AddmmBackward0", "TBackward0", "ReluBackward0", "LogSoftmaxBackward0", "NllLossBackward0"}
    leaves = {n.name: n for n in graph.leaves()}
    assert set(leaves) == {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}
    assert leaves["fc1.weight"].shape == (5, 12) and leaves["fc2.bias"].shape == (3,)
    np.testing.assert_array_equal(leaves["fc1.weight"].value, net.fc1.weight.detach().numpy())
    assert all(n.attrs["role"] == "parameter" for n in leaves.values())
    # the input batch and the target are constants, taken from what torch saved
    consts = {n.name: n for n in graph.nodes if n.kind == "const"}
    assert consts["target"].value.tolist() == [0, 2, 1, 2]
    out = graph.output_node
    assert out.op == "nll_loss" and out.value == pytest.approx(loss.item(), rel=1e-12)
    assert out.grad == 1.0

    # gradients equal a plain backward() on the same computation, and .grad is left alone
    assert all(p.grad is None for p in net.parameters())
    twin, twin_loss = mlp_loss()
    twin_loss.backward()
    for name, p in twin.named_parameters():
        np.testing.assert_allclose(leaves[name].grad, p.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(graph.replayed[leaves[name].id], p.grad.numpy(), rtol=1e-12)

    # edges: inputs come first (ids are a topological numbering); the text is our VJP rule
    for edge in graph.edges:
        assert edge.src < edge.dst and edge.local is None
    relu = next(n for n in graph.nodes if n.op == "relu")
    assert relu.name == "ReluBackward0" and relu.value.shape == (4, 5) and (relu.value >= 0).all()
    assert relu.grad.shape == (4, 5)
    texts = {graph.nodes[e.dst].name: e.text for e in graph.edges if e.grad}
    assert texts["ReluBackward0"] == "grad · [AddmmBackward0 > 0]"
    # the backward steps add up to each leaf's gradient
    for leaf in leaves.values():
        arriving = [s.contribution for s in graph.steps if s.input == leaf.id]
        np.testing.assert_allclose(sum(arriving), leaf.grad, rtol=1e-12)


def test_from_torch_is_deterministic():
    shapes = []
    for _ in range(2):
        _, loss = mlp_loss()
        graph = from_torch(loss, dict(mlp_loss()[0].named_parameters()))
        shapes.append([(n.id, n.name, n.op, n.inputs) for n in graph.nodes])
    assert shapes[0] == shapes[1]
    assert [name for _, name, _, _ in shapes[0]].count("fc1.weight") == 0  # other net's params
    assert "TBackward0#2" in [name for _, name, _, _ in shapes[0]]


def test_from_torch_after_backward_says_the_graph_is_freed():
    net, loss = mlp_loss()
    loss.backward()  # frees the saved tensors
    with pytest.raises(ExplainerError, match="already freed this graph's saved tensors"):
        from_torch(loss, net)


def test_from_torch_names_inputs_and_renders():
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    w = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y = (torch.sin(x) * w).sum()
    graph = from_torch(y, {"w": w}, inputs={"x": x})
    assert graph["x"].attrs["role"] == "input" and graph["w"].attrs["role"] == "parameter"
    np.testing.assert_allclose(graph["x"].grad, 0.5 * np.cos([1.0, 2.0, 3.0]), rtol=1e-12)
    assert graph["w"].grad == pytest.approx(float(np.sin([1.0, 2.0, 3.0]).sum()), rel=1e-12)
    assert [n.op for n in graph.nodes if n.kind == "op"] == ["sin", "mul", "sum"]
    assert [n.name for n in graph.nodes if n.kind == "op"] == ["SinBackward0", "MulBackward0",
                                                              "SumBackward0"]
    from explainer.render import to_dot

    source = to_dot(graph, view="both").source
    assert "SinBackward0" in source and "MulBackward0" in source and "cos x" in source


def test_from_torch_unnamed_leaves_and_deep_chains():
    x = torch.tensor(0.2, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(3000):
        y = torch.sin(y)
    graph = from_torch(y)
    assert len(graph) == 3001 and graph.leaves()[0].name == "leaf1"
    assert graph.leaves()[0].grad == pytest.approx(
        torch.autograd.grad(y, x)[0].item(), rel=1e-12)


def test_from_torch_rejects_a_tensor_without_a_graph():
    with pytest.raises(ExplainerError, match="grad_fn is None"):
        from_torch(torch.ones(3))
