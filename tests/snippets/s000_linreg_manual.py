# seed 000 "3. 线性回归实现": y = 3x + 0.8 fitted by hand-written gradient descent (3000 steps)
import torch
import numpy as np
from matplotlib import pyplot as plt
x = torch.rand([50])
y = 3*x + 0.8
w = torch.rand(1,requires_grad=True)
b = torch.rand(1,requires_grad=True)
def loss_fn(y,y_predict):
    loss = (y_predict-y).pow(2).mean()
    for i in [w,b]:
        if i.grad is not None:
            i.grad.data.zero_()
    loss.backward()
    return loss.data
def optimize(learning_rate):
    w.data -= learning_rate* w.grad.data
    b.data -= learning_rate* b.grad.data
for i in range(3000):
    y_predict = x*w + b
    loss = loss_fn(y,y_predict)
    if i%500 == 0:
        print(i,loss)
    optimize(0.01)
predict = x*w + b
plt.scatter(x.data.numpy(), y.data.numpy(),c = "r")
plt.plot(x.data.numpy(), predict.data.numpy())
plt.show()
print("w",w)
print("b",b)
