"""Built-in networks for `--model NAME`: each builds its output node in our engine, and (for
`--torch`) the same network in torch, so both graphs can be drawn with the same views."""
from __future__ import annotations
from explainer.i18n import _

from dataclasses import dataclass
from typing import Callable

from ..errors import ExplainerError


@dataclass(frozen=True)
class Model:
    name: str
    summary: str
    build: Callable            # () -> our engine's output node
    build_torch: Callable | None = None   # () -> (torch output tensor, {name: parameter})


def _neuron_paths():
    from .neuron_paths import build

    return build()


def _neuron_paths_torch():
    from .neuron_paths_torch import build

    return build()


def _tensor_net(name: str):
    def build():
        from . import tensor_nets

        return getattr(tensor_nets, name)()
    return build


MODELS: dict[str, Model] = {
    "neuron-paths": Model("neuron-paths", "the 2-2-2-1 sigmoid network, one node per weight",
                          _neuron_paths, _neuron_paths_torch),
    "two-layer": Model("two-layer", "x·w1·w2 against y, sum of squares (64×1000 → 100 → 10)",
                       _tensor_net("two_layer"), _tensor_net("two_layer_torch")),
    "mnist-mlp": Model("mnist-mlp", "MnistNet 784 → 28 → 10 with nll_loss on a batch of 64",
                       _tensor_net("mnist_mlp"), _tensor_net("mnist_mlp_torch")),
}


def get_model(name: str) -> Model:
    try:
        return MODELS[name]
    except KeyError:
        raise ExplainerError(_("unknown model {name!r}; known models: {MODELS}").format(name=name, MODELS=', '.join(MODELS))) from None
