# seed 000 2 "注意点": tensor.data, and tensor.numpy() needing detach() when requires_grad=True
import torch
x = torch.tensor([[1.5, 2.0], [3.0, 4.25]], requires_grad=True)
print(x.data)
print(x.data.requires_grad)
print(x.detach().numpy())
try:
    x.numpy()
except RuntimeError as error:
    print(error)
y = (x * 2).sum()
y.backward()
print(x.grad.data)
print(x.grad.data.numpy())
