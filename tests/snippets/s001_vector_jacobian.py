# seed 001 "雅各比向量": y = x*2 doubled while its norm < 1000, then y.backward(v)
import torch
x = torch.tensor([1, 2, 3], dtype=torch.double, requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)
print(x.grad)
