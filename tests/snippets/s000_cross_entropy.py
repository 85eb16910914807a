# seed 000 "3.3 模型的损失函数": nn.CrossEntropyLoss() and log_softmax + nll_loss give the same loss
import torch
from torch import nn
import torch.nn.functional as F
input = torch.tensor([[2.3, 4.1, 5.6], [1.0, -0.5, 0.25]], requires_grad=True)
target = torch.tensor([2, 0])
criterion = nn.CrossEntropyLoss()
loss = criterion(input,target)
print(loss)
x = input
output = F.log_softmax(x,dim=-1)
loss2 = F.nll_loss(output,target)
print(loss2)
print(torch.allclose(loss, loss2))
loss.backward()
print(input.grad)
print(torch.softmax(torch.tensor([2.3, 4.1, 5.6]), dim=0))
