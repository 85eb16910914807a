"""The tutorial's LSTM and DCGAN examples and two-layer-manual, on torch and on our engine."""
from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from explainer.errors import ExplainerError
from explainer.examples import RunOptions, run_example
from explainer.examples import gan
from test_data import DATA_DIR, needs_data

runner = CliRunner()


def train_json(app, *args) -> dict:
    result = runner.invoke(app, ["train", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# ---------------------------------------------------------------- lstm

def test_lstm_cli_final_losses_equal_in_both_engines(app):
    """`explainer train lstm --engine torch|explainer --steps 30 --seed 0 --json`."""
    runs = {engine: train_json(app, "lstm", "--engine", engine, "--steps", "30", "--seed", "0", "--device", "cpu")
            for engine in ("torch", "explainer")}
    assert runs["torch"]["final_loss"] == pytest.approx(runs["explainer"]["final_loss"], abs=1e-4)
    assert runs["torch"]["initial_loss"] == pytest.approx(runs["explainer"]["initial_loss"], abs=1e-6)
    assert runs["torch"]["final_loss"] < runs["torch"]["initial_loss"]


def test_lstm_losses_equal_at_every_step_and_the_prediction_plot(tmp_path):
    torch_run = run_example("lstm", RunOptions(engine="torch", device="cpu", steps=40))
    ours = run_example("lstm", RunOptions(engine="explainer", steps=40, out=tmp_path))
    assert len(ours.losses) == 40
    assert np.allclose(torch_run.losses, ours.losses, rtol=0, atol=1e-4)
    assert ours.extra["held_out_loss"] == pytest.approx(torch_run.extra["held_out_loss"], abs=1e-4)
    svg = (tmp_path / "lstm-prediction.svg").read_text()
    for label in ("predicted next sample", "input: sin(t) + noise", "sin(t), no noise", "lstm (explainer)"):
        assert label in svg
    assert str(tmp_path / "lstm-prediction.svg") in ours.plots


def test_lstm_data_is_a_noisy_sine_with_the_next_sample_as_target():
    from explainer.examples.lstm import NOISE, noisy_sine

    clean, noisy = noisy_sine(0)
    assert clean.shape == noisy.shape == (50, 16) and noisy.dtype == np.float32
    assert np.abs(clean).max() <= 1.0
    assert 0.08 < (noisy - clean).std() < 0.12 and NOISE == 0.1
    again, _ = noisy_sine(0)
    assert np.array_equal(again, clean)


@pytest.mark.slow
def test_lstm_default_run_reaches_the_noise_floor():
    result = run_example("lstm", RunOptions(engine="explainer"))
    assert result.final_loss < 0.02 and result.extra["held_out_loss"] < 0.02  # noise floor σ² = 0.01


# ---------------------------------------------------------------- gan

def tiny_batch(seed: int, channels: int, size: int = 8):
    import torch

    generator = torch.Generator().manual_seed(seed)
    return (torch.rand(size, channels, 32, 32, generator=generator, dtype=torch.float64),
            torch.randn(size, gan.LATENT, 1, 1, generator=generator, dtype=torch.float64))


@pytest.mark.parametrize("channels", [1, 3])
def test_gan_one_training_step_gives_torch_gradients_in_float64(channels):
    """From the same weights (torch's, after weights_init), one step of the tutorial's loop: every
    parameter's gradient and new value, and the printed numbers, equal torch's in float64."""
    import torch

    from explainer.examples.runtime import engine_named

    torch.manual_seed(1)
    engines = {name: engine_named(name) for name in ("torch", "explainer")}
    gnet_t, dnet_t = gan.dcgan(torch, engines["torch"], channels)
    gnet_t, dnet_t = gnet_t.double(), dnet_t.double()
    ours = engines["explainer"]
    gnet_o = gan.ours_like(gnet_t, gan.generator(ours.nn, channels).double())
    dnet_o = gan.ours_like(dnet_t, gan.discriminator(ours.nn, channels).double())
    real, noise = tiny_batch(2, channels)
    printed = {}
    for name, (gnet, dnet) in {"torch": (gnet_t, dnet_t), "explainer": (gnet_o, dnet_o)}.items():
        engine = engines[name]
        optim = engine.optim
        printed[name] = gan.train_step(
            gnet, dnet, optim.Adam(gnet.parameters(), lr=gan.LR, betas=gan.BETAS),
            optim.Adam(dnet.parameters(), lr=gan.LR, betas=gan.BETAS), engine.nn.BCEWithLogitsLoss(),
            engine.tensor(real.numpy()), engine.tensor(noise.numpy()),
            engine.tensor(np.ones(len(real))), engine.tensor(np.zeros(len(real))))
    for key, value in printed["torch"].items():
        assert printed["explainer"][key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    for net_t, net_o in ((gnet_t, gnet_o), (dnet_t, dnet_o)):
        ours_params = dict(net_o.named_parameters())
        for name, p in net_t.named_parameters():
            theirs = p.grad.numpy()
            mine = np.asarray(ours_params[name].grad.data)
            assert mine.dtype == np.float64
            assert np.abs(mine - theirs).max() <= 1e-9 * max(1.0, np.abs(theirs).max()), name
            assert np.allclose(np.asarray(ours_params[name].data), p.detach().numpy(), rtol=0, atol=1e-9), name
        ours_state = net_o.state_dict()
        for name, value in net_t.state_dict().items():  # BatchNorm running statistics too
            assert np.allclose(np.asarray(ours_state[name].data), value.numpy(), atol=1e-9), name


def test_gan_nets_are_the_tutorials():
    import torch

    gnet, dnet = gan.generator(torch.nn, 3), gan.discriminator(torch.nn, 3)
    assert gnet(torch.zeros(2, 64, 1, 1)).shape == (2, 3, 32, 32)
    assert dnet(torch.zeros(2, 3, 32, 32)).shape == (2, 1, 1, 1)
    # 64·256·16 + 2·256 + 256·128·16 + 2·128 + 128·64·16 + 2·64 + 64·3·16 + 3
    assert sum(p.numel() for p in gnet.parameters()) == 921_475
    assert sum(p.numel() for p in dnet.parameters()) == 663_361
    gnet.apply(gan.weights_init_for(torch.nn, torch.nn.init))
    assert torch.all(gnet[1].bias == 0) and abs(float(gnet[1].weight.detach().mean()) - 1.0) < 0.01


@needs_data
@pytest.mark.parametrize("engine", ["torch", "explainer"])
def test_gan_cli_runs_on_mnist_and_writes_the_image_grids(app, tmp_path, engine):
    """`explainer train gan --engine E --steps 2 --limit 256 --data-dir DATA --json --out DIR`,
    one epoch here (the slow test runs the tutorial's ten)."""
    summary = train_json(app, "gan", "--engine", engine, "--steps", "2", "--limit", "256", "--epochs", "1",
                         "--data-dir", str(DATA_DIR), "--out", str(tmp_path), "--device", "cpu")
    assert summary["dataset"] == "MNIST padded to 32×32" and summary["images"] == 256 and summary["steps"] == 2
    assert any("CIFAR-10 (the tutorial's data) is not in the data folder" in note for note in summary["notes"])
    assert np.isfinite(summary["final_dloss"]) and np.isfinite(summary["final_gloss"])
    check_grid(tmp_path / "gan-epoch01.png")
    check_grid(tmp_path / "gan-real.png")
    assert "discriminator" in (tmp_path / "gan-loss.svg").read_text()


def check_grid(path):
    import matplotlib.image

    image = matplotlib.image.imread(path)
    assert image.shape[:2] == (8 * 34 + 2, 8 * 34 + 2)  # 8×8 images of 32 px, 2 px apart
    cell = image[2:34, 2:34, 0]
    assert cell.std() > 0.01  # a picture, not a flat square


@needs_data
@pytest.mark.slow
def test_gan_must_show_command_both_engines_agree(tmp_path):
    runs = {}
    for engine in ("torch", "explainer"):
        runs[engine] = run_example("gan", RunOptions(engine=engine, device="cpu", steps=2, limit=256,
                                                     data_dir=DATA_DIR, out=tmp_path / engine))
        assert len(list((tmp_path / engine).glob("gan-epoch*.png"))) == 10
    first = [runs[e].extra["epochs"][0] for e in runs]
    assert first[0]["dloss"] == pytest.approx(first[1]["dloss"], rel=1e-3)
    assert first[0]["gloss"] == pytest.approx(first[1]["gloss"], rel=1e-3)


def test_gan_reads_cifar10_files_when_asked(tmp_path):
    """A data_batch_1.bin of the real size (10,000 records) in DATA/cifar-10-batches-bin: three channels."""
    from explainer import cifar

    folder = tmp_path / cifar.FOLDER
    folder.mkdir()
    rng = np.random.default_rng(0)
    records = rng.integers(0, 256, (10_000, cifar.RECORD), dtype=np.uint8)
    records[:, 0] %= 10
    (folder / "data_batch_1.bin").write_bytes(records.tobytes())
    result = run_example("gan", RunOptions(device="cpu", steps=1, epochs=1, limit=64, data_dir=tmp_path))
    assert result.extra["dataset"] == "CIFAR-10" and result.extra["steps"] == 1
    assert not any("MNIST" in note for note in result.notes)


def test_gan_dataset_choices_are_checked(tmp_path):
    with pytest.raises(ExplainerError, match=r"CIFAR-10 is missing in .*; put the binary version there"):
        run_example("gan", RunOptions(dataset="cifar10", data_dir=tmp_path, steps=1, epochs=1))
    with pytest.raises(ExplainerError, match="gan trains on auto, cifar10, mnist, not --dataset 'svhn'"):
        run_example("gan", RunOptions(dataset="svhn"))
    with pytest.raises(ExplainerError, match="lstm takes no --dataset: it trains on one data set."):
        run_example("lstm", RunOptions(dataset="mnist"))


# ---------------------------------------------------------------- two-layer-manual

def test_two_layer_manual_runs_the_tutorials_loop_on_our_engine(tmp_path):
    torch_run = run_example("two-layer-manual", RunOptions(engine="torch", device="cpu", steps=20))
    ours = run_example("two-layer-manual", RunOptions(engine="explainer", steps=20, out=tmp_path))
    assert np.allclose(ours.losses, torch_run.losses, rtol=1e-4)
    assert ours.losses[-1] < ours.losses[0] / 100
    resumed = run_example("two-layer-manual", RunOptions(engine="explainer", steps=30, out=tmp_path, resume=True))
    straight = run_example("two-layer-manual", RunOptions(engine="explainer", steps=30))
    assert resumed.losses == pytest.approx(straight.losses, rel=1e-6)


@needs_data
@pytest.mark.parametrize("engine", ["torch", pytest.param("explainer", marks=pytest.mark.slow)])
def test_gan_resume_continues_where_an_uninterrupted_run_would_be(tmp_path, engine):
    common = dict(engine=engine, device="cpu", steps=1, limit=128, data_dir=DATA_DIR)
    straight = run_example("gan", RunOptions(epochs=2, **common))
    run_example("gan", RunOptions(epochs=1, out=tmp_path, **common))
    resumed = run_example("gan", RunOptions(epochs=2, out=tmp_path, resume=True, **common))
    assert [row["epoch"] for row in resumed.extra["epochs"]] == [1, 2]
    for key in ("final_dloss", "final_gloss"):
        assert resumed.extra[key] == pytest.approx(straight.extra[key], rel=1e-5)
    grids = [p for p in resumed.plots if "gan-epoch" in p]
    assert grids == [str(tmp_path / "gan-epoch01.png"), str(tmp_path / "gan-epoch02.png")]
    suffix = ".pt" if engine == "torch" else ".npz"
    for net in ("generator", "discriminator"):
        assert (tmp_path / "checkpoints" / f"gan-{net}-{engine}{suffix}").is_file()
