# seed 000 1.2 as printed, with the typo `torch.no_gard()`: both engines refuse it the same way
import torch
a = torch.randn(2, 2)
a.requires_grad_(True)
with torch.no_gard():
    c = (a * a).sum()
