"""gan: the tutorial's DCGAN, exactly — a generator of ConvTranspose2d, BatchNorm2d and ReLU from a
64-number latent vector to a 32×32 image (Sigmoid output), a discriminator of strided Conv2d,
BatchNorm2d and LeakyReLU(0.2) to one logit; `weights_init` applied to both with `Module.apply`;
BCEWithLogitsLoss; Adam(lr=2e-4, betas=(0.5, 0.999)) for each; batches of 64 shuffled; 10 epochs.
Each step trains the discriminator on a real batch (label 1) and a detached fake batch (label 0),
then the generator to make the discriminator say 1 for its fakes. The images the fixed noise makes
are saved as a grid after each epoch.

Data: CIFAR-10, read from its binary version (DATA/cifar-10-batches-bin/, see explainer/cifar.py).
CIFAR-10 is not everywhere (it is not on the machine this project is built on), so `--dataset mnist`
trains the same nets on MNIST padded to 32×32 with one channel; the default, auto, takes CIFAR-10
when it is there and MNIST with a note when it is not.
"""
from __future__ import annotations

import math

import numpy as np

from .. import cifar
from ..data import load_mnist
from .classify import epoch_order
from ..i18n import gettext
from .registry import Example, RunOptions, RunResult, register
from .runtime import (Clock, engine_modules, finish, load_state, ours_like, plot_loss, plot_path, resolve_device,
                      save_state, setup_torch)

NAME = "gan"
LATENT, N_G_FEATURE, N_D_FEATURE = 64, 64, 64
LR, BETAS, EPOCHS, BATCH = 2e-4, (0.5, 0.999), 10, 64
DATASETS = ("auto", "cifar10", "mnist")


def generator(nn, n_channel: int):
    """gnet, as the tutorial writes it: (64, 1, 1) → (256, 4, 4) → (128, 8, 8) → (64, 16, 16) → (C, 32, 32)."""
    return nn.Sequential(
        nn.ConvTranspose2d(LATENT, 4 * N_G_FEATURE, kernel_size=4, bias=False),
        nn.BatchNorm2d(4 * N_G_FEATURE),
        nn.ReLU(),
        nn.ConvTranspose2d(4 * N_G_FEATURE, 2 * N_G_FEATURE, kernel_size=4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(2 * N_G_FEATURE),
        nn.ReLU(),
        nn.ConvTranspose2d(2 * N_G_FEATURE, N_G_FEATURE, kernel_size=4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(N_G_FEATURE),
        nn.ReLU(),
        nn.ConvTranspose2d(N_G_FEATURE, n_channel, kernel_size=4, stride=2, padding=1),
        nn.Sigmoid(),
    )


def discriminator(nn, n_channel: int):
    """dnet, as the tutorial writes it: (C, 32, 32) → (64, 16, 16) → (128, 8, 8) → (256, 4, 4) → one logit."""
    return nn.Sequential(
        nn.Conv2d(n_channel, N_D_FEATURE, kernel_size=4, stride=2, padding=1),
        nn.LeakyReLU(0.2),
        nn.Conv2d(N_D_FEATURE, 2 * N_D_FEATURE, kernel_size=4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(2 * N_D_FEATURE),
        nn.LeakyReLU(0.2),
        nn.Conv2d(2 * N_D_FEATURE, 4 * N_D_FEATURE, kernel_size=4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(4 * N_D_FEATURE),
        nn.LeakyReLU(0.2),
        nn.Conv2d(4 * N_D_FEATURE, 1, kernel_size=4),
    )


def weights_init_for(nn, init):
    """The tutorial's weights_init, for `Module.apply`: Xavier-normal convolution weights, BatchNorm
    weights from N(1, 0.02) and biases 0 (the convolutions keep torch's default bias)."""

    def weights_init(m):
        if type(m) in [nn.ConvTranspose2d, nn.Conv2d]:
            init.xavier_normal_(m.weight)
        elif type(m) == nn.BatchNorm2d:  # noqa: E721 (the tutorial's test, exact type)
            init.normal_(m.weight, 1.0, 0.02)
            init.constant_(m.bias, 0)

    return weights_init


def dcgan(torch, engine, n_channel: int):
    """(gnet, dnet) on the run's engine; torch draws and initialises both, ours copies them."""
    gnet, dnet = generator(torch.nn, n_channel), discriminator(torch.nn, n_channel)
    weights_init = weights_init_for(torch.nn, torch.nn.init)
    gnet.apply(weights_init)
    dnet.apply(weights_init)
    if engine.name == "explainer":
        gnet = ours_like(gnet, generator(engine.nn, n_channel))
        dnet = ours_like(dnet, discriminator(engine.nn, n_channel))
    return gnet, dnet


def train_step(gnet, dnet, goptimizer, doptimizer, criterion, real_images, noises, ones, zeros) -> dict:
    """One step of the tutorial's loop, on either engine; returns what the tutorial prints."""
    # train the discriminator: real images are labelled 1, the generator's (detached) fakes 0
    preds = dnet(real_images)
    outputs = preds.reshape(-1)
    dloss_real = criterion(outputs, ones)
    dmean_real = outputs.sigmoid().mean()
    fake_images = gnet(noises)
    fake = fake_images.detach()  # the discriminator's loss does not reach the generator
    preds = dnet(fake)
    outputs = preds.view(-1)
    dloss_fake = criterion(outputs, zeros)
    dmean_fake = outputs.sigmoid().mean()
    dloss = dloss_real + dloss_fake
    dnet.zero_grad()
    dloss.backward()
    doptimizer.step()
    # train the generator: it wants its fakes judged real
    preds = dnet(fake_images)
    outputs = preds.view(-1)
    gloss = criterion(outputs, ones)
    gmean_fake = outputs.sigmoid().mean()
    gnet.zero_grad()
    gloss.backward()
    goptimizer.step()
    return {"dloss": float(dloss.item()), "gloss": float(gloss.item()), "real_judged_real": float(dmean_real.item()),
            "fake_judged_real": float(dmean_fake.item()), "fake_judged_real_after": float(gmean_fake.item())}


def training_images(options: RunOptions) -> tuple[np.ndarray, str]:
    """float32 images [N, C, 32, 32] in 0..1 (ToTensor) and what they are."""
    dataset = options.dataset or "auto"
    if dataset == "auto":
        dataset = "cifar10" if cifar.available(options.data_dir) else "mnist"
        if dataset == "mnist":
            options.reporter.note(gettext("CIFAR-10 (the tutorial's data) is not in the data folder, so this run "
                                          "trains on MNIST padded to 32×32; put cifar-10-batches-bin/ there for the "
                                          "tutorial's run, or pass --dataset mnist"))
    if dataset == "cifar10":
        return cifar.load_cifar10(options.data_dir, train=True, limit=options.limit).scaled(), "CIFAR-10"
    digits = load_mnist(options.data_dir, train=True, limit=options.limit).scaled()
    return np.pad(digits, ((0, 0), (0, 0), (2, 2), (2, 2))), gettext("MNIST padded to 32×32")


def noise_for(seed: int, epoch: int, count: int, batch: int):
    """This epoch's latent vectors, drawn on the CPU from (seed, epoch) alone: both engines, and a
    resumed run, see the same noise."""
    import torch

    generator = torch.Generator().manual_seed(seed * 1_000_003 + 500_009 + epoch)
    return torch.randn(count * batch, LATENT, 1, 1, generator=generator)


def run(options: RunOptions) -> RunResult:
    device = resolve_device(options)
    torch = setup_torch(options.seed)
    engine = engine_modules(options, device)
    images, described = training_images(options)
    n_channel = images.shape[1]
    gnet, dnet = dcgan(torch, engine, n_channel)
    fixed_noises = engine.tensor(torch.randn(BATCH, LATENT, 1, 1, generator=torch.Generator().manual_seed(options.seed)))
    clock = Clock()
    gnet, dnet, data = gnet.to(device), dnet.to(device), engine.tensor(images)
    criterion = engine.nn.BCEWithLogitsLoss()
    goptimizer = engine.optim.Adam(gnet.parameters(), lr=LR, betas=BETAS)
    doptimizer = engine.optim.Adam(dnet.parameters(), lr=LR, betas=BETAS)
    epochs = options.epochs or EPOCHS
    batches = math.ceil(len(images) / BATCH)
    if options.steps is not None:
        batches = min(batches, options.steps)
    result = RunResult(NAME, options.engine, device, reported="no figure given: the tutorial saves image grids",
                       extra={"dataset": described, "images": len(images)})
    history, start = [], 0
    if options.resume:
        meta = load_state(options, f"{NAME}-generator", gnet, goptimizer)
        load_state(options, f"{NAME}-discriminator", dnet, doptimizer)
        start, history = meta["epoch"], list(meta["history"])
        result.plots.extend(str(p) for e in range(1, start + 1)
                            if (p := plot_path(options, f"{NAME}-epoch{e:02d}.png")).is_file())
    real_grid(options, result, images)
    reporter = options.reporter
    reporter.start(epochs * batches, f"{NAME} ({engine.name})")
    reporter.advance(start * batches)
    for epoch in range(start, epochs):
        order = epoch_order(options.seed, epoch, len(images))
        noise = noise_for(options.seed, epoch, batches, BATCH)
        rows = []
        for i in range(batches):
            index = engine.tensor(order[i * BATCH:(i + 1) * BATCH])
            size = int(index.shape[0])
            rows.append(train_step(gnet, dnet, goptimizer, doptimizer, criterion, data[index],
                                   engine.tensor(noise[i * BATCH:i * BATCH + size]),
                                   engine.tensor(np.ones(size, np.float32)), engine.tensor(np.zeros(size, np.float32))))
            reporter.advance(1, rows[-1]["dloss"])
        history.append({"epoch": epoch + 1, **{key: float(np.mean([row[key] for row in rows])) for key in rows[0]},
                        "steps": [[row["dloss"], row["gloss"]] for row in rows]})
        epoch_grid(options, result, engine, gnet, fixed_noises, epoch + 1)
        if options.out is not None:
            meta = {"epoch": epoch + 1, "history": history}
            save_state(options, f"{NAME}-generator", gnet, goptimizer, meta)
            save_state(options, f"{NAME}-discriminator", dnet, doptimizer, meta)
    reporter.stop()
    steps = [pair for row in history for pair in row["steps"]]
    result.extra.update({"steps": len(steps), "final_dloss": steps[-1][0], "final_gloss": steps[-1][1],
                         "epochs": [{k: v for k, v in row.items() if k != "steps"} for row in history]})
    plot_loss(result, options, NAME, None, gettext("{name}: BCEWithLogitsLoss per step").format(name=NAME),
              curves={gettext("discriminator"): [s[0] for s in steps], gettext("generator"): [s[1] for s in steps]})
    return finish(result, clock, options)


def real_grid(options: RunOptions, result: RunResult, images: np.ndarray) -> None:
    """The first 64 training images, as the tutorial saves its first shuffled batch."""
    path = plot_path(options, f"{NAME}-real.png")
    if path is not None:
        from ..render import plots

        result.plots.append(str(plots.image_grid(images[:BATCH], path)))


def epoch_grid(options: RunOptions, result: RunResult, engine, gnet, fixed_noises, epoch: int) -> None:
    """What the fixed noise makes after this epoch (the generator left in training mode, as in the
    tutorial, so BatchNorm normalises by this batch's statistics)."""
    path = plot_path(options, f"{NAME}-epoch{epoch:02d}.png")
    if path is None:
        return
    from ..render import plots

    with engine.no_grad():
        fake = gnet(fixed_noises)
    result.plots.append(str(plots.image_grid(fake.detach().cpu().numpy(), path)))


register(Example(
    name=NAME,
    summary="the tutorial's DCGAN on CIFAR-10 (or MNIST padded to 32x32): BCEWithLogitsLoss, Adam lr=2e-4",
    source="PyTorch GAN (seed 004, 2.9 生成对抗网络): ConvTranspose2d/BatchNorm2d generator, LeakyReLU discriminator",
    hyper={"latent_size": LATENT, "n_g_feature": N_G_FEATURE, "n_d_feature": N_D_FEATURE, "loss": "BCEWithLogitsLoss",
           "optimizer": "Adam", "lr": LR, "betas": list(BETAS), "epochs": EPOCHS, "batch": BATCH,
           "init": "xavier_normal_ convolutions, BatchNorm weight N(1, 0.02), bias 0"},
    reported="no figure given: the tutorial saves image grids",
    expects="the fixed noise's images turn from grey blur into digit- or object-like shapes over the epochs",
    run=run,
    engines=("torch", "explainer"),
    data="mnist",
    datasets=DATASETS,
))
