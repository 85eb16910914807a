# seed 003 "修改之后的代码" as printed: `x,y = (device),(device)` replaces the data by the device,
# so the first forward pass fails; both engines name the same mistake in the same words
import torch
from torch import nn
x = torch.rand([50,1])
y = x*3 + 0.8
device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
x,y = (device),(device)
model = nn.Linear(1, 1).to(device)
out = model(x)
