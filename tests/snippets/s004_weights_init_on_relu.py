# seed 004: the same weights_init applied to a Sequential that holds a ReLU (no weight): both
# engines stop with the same AttributeError
import torch
import torch.nn.init as init
def weights_init(m):
    init.xavier_normal_(m.weight)
    init.constant_(m.bias, 0)
net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
net.apply(weights_init)
