# seed 000 2 as printed: "调用x.gard 能够获取导数值" (x.gard for x.grad): the same AttributeError
import torch
x = torch.ones(2, 2, requires_grad=True)
out = (x * 3).mean()
out.backward()
print(x.gard)
