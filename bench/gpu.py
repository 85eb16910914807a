"""GPU: the MnistNet epoch as `explainer train mnist-mlp --device cuda` runs it — the whole dataset on
the device, batches taken by index, fused Adam — against the tutorial's DataLoader loop on the same
GPU (a host batch copied over every step). Target ratio ≥ 10 (issue 6): launch overhead, not
arithmetic, is the cost on a GPU, so the remaining gap needs CUDA graphs for the step.

Where torch sees no CUDA device the row is still written, with ratio null and the reason, so the
results table says plainly that this machine could not measure it.
"""
import _common  # noqa: F401  (first: one BLAS thread)
from _common import log, one_thread_torch, paired_times, result, skipped

from tensor_vs_torch import BATCH, SAMPLES, synthetic_mnist, torch_mnist

NAME = "MnistNet epoch on CUDA: on-device batches vs the tutorial's DataLoader"
ANCHOR = "torch 2.13 CUDA, DataLoader loop"
TARGET = "ratio >= 10"


def bench_cuda(torch) -> None:
    import torch.nn.functional as TF

    x, y = synthetic_mnist()
    device = torch.device("cuda:0")
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                                         batch_size=BATCH, shuffle=True)
    tutorial_model = torch_mnist(torch).to(device)
    tutorial_opt = torch.optim.Adam(tutorial_model.parameters(), lr=1e-3)
    ours_model = torch_mnist(torch).to(device)
    ours_opt = torch.optim.Adam(ours_model.parameters(), lr=1e-3, fused=True)
    x_dev, y_dev = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)

    def tutorial_epoch():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            tutorial_opt.zero_grad()
            TF.nll_loss(tutorial_model(xb), yb).backward()
            tutorial_opt.step()
        torch.cuda.synchronize()  # the GPU runs asynchronously: wait for the last step

    def on_device_epoch():
        order = torch.randperm(SAMPLES, device=device)
        for start in range(0, SAMPLES, BATCH):
            idx = order[start:start + BATCH]
            ours_opt.zero_grad(set_to_none=True)
            TF.nll_loss(ours_model(x_dev[idx]), y_dev[idx]).backward()
            ours_opt.step()
        torch.cuda.synchronize()

    ours_s, tutorial_s = paired_times(on_device_epoch, tutorial_epoch, repeats=3)
    result(NAME, ours_s, ANCHOR, tutorial_s, TARGET, met=tutorial_s / ours_s >= 10,
           device=torch.cuda.get_device_name(0), batch=BATCH)


if __name__ == "__main__":
    log("GPU")
    torch = one_thread_torch()
    if torch.cuda.is_available():
        bench_cuda(torch)
    else:
        skipped(NAME, ANCHOR, TARGET, "skipped: no CUDA")
