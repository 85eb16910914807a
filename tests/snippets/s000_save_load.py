# seed 000 "5. 模型的保存和加载": torch.save / torch.load of a model's and an optimizer's state_dict
# (adapted: a freshly built MnistNet takes one Adam step first, so the optimizer has state)
import torch
from torch import nn
from torch import optim
import torch.nn.functional as F
class MnistNet(nn.Module):
    def __init__(self):
        super(MnistNet,self).__init__()
        self.fc1 = nn.Linear(28*28*1,28)
        self.fc2 = nn.Linear(28,10)
    def forward(self,x):
        x = x.view(-1,28*28*1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.fc2(x)
        return F.log_softmax(x,dim=-1)
mnist_net = MnistNet()
optimizer = optim.Adam(mnist_net.parameters(),lr= 0.001)
loss = F.nll_loss(mnist_net(torch.ones(4, 1, 28, 28)), torch.tensor([1, 2, 3, 4]))
loss.backward()
optimizer.step()
torch.save(mnist_net.state_dict(),"model/mnist_net.pt")
torch.save(optimizer.state_dict(), 'results/mnist_optimizer.pt')
print(list(mnist_net.state_dict().keys()))
print([tuple(v.shape) for v in mnist_net.state_dict().values()])
fresh = MnistNet()
fresh_optimizer = optim.Adam(fresh.parameters(),lr= 0.001)
fresh.load_state_dict(torch.load("model/mnist_net.pt"))
fresh_optimizer.load_state_dict(torch.load("results/mnist_optimizer.pt"))
print(all(torch.equal(a, b) for a, b in zip(fresh.parameters(), mnist_net.parameters())))
saved = torch.load('results/mnist_optimizer.pt')
print(sorted(saved.keys()), sorted(saved['state'].keys()), sorted(saved['state'][0].keys()))
print(saved['param_groups'][0]['lr'], saved['param_groups'][0]['betas'], saved['param_groups'][0]['params'])
x = torch.rand(3, 1, 28, 28)
print(torch.allclose(fresh(x), mnist_net(x)))
