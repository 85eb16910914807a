# seed 000 "3.1 激活函数的使用": F.relu on an integer tensor
import torch
b = torch.tensor([-2, -1, 0, 1, 2])
print(b)
import torch.nn.functional as F
print(F.relu(b))
