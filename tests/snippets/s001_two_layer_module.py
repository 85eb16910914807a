# seed 001 "方式2.继承 torch.nn.Module": TwoLayerNet with two bias-free Linear layers, Adam, 500 steps
import torch
N, D_in, H, D_out = 64, 1000, 100, 10
x = torch.randn(N,D_in)
y = torch.randn(N,D_out)
class TwoLayerNet(torch.nn.Module):
    def __init__(self, D_in, H, D_out):
        super(TwoLayerNet,self).__init__()
        self.linear1 = torch.nn.Linear(D_in, H, bias=False)
        self.linear2 = torch.nn.Linear(H, D_out, bias=False)
    def forward(self, X):
        y_pred = self.linear2(self.linear1(X))
        return y_pred
model = TwoLayerNet(D_in, H, D_out)
print(model)
lr = 1e-4
loss_fn = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.Adam(model.parameters(),lr=lr)
for it in range(500):
    y_pred = model(x) #model.forward()
    loss = loss_fn(y_pred,y)
    print("\r epoch={} loss={}".format(it,loss), end=' ')
    if it == 0:
        first_loss = loss.item()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print()
