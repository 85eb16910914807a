"""two-layer-module: the two-layer net as a Module `TwoLayerNet` with two bias-free Linear layers.

Same data, MSELoss(reduction='sum') and Adam lr = 1e-4 as two-layer-sequential, 500 iterations.
"""
from __future__ import annotations

from .registry import Example, RunOptions, RunResult, register
from .two_layer_sequential import D_IN, D_OUT, H, LR, STEPS, train_module

NAME = "two-layer-module"


def two_layer_net(nn):
    class TwoLayerNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear1 = nn.Linear(D_IN, H, bias=False)
            self.linear2 = nn.Linear(H, D_OUT, bias=False)

        def forward(self, x):
            return self.linear2(self.linear1(x))

    return TwoLayerNet()


def run(options: RunOptions) -> RunResult:
    return train_module(options, NAME, two_layer_net)


register(Example(
    name=NAME,
    summary="a Module TwoLayerNet (two bias-free Linear layers): MSELoss(sum), Adam lr=1e-4, 500 steps",
    source="PyTorch custom nn.Module: forward written by hand",
    hyper={"D_in": D_IN, "H": H, "D_out": D_OUT, "lr": LR, "steps": STEPS, "bias": False},
    reported="the loss falls (no figure given)",
    expects="the final loss far below the first",
    run=run,
    engines=("torch", "explainer"),
))
