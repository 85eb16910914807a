"""torch.autograd for the engine: `Variable` (today just the tensor, as in torch) and `grad`."""
from __future__ import annotations

from ..tensor import (Tensor, TensorError, _leaf, _seed, _walk, enable_grad, no_grad,
                      set_grad_enabled)


def Variable(data, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802
    """Old torch's wrapper: since torch 0.4 it returns the tensor itself."""
    t = data if isinstance(data, Tensor) else Tensor(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """d(outputs)/d(inputs) as a tuple, without touching any `.grad`."""
    if create_graph:
        raise TensorError("create_graph=True (gradients of gradients) is not supported by this engine")
    out = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
    seed_given = grad_outputs[0] if isinstance(grad_outputs, (list, tuple)) else grad_outputs
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    if not out.requires_grad:
        raise TensorError("element 0 of tensors does not require grad and does not have a grad_fn")
    walk = _walk(out, _seed(out, seed_given), retain_graph)
    result = []
    for i, x in enumerate(inputs):
        g = walk.by_node.get(x)
        if g is None and not allow_unused:
            raise TensorError("One of the differentiated Tensors appears to not have been used in "
                              "the graph. Set allow_unused=True if this is the desired behavior.")
        result.append(None if g is None else _leaf(g.copy()))
    return tuple(result)


__all__ = ["Variable", "grad", "no_grad", "enable_grad", "set_grad_enabled"]
