# seed 003 "注:如果模型结构比较简单": nn.Sequential(nn.Linear(2,64), nn.Linear(64, 1))
import torch
from torch import nn
model = nn.Sequential(nn.Linear(2,64), nn.Linear(64, 1))
print(model)
print(model(torch.ones(5, 2)).shape)
