# seed 001: the commented-out `torch.nn.init.normal_(model[0].weight)` line, run
import torch
torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(1000,100),
    torch.nn.Linear(100, 10),
)
w = torch.nn.init.normal_(model[0].weight)
print(w is model[0].weight, w.shape, w.requires_grad)
print(abs(model[0].weight.data.mean().item()) < 0.02, abs(model[0].weight.data.std().item() - 1) < 0.02)
