"""GPU: torch's MnistNet epoch on CUDA beside our engine's epoch on the CPU (the engine is numpy).

Where torch sees no CUDA device the row is still written, with ratio null and the reason, so the
results table says plainly that this machine could not measure it.
"""
import _common  # noqa: F401  (first: one BLAS thread)
from _common import log, one_thread_torch, paired_times, result, skipped

from tensor_vs_torch import BATCH, SAMPLES, batches, our_mnist, synthetic_mnist, torch_mnist

NAME = "MnistNet epoch, torch on CUDA vs ours on CPU"
ANCHOR = "torch 2.13 CUDA"
TARGET = "reported (a GPU is not our engine's field)"


def bench_cuda(torch) -> None:
    import numpy as np
    import torch.nn.functional as TF

    from explainer import functional as F
    from explainer import optim
    from explainer.tensor import Tensor

    x, y = synthetic_mnist()
    plan = batches(np.random.default_rng(1), SAMPLES)
    device = torch.device("cuda:0")
    tmodel = torch_mnist(torch)
    omodel = our_mnist(tmodel)
    tmodel = tmodel.to(device)
    tx, ty = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
    tplan = [torch.from_numpy(idx).to(device) for idx in plan]
    topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3)
    oopt = optim.Adam(omodel.parameters(), lr=1e-3)

    def cuda_epoch():
        for idx in tplan:
            topt.zero_grad()
            TF.nll_loss(tmodel(tx[idx]), ty[idx]).backward()
            topt.step()
        torch.cuda.synchronize()  # the GPU runs asynchronously: wait for the last step

    def our_epoch():
        for idx in plan:
            oopt.zero_grad()
            F.nll_loss(omodel(Tensor(x[idx])), Tensor(y[idx])).backward()
            oopt.step()

    ours_s, cuda_s = paired_times(our_epoch, cuda_epoch, repeats=3)
    result(NAME, ours_s, ANCHOR, cuda_s, TARGET, device=torch.cuda.get_device_name(0),
           batch=BATCH)


if __name__ == "__main__":
    log("GPU")
    torch = one_thread_torch()
    if torch.cuda.is_available():
        bench_cuda(torch)
    else:
        skipped(NAME, ANCHOR, TARGET, "skipped: no CUDA")
