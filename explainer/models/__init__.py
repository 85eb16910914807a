"""Every network `--model` knows, in one place: the built-in graphs (neuron-paths, two-layer,
mnist-mlp), every training example's network (`networks.NETWORKS`: cnn, lstm, gan, digits-mlp, …),
and a module from the user's own file (`FILE.py:NAME`). Each builds its output node in our engine,
and (for `--torch`) the same network in torch, so both graphs can be drawn with the same views.
"""
from __future__ import annotations
from explainer.i18n import _

from dataclasses import dataclass
from typing import Callable

from ..errors import ExplainerError


@dataclass(frozen=True)
class Model:
    name: str
    summary: str
    build: Callable | None     # () -> our engine's output node (None: a torch module only)
    build_torch: Callable | None = None   # () -> (torch output, {name: parameter} or the nn.Module[, {name: tensor}])
    output_name: str = "loss"  # what the output node is called in torch's graph


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
                          _neuron_paths, _neuron_paths_torch, output_name="out"),
    "two-layer": Model("two-layer", "x·w1·w2 against y, sum of squares (64×1000 → 100 → 10)",
                       _tensor_net("two_layer"), _tensor_net("two_layer_torch")),
    "mnist-mlp": Model("mnist-mlp", "MnistNet 784 → 28 → 10 with nll_loss on a batch of 64",
                       _tensor_net("mnist_mlp"), _tensor_net("mnist_mlp_torch")),
}
# the two-layer-manual example's computation is the built-in two-layer graph
MODELS["two-layer-manual"] = Model("two-layer-manual", MODELS["two-layer"].summary,
                                   MODELS["two-layer"].build, MODELS["two-layer"].build_torch)


def model_names() -> list[str]:
    from .networks import available_networks

    return list(MODELS) + [n for n in available_networks() if n not in MODELS]


def get_model(name: str, input_shape: str | None = None, loss: str | None = None) -> Model:
    """The model `--model name` means; `input_shape` ("64,1,28,28") and `loss` go with a network
    (an example's, whose own batch and loss they replace, or FILE.py:NAME, which needs a shape)."""
    from . import networks, user_file

    spec = user_file.split_spec(name)
    shape = networks.parse_shape(input_shape) if input_shape else None
    if loss is not None:
        networks.check_loss(loss)
    if spec is not None:
        module = user_file.load_module(*spec)
        if shape is None:
            raise ExplainerError(_("--model {name} needs --input-shape, the shape of the batch it reads, e.g. --input-shape 64,1,28,28").format(name=name))
        from .module_loss import module_model

        return module_model(name, module, shape, loss or "sum")
    net = networks.available_networks().get(name)
    if net is not None and name not in MODELS:
        from .module_loss import network_model

        return network_model(net, shape, loss)
    if name in MODELS and (shape is not None or loss is not None):
        raise ExplainerError(_("--input-shape and --loss go with a network model ({available_networks}) or FILE.py:NAME, not {name}").format(available_networks=', '.join(networks.available_networks()), name=name))
    try:
        return MODELS[name]
    except KeyError:
        raise ExplainerError(_("unknown model {name!r}; known models: {model_names}, or FILE.py:NAME for a module in your own file").format(name=name, model_names=', '.join(model_names()))) from None
