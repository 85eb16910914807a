# seed 001: the same net as torch.nn.Sequential, MSELoss(reduction='sum') and Adam, 500 steps
import torch
N, D_in, H, D_out = 64, 1000, 100, 10
x = torch.randn(N,D_in)
y = torch.randn(N,D_out)
model = torch.nn.Sequential(
    torch.nn.Linear(D_in,H),
    torch.nn.Linear(H, D_out),
)
#torch.nn.init.normal_(model[0].weight)
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
