# seed 000 "loss.backward() ... 把它累加保存到x.grad": gradients add up until they are zeroed
import torch
x = torch.ones(2, 2, requires_grad=True)
for i in range(3):
    out = ((x + 2) * (x + 2) * 3).mean()
    out.backward()
    print(i, x.grad)
x.grad.data.zero_()
print(x.grad)
