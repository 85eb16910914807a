# seed 004 "创建网络的一种快捷方法:Sequential"
import torch
STATE_SIZE, HIDDEN_SIZE, ACTION_SIZE = 4, 128, 2
net = torch.nn.Sequential(
torch.nn.Linear(STATE_SIZE, HIDDEN_SIZE),
torch.nn.ReLU(),
torch.nn.Linear(HIDDEN_SIZE, ACTION_SIZE),
)
print(net)
print(net(torch.zeros(3, STATE_SIZE)).shape)
