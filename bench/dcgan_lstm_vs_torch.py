"""The tutorials' DCGAN and LSTM on our tensor engine vs torch (CPU, one thread).

DCGAN: one training step of the `gan` example as the tutorial writes it — the discriminator on a
real batch and a detached fake batch, then the generator — at batch 64 of 3×32×32 images (CIFAR-10's
shape; the data are random, the timing does not depend on them), two Adam optimisers.
LSTM: one step of the `lstm` example — the tutorial's Net(1, 5) over 49 time steps × 16 sequences,
MSELoss, backward, Adam — and the same at hidden size 64 over 100 steps × 64 sequences, with our
LSTM as one `lstm` op per layer (unroll=False, how the example trains); the small one also
unrolled (every gate of every step a node, how the pictures draw it), reported without a target.
Both sides start from torch's weights (after the tutorial's weights_init) and the script checks
that their losses agree before it times anything. Target (issue 12): ratio ≥ 0.5.
"""
import _common  # noqa: F401  (first: one BLAS thread)
from _common import log, one_thread_torch, paired_times, result

import numpy as np

TARGET = 0.5


def dcgan_sides(torch):
    from explainer.examples import gan
    from explainer.examples.runtime import engine_named

    torch.manual_seed(0)
    engines = {name: engine_named(name) for name in ("torch", "explainer")}
    rng = np.random.default_rng(0)
    real = rng.random((64, 3, 32, 32), dtype=np.float32)
    noise = rng.standard_normal((64, gan.LATENT, 1, 1), dtype=np.float32)
    ones, zeros = np.ones(64, np.float32), np.zeros(64, np.float32)
    gnet_t, dnet_t = gan.dcgan(torch, engines["torch"], 3)
    gnet_o = gan.ours_like(gnet_t, gan.generator(engines["explainer"].nn, 3))
    dnet_o = gan.ours_like(dnet_t, gan.discriminator(engines["explainer"].nn, 3))
    steps = []
    for name, (gnet, dnet) in (("explainer", (gnet_o, dnet_o)), ("torch", (gnet_t, dnet_t))):
        engine = engines[name]
        args = (gnet, dnet, engine.optim.Adam(gnet.parameters(), lr=gan.LR, betas=gan.BETAS),
                engine.optim.Adam(dnet.parameters(), lr=gan.LR, betas=gan.BETAS), engine.nn.BCEWithLogitsLoss(),
                *(engine.tensor(a) for a in (real, noise, ones, zeros)))
        steps.append(lambda args=args: gan.train_step(*args))
    return steps


def lstm_sides(torch, hidden: int, length: int, batch: int, unroll: bool = False):
    from explainer.examples import lstm
    from explainer.examples.runtime import engine_named, ours_like

    def net(nn):  # the tutorial's Net, with its LSTM and Linear resized for the larger row
        model = lstm.lstm_net(nn)
        if hidden != lstm.HIDDEN:
            model.rnn, model.fc = nn.LSTM(1, hidden), nn.Linear(hidden, 1)
        return model

    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    series = np.sin(np.linspace(0, 40, length + 1, dtype=np.float32))[:, None] + \
        0.1 * rng.standard_normal((length + 1, batch), dtype=np.float32)
    x, y = series[:-1], series[1:]
    theirs = net(torch.nn)
    ours_engine = engine_named("explainer")
    ours = ours_like(theirs, net(ours_engine.nn))
    ours.rnn.unroll = unroll  # False: one lstm op per layer, as the lstm example trains; True: every gate a node
    steps = []
    for engine, model in ((ours_engine, ours), (engine_named("torch"), theirs)):
        optimizer = engine.optim.Adam(model.parameters(), lr=lstm.LR)
        loss_fn, tx, ty = engine.nn.MSELoss(), engine.tensor(x), engine.tensor(y)

        def step(model=model, optimizer=optimizer, loss_fn=loss_fn, tx=tx, ty=ty):
            loss = loss_fn(model(tx), ty)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return {"loss": float(loss.item())}

        steps.append(step)
    return steps


def check_equal(steps, key: str, what: str) -> None:
    ours, theirs = (step()[key] for step in steps)
    assert abs(ours - theirs) < 1e-4 * max(1.0, abs(theirs)), f"{what}: ours {ours} vs torch {theirs}"


if __name__ == "__main__":
    log("DCGAN and LSTM: tensor engine vs torch")
    torch = one_thread_torch()
    steps = dcgan_sides(torch)
    check_equal(steps, "dloss", "DCGAN first discriminator loss")
    ours_s, torch_s = paired_times(*steps, repeats=5, warmup=1)
    result("DCGAN training step (batch 64, 3x32x32, D then G, Adam)", ours_s, "torch 2.13 CPU", torch_s,
           f"ratio >= {TARGET}", met=torch_s / ours_s >= TARGET)
    for hidden, length, batch, unroll in ((5, 49, 16, False), (64, 100, 64, False), (5, 49, 16, True)):
        steps = lstm_sides(torch, hidden, length, batch, unroll)
        check_equal(steps, "loss", f"LSTM({hidden}) first loss")
        ours_s, torch_s = paired_times(*steps, repeats=7, number=5, warmup=1)
        how = "unrolled, every gate a node" if unroll else "one lstm op per layer"
        result(f"LSTM sequence step: LSTM(1,{hidden})+Linear, {length} steps x {batch}, Adam ({how})", ours_s,
               "torch 2.13 CPU", torch_s, "reported (the pictures' form)" if unroll else f"ratio >= {TARGET}",
               met=None if unroll else torch_s / ours_s >= TARGET)
