# seed 002 "PyTorch张量" / "数学运算": torch.FloatTensor, addition
import torch
print(torch.FloatTensor([2]))
a = torch.FloatTensor([2])
b = torch.FloatTensor([3])
print(a + b)
print((a + b).type())
