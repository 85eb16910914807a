"""Tensor explanations as maths: a vector-Jacobian rule per edge with shapes, fused rules named,
no internal names."""
import re

import numpy as np

from explainer.api import trace
from explainer.commands.common import load

INTERNAL = re.compile(r"\bt[0-9]+\b|#|\bgrad\b")


def test_softmax_cross_entropy_is_named():
    t = trace("L = -sum(y log_softmax(z))", z=[1.0, 2.0, 3.0], y=[0.0, 1.0, 0.0])
    text = t.explain("z").text()
    lines = text.splitlines()
    assert lines[0].strip() == "∂L/∂(sum(y·log_softmax(z))) = -∂L/∂L"
    assert "∂L/∂log_softmax(z) = ∂L/∂(y·log_softmax(z)) ⊙ y" in text
    assert "∂L/∂z = softmax(z)·sum(y) - y = softmax(z) - y   (softmax cross-entropy, y = onehot(class))" in text
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(t["z"].grad, np.exp(z) / np.exp(z).sum() - [0, 1, 0], rtol=1e-12)
    assert lines[-1].startswith("∂L/∂z = [0.0900306, -0.755272, 0.665241]")
    assert not INTERNAL.search(text), text


def test_matrix_products_show_the_rule_and_the_shapes():
    t = trace("h = W1 @ x; L = sum(h^2)", W1=[[1.0, 2], [3, 4], [5, 6]], x=[[1.0], [1]])
    lines = [line.strip() for line in t.explain("W1").text().splitlines()]
    assert lines == ["∂L/∂h² = ∂L/∂L broadcast to the shape of h²  [] → [3×1]",
                     "∂L/∂h = ∂L/∂h² ⊙ (2·h)",
                     "∂L/∂W1 = ∂L/∂h · xᵀ  [3×1]·[1×2]",
                     "∂L/∂W1 = [[6, 6], [14, 14], [22, 22]]"]


def test_the_mnist_weight_rule_reads_like_the_lecture():
    text = load(None, "", "mnist-mlp").explain("fc1.weight").text()
    assert "∂loss/∂fc1.weight = (∂loss/∂fc1(x))ᵀ · x  [28×64]·[64×784]" in text
    assert "∂loss/∂fc1(x) = ∂loss/∂hidden ⊙ [fc1(x) > 0]" in text
    assert "∂loss/∂hidden = ∂loss/∂logits · fc2.weight  [64×10]·[10×28]" in text
    assert not INTERNAL.search(text), text


def test_the_cli_prints_the_rules_unchanged(cli):
    run = cli("explain", "--model", "mnist-mlp", "--wrt", "fc1.weight")
    assert run.code == 0, run.err
    assert "⊙ [fc1(x) > 0]" in run.out     # not eaten as console markup
