# seed 001 "1.pytorch自动求导机制": x float64 2x2, out = mean(3(x+2)^2), out.backward()
import torch
x = torch.tensor([[1,2],[3,4]],dtype=torch.double,requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
out.backward()
print(x.grad)
