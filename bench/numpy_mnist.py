"""The floor: MnistNet (784-28-10, ReLU, log_softmax, nll_loss) and Adam written by hand in numpy.

No graph, no autograd, buffers reused: the least work a CPU can do for this training step in
numpy, so the tensor engine's time is judged against it (target: within 1.5× of this loop).
"""
from __future__ import annotations

import math

import numpy as np


class NumpyMnistNet:
    """Parameters in torch's layout (weight [out, in]) so torch's initial weights copy over."""

    def __init__(self, w1, b1, w2, b2, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params = [np.array(p, dtype=np.float32) for p in (w1, b1, w2, b2)]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.scratch = [np.empty_like(p) for p in self.params]
        self.lr, (self.beta1, self.beta2), self.eps, self.steps = lr, betas, eps, 0

    def loss_and_grads(self, x: np.ndarray, y: np.ndarray):
        w1, b1, w2, b2 = self.params
        n = x.shape[0]
        h = x @ w1.T + b1
        a = np.maximum(h, 0)
        z = a @ w2.T + b2
        z -= z.max(axis=1, keepdims=True)           # log_softmax, shifted for stability
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = float(np.log(s).mean() - z[rows, y].mean())
        dz = e / s                                  # d loss / d z = (softmax − one-hot) / n
        dz[rows, y] -= 1
        dz /= n
        da = dz @ w2
        da *= h > 0
        return loss, [da.T @ x, da.sum(axis=0), dz.T @ a, dz.sum(axis=0)]

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        loss, grads = self.loss_and_grads(x, y)
        self.steps += 1
        bias1 = 1 - self.beta1 ** self.steps
        bias2_sqrt = math.sqrt(1 - self.beta2 ** self.steps)
        for p, g, m, v, s in zip(self.params, grads, self.m, self.v, self.scratch):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            np.multiply(g, g, out=s)
            s *= 1 - self.beta2
            v += s
            np.sqrt(v, out=s)
            s /= bias2_sqrt
            s += self.eps
            np.divide(m, s, out=s)
            s *= -self.lr / bias1
            p += s
        return loss
