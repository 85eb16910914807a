"""Checkpoints: round trips, corrupt files as one clear sentence, and --resume ending exactly where an
uninterrupted run ends (same seed)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from explainer import checkpoint
from explainer.errors import ExplainerError
from explainer.examples import RunOptions, run_example
from test_data import DATA_DIR, needs_data


def test_torch_checkpoint_round_trip(tmp_path):
    path = tmp_path / "c.pt"
    checkpoint.save_torch(path, {"example": "x", "step": 3, "w": torch.tensor([1.5, 2.5]), "losses": [0.5]})
    state = checkpoint.load_torch(path, "x")
    assert state["step"] == 3 and state["w"].tolist() == [1.5, 2.5] and state["losses"] == [0.5]
    assert not (tmp_path / "c.pt.tmp").exists()


@pytest.mark.parametrize("content", [b"", b"not a checkpoint at all", b"PK\x03\x04broken zip"])
def test_corrupt_torch_checkpoint_is_a_clear_error(tmp_path, content):
    path = tmp_path / "c.pt"
    path.write_bytes(content)
    with pytest.raises(ExplainerError, match=r"checkpoint .*c\.pt is unusable .*delete it or run without --resume"):
        checkpoint.load_torch(path, "x")


def test_truncated_and_foreign_checkpoints_are_refused(tmp_path):
    path = tmp_path / "c.pt"
    checkpoint.save_torch(path, {"example": "x", "w": torch.zeros(1000)})
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ExplainerError, match="unusable"):
        checkpoint.load_torch(path, "x")
    torch.save({"w": torch.zeros(2)}, path)  # a torch file, but not ours
    with pytest.raises(ExplainerError, match="not an explainer checkpoint"):
        checkpoint.load_torch(path, "x")
    checkpoint.save_torch(path, {"example": "other"})
    with pytest.raises(ExplainerError, match="belongs to example 'other'"):
        checkpoint.load_torch(path, "x")
    with pytest.raises(ExplainerError, match="no checkpoint at"):
        checkpoint.load_torch(tmp_path / "missing.pt", "x")


def test_npz_round_trip_and_corruption(tmp_path):
    path = tmp_path / "c.npz"
    checkpoint.save_npz(path, {"w": np.arange(3.0)}, {"example": "x", "step": 7, "losses": [1.0, 0.5]})
    arrays, meta = checkpoint.load_npz(path, "x")
    assert arrays["w"].tolist() == [0.0, 1.0, 2.0] and meta["step"] == 7 and meta["losses"] == [1.0, 0.5]
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(ExplainerError, match="unusable"):
        checkpoint.load_npz(path, "x")
    np.savez(path, w=np.zeros(2))  # an npz without our header
    with pytest.raises(ExplainerError, match="unusable"):
        checkpoint.load_npz(path, "x")


def test_our_optimizer_state_survives_the_npz_round_trip(tmp_path):
    """Adam's moments and step count come back: three steps, save, load, two more == five straight."""
    from explainer import nn, optim
    from explainer.tensor import Tensor

    def make():
        model = nn.Linear(3, 2)
        model.load_state_dict({"weight": np.full((2, 3), 0.5, np.float32), "bias": np.zeros(2, np.float32)})
        return model, optim.Adam(model.parameters(), lr=0.1)

    x = Tensor(np.arange(12, dtype=np.float32).reshape(4, 3))

    def steps(model, optimizer, n):
        for _ in range(n):
            optimizer.zero_grad()
            (model(x) ** 2).mean().backward()
            optimizer.step()

    straight, straight_opt = make()
    steps(straight, straight_opt, 5)
    first, first_opt = make()
    steps(first, first_opt, 3)
    arrays, meta = checkpoint.flatten_ours(first, first_opt)
    checkpoint.save_npz(tmp_path / "o.npz", arrays, {"example": "o", **meta})
    resumed, resumed_opt = make()
    checkpoint.restore_ours(resumed, resumed_opt, *checkpoint.load_npz(tmp_path / "o.npz", "o"))
    steps(resumed, resumed_opt, 2)
    assert np.array_equal(resumed.weight.value, straight.weight.value)
    assert np.array_equal(resumed.bias.value, straight.bias.value)


@pytest.mark.parametrize("engine", ["torch", "explainer"])
def test_resumed_linreg_ends_with_the_uninterrupted_parameters(tmp_path, engine):
    straight = run_example("linreg-manual", RunOptions(engine=engine, steps=600, seed=3))
    run_example("linreg-manual", RunOptions(engine=engine, steps=300, seed=3, out=tmp_path))
    resumed = run_example("linreg-manual", RunOptions(engine=engine, steps=600, seed=3, out=tmp_path, resume=True))
    assert resumed.params == straight.params
    assert resumed.losses == pytest.approx(straight.losses, rel=0, abs=0)
    assert len(resumed.losses) == 600


@pytest.mark.parametrize("engine", ["torch", "explainer"])
def test_resumed_adam_example_ends_with_the_uninterrupted_loss(tmp_path, engine):
    straight = run_example("two-layer-sequential", RunOptions(engine=engine, steps=16, seed=1))
    run_example("two-layer-sequential", RunOptions(engine=engine, steps=9, seed=1, out=tmp_path))
    resumed = run_example("two-layer-sequential", RunOptions(engine=engine, steps=16, seed=1, out=tmp_path,
                                                             resume=True))
    assert resumed.losses == straight.losses
    if engine == "torch":
        saved = checkpoint.load_torch(tmp_path / "checkpoints" / "two-layer-sequential-torch.pt",
                                      "two-layer-sequential")
        assert saved["step"] == 16 and len(saved["optimizer"]["state"]) == 4  # Adam: 2 weights + 2 biases
    else:
        arrays, meta = checkpoint.load_npz(tmp_path / "checkpoints" / "two-layer-sequential-explainer.npz",
                                           "two-layer-sequential")
        assert meta["step"] == 16 and meta["optim_scalars"]["0/step"] == 16
        assert arrays["optim/0/exp_avg"].shape == (100, 1000)


@needs_data
@pytest.mark.parametrize("engine", ["torch", "explainer"])
def test_resumed_mnist_epochs_give_identical_weights(tmp_path, engine):
    common = dict(engine=engine, seed=2, limit=600, data_dir=DATA_DIR)
    run_example("mnist-mlp", RunOptions(epochs=2, out=tmp_path / "straight", **common))
    run_example("mnist-mlp", RunOptions(epochs=1, out=tmp_path / "split", **common))
    resumed = run_example("mnist-mlp", RunOptions(epochs=2, out=tmp_path / "split", resume=True, **common))
    assert [row["epoch"] for row in resumed.extra["history"]] == [1, 2]
    if engine == "torch":
        load = lambda folder: checkpoint.load_torch(folder / "checkpoints" / "mnist-mlp-torch.pt", "mnist-mlp")
        a, b = load(tmp_path / "straight"), load(tmp_path / "split")
        for name, value in a["model"].items():
            assert torch.equal(value, b["model"][name]), name
    else:
        load = lambda folder: checkpoint.load_npz(folder / "checkpoints" / "mnist-mlp-explainer.npz", "mnist-mlp")[0]
        a, b = load(tmp_path / "straight"), load(tmp_path / "split")
        assert sorted(a) == sorted(b) and any(name.startswith("optim/") for name in a)
        for name in a:
            assert np.array_equal(a[name], b[name]), name
