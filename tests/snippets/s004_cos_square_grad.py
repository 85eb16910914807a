# seed 004 "2.4 求解优化问题": f = -(sum cos^2 x)^2 and its gradient
# (typo fixed: the tutorial writes `.sum` without the call, see EXAMPLES.md D)
from math import pi
import torch
x = torch.tensor([ pi/3 , pi/6 ], requires_grad=True)
f = -((x.cos()**2).sum())**2
print(f'value = {f}')
f.backward()
print(f'grad = {x.grad}')
