# seed 002 "Autograd模块": from torch.autograd import Variable
# (adapted: train_x/train_y are the tutorial's numpy arrays; as in its training code, they go
# through torch.from_numpy, since Variable takes a tensor)
import numpy as np
import torch
from torch.autograd import Variable
train_x = np.arange(6, dtype="float32").reshape(3, 2) / 10
train_y = np.array([0, 1, 1])
x = Variable(torch.from_numpy(train_x))
y = Variable(torch.from_numpy(train_y), requires_grad=False)
print(x)
print(y, y.requires_grad)
w = Variable(torch.ones(2, 1), requires_grad=True)
(x.mm(w)).sum().backward()
print(w.grad)
