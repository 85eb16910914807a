"""The check tells the truth: numbers with their magnitude, one precision for ours/torch/finite
differences, 80 columns, and a non-scalar output refused as torch refuses it."""
import json

import numpy as np
import pytest

from explainer.api import trace
from explainer.check import NON_SCALAR, _cell, check, require_scalar_output
from explainer.errors import ExplainerError


def test_a_vector_output_is_refused_with_torchs_sentence(cli):
    run = cli("check", "L = softmax(z)", "--at", "z=[1,2,3]")
    assert run.code == 2
    assert run.err.startswith(f"error: {NON_SCALAR}")
    assert "--grad-output" in run.err and "Traceback" not in run.err
    assert NON_SCALAR == "grad can be implicitly created only for scalar outputs"   # torch's words


def test_grad_output_gives_the_vector_jacobian_product(cli):
    run = cli("check", "L = softmax(z)", "--at", "z=[1,2,3]", "--grad-output", "[0.1,1,0.0001]", "--json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    z = np.array([1.0, 2.0, 3.0])
    s = np.exp(z) / np.exp(z).sum()
    v = np.array([0.1, 1.0, 0.0001])
    np.testing.assert_allclose(report["nodes"]["z"]["grad"], s * (v - (v * s).sum()), rtol=1e-12)
    assert report["ok"] and report["nodes"]["L"]["grad"] == [0.1, 1.0, 0.0001]


def test_the_tutorials_vjp_example(cli):
    """EXAMPLES.md B `vjp`: y = 512·x, y.backward([0.1, 1, 0.0001]) → x.grad = [51.2, 512, 0.0512]."""
    run = cli("check", "y = 512x", "--at", "x=[1,2,3]", "--grad-output", "[0.1,1,0.0001]", "--json")
    assert run.code == 0, run.err
    np.testing.assert_allclose(json.loads(run.out)["nodes"]["x"]["grad"], [51.2, 512, 0.0512], rtol=1e-12)


@pytest.mark.parametrize("grad_output, words", [
    ("[1,2]", "has shape [2] but the output has shape [3]"),
    ("[a,b,c]", "grad_output"),
])
def test_a_wrong_grad_output_is_one_sentence(cli, grad_output, words):
    run = cli("check", "L = softmax(z)", "--at", "z=[1,2,3]", "--grad-output", grad_output)
    assert run.code == 2 and words in run.err and "Traceback" not in run.err


def test_a_scalar_output_needs_no_grad_output():
    require_scalar_output(trace("L = sum(z^2)", z=[1.0, 2.0]).graph)
    with pytest.raises(ExplainerError, match=NON_SCALAR):
        require_scalar_output(trace("L = z^2", z=[1.0, 2.0]).graph)


def test_tiny_numbers_keep_their_exponent_in_every_column(cli):
    run = cli("check", "L = sum(softmax(z)^2)", "--at", "z=[1,2,3,40]")
    assert run.code == 0, run.err
    assert "-2.3096e-17" in run.out and "…" not in run.out
    row = next(line for line in run.out.splitlines() if line.lstrip().startswith("z "))
    ours, theirs = row.split()[2:4]
    assert ours == theirs == "-2.3096e-17"        # the same digits for ours and torch
    assert max(len(line) for line in run.out.splitlines()) <= 80


def test_cells_write_the_same_precision():
    assert _cell(9.99542e-17) == "9.9954e-17"
    assert _cell(-0.548797) == "-0.5488"
    assert _cell(np.array([1e-20, 2.5])) == "1e-20\n2.5"
    assert _cell(None) == "—"
    report = check(trace("f = x^3", x=1.1).graph)
    row = report["x"]
    assert _cell(row.ours) == _cell(row.torch) == _cell(row.fd) == "3.63"


def test_a_one_point_loss_curve_is_drawn_with_a_marker(tmp_path):
    from explainer.render.plots import loss_curve

    one = loss_curve([0.7], tmp_path / "one.svg").read_text()
    many = loss_curve(list(range(100, 0, -1)), tmp_path / "many.svg").read_text()
    import re
    marks = lambda svg: len(re.findall(r'<use [^>]*style="fill: #1f77b4', svg))  # noqa: E731  markers in the line's colour
    assert marks(one) == 1          # the single point is drawn
    assert marks(many) == 0         # a long curve stays a plain line


def test_the_examples_list_fits_80_columns_without_cutting(cli):
    from explainer.examples import EXAMPLES

    run = cli("examples")
    assert run.code == 0, run.err
    assert "…" not in run.out and max(len(line) for line in run.out.splitlines()) <= 80
    words = " ".join(run.out.split())
    for example in EXAMPLES.values():   # every word of every summary is there, in order, wrapped
        assert example.summary.split()[-1] in words


def test_the_train_summary_prints_whole_plot_paths(cli, tmp_path):
    deep = tmp_path / "a-rather-long-folder-name-for-the-plots" / "and-one-more-level-below-it"
    run = cli("train", "linreg-manual", "--out", str(deep))
    assert run.code == 0, run.err
    assert f"plot: {deep / 'linreg-manual-loss.svg'}" in run.out.splitlines()
    table = run.out[:run.out.index("plot: ")]
    assert "…" not in table and max(len(line) for line in table.splitlines()) <= 80


def test_the_python_check_refuses_a_vector_output_as_torch_does_unless_given_the_vector():
    with pytest.raises(ExplainerError, match=rf"^{NON_SCALAR}: L has shape \[3\]; .*grad_output=\[1, 1, 1\]"):
        trace("L = softmax(z)", z=[1.0, 2.0, 3.0]).check()
    report = trace("L = softmax(z)", z=[1.0, 2.0, 3.0], grad_output=[0.1, 1, 0.0001]).check()
    assert report.ok
    assert trace("L = sum(z^2)", z=[1.0, 2.0]).check().ok   # a scalar output needs no vector
    # drawing a vector output still works: it is seeded with ones only for the picture
    assert "<svg" in trace("L = softmax(z)", z=[1.0, 2.0, 3.0]).render()
