"""torch.optim for the tensor engine: SGD, Adagrad, RMSprop and Adam with torch's exact update rules.

Each step updates the parameter arrays in place (never rebinding them), through one scratch
array per parameter, so a training step allocates almost nothing. The formulas follow torch's
single-tensor implementations line by line; the comments show the torch line each one mirrors.
"""
from __future__ import annotations
from explainer.i18n import _

import copy
import math

import numpy as np

from .errors import ExplainerError
from .tensor import enable_grad


class Optimizer:
    def __init__(self, params, defaults: dict):
        self.defaults = defaults
        self.state: dict = {}               # parameter → its state (buffers, step count)
        self.param_groups: list[dict] = []
        params = list(params)
        if not params:
            raise ExplainerError(_("optimizer got an empty parameter list"))
        if not isinstance(params[0], dict):
            params = [{"params": params}]
        for group in params:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        group = dict(group)
        params = group["params"]
        group["params"] = [params] if hasattr(params, "data") else list(params)
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.value[...] = 0

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {}
                self._update(p.value, p.grad.value, group, state)
        return loss

    def _update(self, param: np.ndarray, grad: np.ndarray, group: dict, state: dict) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _update")

    # -- saving and loading: parameters are numbered in group order, as torch does --------------
    def state_dict(self) -> dict:
        index, groups, i = {}, [], 0
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index[id(p)] = i
                ids.append(i)
                i += 1
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[id(p)]: {k: (v.copy() if isinstance(v, np.ndarray) else v)
                                for k, v in s.items() if not k.startswith("_")}
                 for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups) or any(
                len(g["params"]) != len(o["params"]) for g, o in zip(groups, self.param_groups)):
            raise ExplainerError(_("loaded state dict has a different number of parameters or parameter groups than this optimizer"))
        params = [p for g in self.param_groups for p in g["params"]]
        for saved, own in zip(groups, self.param_groups):
            own.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})
        self.state = {}
        for key, saved in state_dict["state"].items():
            p = params[int(key)]
            self.state[p] = {k: (np.array(v, dtype=p.value.dtype) if np.ndim(v) else v)
                             for k, v in saved.items()}


def _check(value, name: str, low: float = 0.0) -> None:
    if not value >= low:
        raise ExplainerError(_("Invalid {name}: {value}").format(name=name, value=value))


def _scratch(state: dict, param: np.ndarray) -> np.ndarray:
    s = state.get("_scratch")
    if s is None:
        s = state["_scratch"] = np.empty_like(param)
    return s


def _with_weight_decay(grad, param, weight_decay):
    return grad + weight_decay * param if weight_decay else grad   # grad.add(param, alpha=wd)


class SGD(Optimizer):
    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        _check(lr, "learning rate")
        _check(momentum, "momentum value")
        _check(weight_decay, "weight_decay value")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ExplainerError(_("Nesterov momentum requires a momentum and zero dampening"))
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _update(self, param, grad, group, state):
        grad = _with_weight_decay(grad, param, group["weight_decay"])
        momentum = group["momentum"]
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(grad)        # torch.clone(grad)
            else:
                buf *= momentum                                        # buf.mul_(momentum)
                buf += (1 - group["dampening"]) * grad                  # .add_(grad, alpha=1-d)
            grad = grad + momentum * buf if group["nesterov"] else buf
        s = _scratch(state, param)
        np.multiply(grad, group["lr"], out=s)                          # param.add_(grad, alpha=-lr)
        param -= s


class Adam(Optimizer):
    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        _check(lr, "learning rate")
        _check(eps, "epsilon value")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ExplainerError(_("Invalid beta parameter at index {i}: {beta}").format(i=i, beta=beta))
        _check(weight_decay, "weight_decay value")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad))

    def _update(self, param, grad, group, state):
        if "step" not in state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        beta1, beta2 = group["betas"]
        state["step"] += 1
        step = state["step"]
        grad = _with_weight_decay(grad, param, group["weight_decay"])
        m, v, s = state["exp_avg"], state["exp_avg_sq"], _scratch(state, param)
        np.subtract(grad, m, out=s)                  # exp_avg.lerp_(grad, 1 - beta1)
        s *= 1 - beta1
        m += s
        v *= beta2                                   # exp_avg_sq.mul_(beta2)
        np.multiply(grad, grad, out=s)               #   .addcmul_(grad, grad, value=1 - beta2)
        s *= 1 - beta2
        v += s
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size = group["lr"] / (1 - beta1 ** step)
        bc2_sqrt = math.sqrt(1 - beta2 ** step)
        np.sqrt(v, out=s)                            # denom = (exp_avg_sq.sqrt() / bc2_sqrt)
        if step_size == 0:                           #   .add_(eps)
            s /= bc2_sqrt
            s += group["eps"]
            np.divide(m, s, out=s)                   # param.addcdiv_(exp_avg, denom,
            s *= -step_size                          #               value=-step_size)
        else:  # the same with denom scaled by -1/step_size: one pass over the parameter fewer
            s *= -1.0 / (bc2_sqrt * step_size)
            s -= group["eps"] / step_size
            np.divide(m, s, out=s)
        param += s


class Adagrad(Optimizer):
    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10):
        _check(lr, "learning rate")
        _check(lr_decay, "lr_decay value")
        _check(weight_decay, "weight_decay value")
        _check(initial_accumulator_value, "initial_accumulator_value value")
        _check(eps, "epsilon value")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    def _update(self, param, grad, group, state):
        if "step" not in state:
            state["step"] = 0
            state["sum"] = np.full_like(param, group["initial_accumulator_value"])
        state["step"] += 1
        grad = _with_weight_decay(grad, param, group["weight_decay"])
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total, s = state["sum"], _scratch(state, param)
        np.multiply(grad, grad, out=s)               # state_sum.addcmul_(grad, grad, value=1)
        total += s
        np.sqrt(total, out=s)                        # std = state_sum.sqrt().add_(eps)
        s += group["eps"]
        np.divide(grad, s, out=s)                    # param.addcdiv_(grad, std, value=-clr)
        s *= -clr
        param += s


class RMSprop(Optimizer):
    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        _check(lr, "learning rate")
        _check(eps, "epsilon value")
        _check(momentum, "momentum value")
        _check(weight_decay, "weight_decay value")
        _check(alpha, "alpha value")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def _update(self, param, grad, group, state):
        if "step" not in state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        alpha = group["alpha"]
        grad = _with_weight_decay(grad, param, group["weight_decay"])
        square_avg, s = state["square_avg"], _scratch(state, param)
        square_avg *= alpha                          # square_avg.mul_(alpha)
        np.multiply(grad, grad, out=s)               #   .addcmul_(grad, grad, value=1 - alpha)
        s *= 1 - alpha
        square_avg += s
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg += (1 - alpha) * (grad - grad_avg)   # grad_avg.lerp_(grad, 1 - alpha)
            np.multiply(grad_avg, grad_avg, out=s)       # square_avg.addcmul(grad_avg, grad_avg,
            np.subtract(square_avg, s, out=s)            #                    value=-1).sqrt_()
            np.sqrt(s, out=s)
        else:
            np.sqrt(square_avg, out=s)               # avg = square_avg.sqrt()
        s += group["eps"]                            # avg.add_(eps)
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]                 # buf.mul_(momentum).addcdiv_(grad, avg)
            np.divide(grad, s, out=s)
            buf += s
            param -= group["lr"] * buf               # param.add_(buf, alpha=-lr)
        else:
            np.divide(grad, s, out=s)                # param.addcdiv_(grad, avg, value=-lr)
            s *= -group["lr"]
            param += s


__all__ = ["Optimizer", "SGD", "Adam", "Adagrad", "RMSprop"]
