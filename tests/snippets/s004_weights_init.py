# seed 004 "2.6 网络权重初始化": init.xavier_normal_ / init.constant_ through Module.apply
import torch
import torch.nn.init as init
def weights_init(m):
    init.xavier_normal_(m.weight)
    init.constant_(m.bias, 0)
net = torch.nn.Linear(300, 200)
net.apply(weights_init)
print(net.bias[:4])
print(abs(net.weight.data.std().item() - (2 / 500) ** 0.5) < 0.003)
init.uniform_(net.weight, a=-0.1, b=0.1)
print(bool((net.weight.data.abs() <= 0.1).all()))
init.normal_(net.weight, mean=0, std=1)
init.xavier_uniform_(net.weight)
print(bool((net.weight.data.abs() <= (6 / 500) ** 0.5).all()))
