# seed 000 "Pytorch完成基础的模型" 1.1-1.3: an nn.Module, an optimizer, a loss, the 100-step loop
# (adapted: the fragments use x / x_true / y_true without defining them; they are defined here)
import torch
from torch import nn
from torch import optim
x_true = torch.rand([50, 1])
y_true = x_true*3 + 0.8
x = x_true
class Lr(nn.Module):
    def __init__(self):
        super(Lr, self).__init__()
        self.linear = nn.Linear(1, 1)
    def forward(self, x):
        out = self.linear(x)
        return out
model = Lr()
predict = model(x)
print(predict.shape)
print(model)
model = Lr()
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=1e-3)
first = None
for i in range(100):
    y_predict = model(x_true)
    loss = criterion(y_true,y_predict)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    first = loss.item() if first is None else first
print(loss.item() < first)
