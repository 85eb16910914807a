# seed 004 "使用 torch.optim.SGD 梯度下降的一个实例": 11 printed steps of SGD(lr=0.1, momentum=0)
# (the same `.sum` typo fixed; x and f(x) approach 0 and -4)
from math import pi
import torch
import torch.optim
x = torch.tensor([ pi/3 , pi/6 ], requires_grad=True)
optimizer = torch.optim.SGD([x,], lr=0.1 ,momentum=0)
for step in range(11):
    if step:
        optimizer.zero_grad()
        f.backward()
        optimizer.step()
    f = -((x.cos()**2).sum())**2
    print(f'step {step}: x = {x.tolist()}, f(x) = {f}')
