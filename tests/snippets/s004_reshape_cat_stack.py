# seed 004 "2.2 重排张量元素" / "2.3 张量扩展和拼接": reshape, squeeze, unsqueeze, repeat, cat, stack
import torch
t = torch.arange(6).reshape(2, 1, 3)
print(t.reshape(3, 2))
print(t.squeeze(), t.squeeze().shape)
print(t.unsqueeze(dim=2).shape)
print(torch.tensor([[1, 2]]).repeat(2, 3))
a, b = torch.ones(2, 2), torch.zeros(2, 2)
print(torch.cat([a, b], 0))
print(torch.cat([a, b], dim=1))
print(torch.stack([a, b], 0).shape, torch.stack([a, b], dim=2).shape)
