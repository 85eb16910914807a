# seed 004 as printed: nn.Replication2d does not exist; both engines say so
import torch
from torch import nn
inputs = torch.arange(12).view(1, 1, 3, 4)
pad = nn.ConstantPad2d(padding=[1, 1, 1, 1], value=-1)
pad = nn.Replication2d(padding=[1, 1, 1, 1])
