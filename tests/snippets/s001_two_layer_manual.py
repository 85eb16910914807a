# seed 001 "2.利用Pytorch进行反向传播和梯度下降": x.mm(w1).mm(w2), update under no_grad, 500 steps
import torch
N, D_in, H, D_out = 64, 1000, 100, 10
x = torch.randn(N,D_in)
y = torch.randn(N,D_out)
w1 = torch.randn(D_in,H,requires_grad = True)
w2 = torch.randn(H,D_out,requires_grad = True)
lr = 1e-6
for it in range(500):
    y_pred = x.mm(w1).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    print("\r epoch={} loss={}".format(it,loss), end=' ')
    if it == 0:
        first_loss = loss.item()
    loss.backward()
    with torch.no_grad():
        w1 -= lr * w1.grad
        w2 -= lr * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
print()
