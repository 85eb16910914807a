# seed 000 2: running `out.backward()` a second time on the same graph (as re-running a notebook
# cell does) is refused by both engines with torch's retain_graph message
import torch
x = torch.ones(2, 2, requires_grad=True)
y = x+2
z = y*y*3
out = z.mean()
out.backward()
print(x.grad)
out.backward()
