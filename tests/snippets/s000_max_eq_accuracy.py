# seed 000 "6. 模型的评估": torch.max gives values and positions; pred.eq(target.view_as(pred)).sum()
import torch
import torch.nn.functional as F
output = F.log_softmax(torch.tensor([[0.1, 2.0, -1.0], [3.0, 0.5, 0.2], [0.0, 0.1, 0.3], [1.0, 1.5, 0.9]]), dim=-1)
target = torch.tensor([1, 0, 1, 1])
print(torch.max(output, 1))
values, positions = torch.max(output, dim=1)
print(values, positions, output.argmax(dim=1))
pred = output.data.max(1, keepdim=True)[1]
print(pred)
correct = pred.eq(target.data.view_as(pred)).sum()
print(correct, correct.item())
test_loss = F.nll_loss(output, target, reduction='sum').item() / len(target)
print('Avg. loss: {:.4f}, Accuracy: {}/{} ({:.2f}%)'.format(
    test_loss, correct, len(target), 100. * correct / len(target)))
