"""A module and a seeded batch made into a loss, in our engine and in torch: what `--model` draws
for an example's network or a module from the user's file."""
from __future__ import annotations
from explainer.i18n import _

from . import Model
from .networks import Network, batch, loss_of
from .user_file import is_torch_module
from ..errors import ExplainerError


def network_model(net: Network, shape, loss) -> Model:
    """An example's network: torch draws the weights (seed 0), ours gets the same ones."""
    shape = shape or net.input_shape
    loss = loss or net.loss

    def torch_module():
        import torch

        torch.manual_seed(0)
        return net.build(torch.nn).double()

    def build():
        from .. import nn
        from ..examples.runtime import ours_like

        return ours_loss(net.name, ours_like(torch_module(), net.build(nn)).double(), shape, loss)

    return Model(net.name, net.summary, build, lambda: torch_loss(net.name, torch_module(), shape, loss))


def module_model(label: str, module, shape, loss: str) -> Model:
    """A module from the user's file: drawn by the engine it was written for."""
    if is_torch_module(module):
        def build_torch():
            import torch

            torch.manual_seed(0)
            return torch_loss(label, module.double(), shape, loss)

        return Model(label, "a torch module from your file", None, build_torch)
    return Model(label, "an explainer module from your file",
                 lambda: ours_loss(label, module.double(), shape, loss), None)


def torch_loss(label: str, module, shape, loss: str):
    """(loss tensor, the module, {"x": batch, "output": output}): the batch is float64, seeded."""
    import torch

    from ..scopes import record

    x = torch.from_numpy(batch(shape))
    with record(module):   # which module call made each grad_fn: the picture's module boxes
        output = _forward(label, module, x, shape)
        value = loss_of(output, loss, torch.nn.functional, torch.as_tensor)
    return value, module, {"x": x, "output": output, "loss": value}


def ours_loss(label: str, module, shape, loss: str):
    """Our engine's loss node, every node named as torch names it (parameters by their path)."""
    from .. import functional
    from ..tensor import Tensor, tensor

    for name, p in module.named_parameters():
        p.name = name
    x = Tensor(batch(shape), name="x")
    output = _forward(label, module, x, shape)
    if output.inputs:
        output.name = "output"
    value = loss_of(output, loss, functional, lambda data: tensor(data, name="target"))  # as torch's view names it
    value.name = "loss"
    return value


def _forward(label: str, module, x, shape):
    try:
        return module(x)
    except Exception as error:  # the model's own refusal (a shape mismatch), in one sentence
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ExplainerError(_("{label} rejects an input of shape {list_shape}: {message}; give the shape it reads with --input-shape").format(label=label, list_shape=list(shape), message=message)) from None
