# seed 000 "Pytorch完成线性回归" 1.1 and 2: forward pass with requires_grad, then out.backward()
import torch
x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x+2
print(y)
z = y*y*3
print(x)
out = z.mean()
print(out)
out.backward()
print(x.grad)
