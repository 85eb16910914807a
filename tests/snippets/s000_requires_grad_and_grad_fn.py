# seed 000 1.2 "requires_grad和grad_fn" (typo `torch.no_gard()` fixed to `torch.no_grad()`)
import torch
a = torch.randn(2, 2)
a = ((a * 3) / (a - 1))
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn)
with torch.no_grad():
    c = (a * a).sum()
print(c.requires_grad)
