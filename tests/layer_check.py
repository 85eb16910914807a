"""Run one of our modules and the same torch module on the same weights and compare everything.

Weights go from torch to us through `load_state_dict` by name (so names and shapes must match);
the output(s) are reduced with fixed random upstream gradients, and the outputs, the inputs'
gradients, every parameter's gradient and every buffer are compared.
"""
from __future__ import annotations

import numpy as np
import torch

import explainer.tensor as T

RTOL64, ATOL64 = 1e-9, 1e-12


def copy_from_torch(ours, theirs, dtype=torch.float64):
    theirs.to(dtype)
    ours.double() if dtype == torch.float64 else ours.float()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    return ours, theirs


def flat(out) -> list:
    """The tensors in an output that may nest tuples: LSTM's (output, (h, c))."""
    if isinstance(out, (tuple, list)):
        return [t for part in out for t in flat(part)]
    return [out]


def step(ours, theirs, inputs: list, seed: int = 0, call=None, grads=True):
    """One forward (and backward) of both modules on `inputs` (arrays, or ("grad", array) for an
    input whose gradient is compared too); returns our and torch's results for `compare`."""
    call = call or (lambda m, *xs: m(*xs))
    ours_in, theirs_in = [], []
    for x in inputs:
        wants = isinstance(x, tuple) and x[0] == "grad"
        arr = x[1] if wants else x
        ours_in.append(T.tensor(arr, requires_grad=wants and grads))
        theirs_in.append(torch.tensor(arr, requires_grad=wants and grads))
    ours_out = flat(call(ours, *ours_in))
    theirs_out = flat(call(theirs, *theirs_in))
    if grads:
        rng = np.random.default_rng(seed + 100)
        seeds = [rng.standard_normal(o.shape) for o in theirs_out]
        sum(((o * T.tensor(s.astype(o.dtype))).sum() for o, s in zip(ours_out, seeds)),
            start=T.tensor(np.zeros((), dtype=ours_out[0].dtype))).backward()
        torch.autograd.backward(theirs_out, [torch.tensor(s, dtype=o.dtype)
                                             for o, s in zip(theirs_out, seeds)])
    return ours_in, ours_out, theirs_in, theirs_out


def compare(ours, theirs, result, rtol=RTOL64, atol=ATOL64):
    ours_in, ours_out, theirs_in, theirs_out = result
    assert len(ours_out) == len(theirs_out)
    for k, (a, b) in enumerate(zip(ours_out, theirs_out)):
        assert a.shape == tuple(b.shape), f"output {k}"
        np.testing.assert_allclose(a.value, b.detach().numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"output {k}")
    for k, (a, b) in enumerate(zip(ours_in, theirs_in)):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.value, b.grad.numpy(), rtol=rtol, atol=atol,
                                       err_msg=f"gradient of input {k}")
    params = dict(theirs.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(params)
    for name, p in ours.named_parameters():
        if params[name].grad is None:
            assert p.grad is None, name
            continue
        np.testing.assert_allclose(p.grad.value, params[name].grad.numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"gradient of {name}")
    buffers = dict(theirs.named_buffers())
    assert [n for n, _ in ours.named_buffers()] == list(buffers)
    for name, b in ours.named_buffers():
        np.testing.assert_allclose(b.value, buffers[name].numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"buffer {name}")
