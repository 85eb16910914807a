# seed 000 / seed 003 "判断GPU是否可用": torch.cuda.is_available() and torch.device
import torch
print(torch.cuda.is_available())
device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
print(repr(device))
print(device)
print(repr(torch.device("cuda:0")))
t = torch.ones(2).to(device)
print(t.device, t)
