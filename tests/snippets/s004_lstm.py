# seed 004 "2.8 循环神经网络": the LSTM regressor (adapted: one forward pass added)
import torch.nn
import torch
class Net(torch.nn.Module):
    def __init__(self, input_size, hidden_size):
        super(Net, self).__init__()
        self.rnn = torch.nn.LSTM(input_size, hidden_size)
        self.fc = torch.nn.Linear(hidden_size, 1)
    def forward(self, x):
        x = x[:, :, None]
        x, _ = self.rnn(x)
        x = self.fc(x)
        x = x[:, :, 0]
        return x
net = Net(input_size=1, hidden_size=5)
print(net)
out = net(torch.rand(7, 3))
out.sum().backward()
print(out.shape, net.fc.weight.grad.shape)
