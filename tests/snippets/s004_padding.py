# seed 004 "张量的补全运算": ConstantPad2d, ReplicationPad2d, ReflectionPad2d on arange(12)
# (typos fixed: the tutorial writes nn.Replication2d / nn.Reflection2d, see s004_padding_typo.py)
import torch
from torch import nn
inputs = torch.arange(12).view(1, 1, 3, 4)
pad = nn.ConstantPad2d(padding=[1, 1, 1, 1], value=-1)
print(pad(inputs))
pad = nn.ReplicationPad2d(padding=[1, 1, 1, 1])
print(pad(inputs.float()))
pad = nn.ReflectionPad2d(padding=[1, 1, 1, 1])
print(pad(inputs.float()))
