# seed 002 "avg_cost += loss.data[0]/total_batch" as printed: a 0-dim loss cannot be indexed
# since torch 0.4; both engines raise torch's IndexError with the same advice
import torch
pred = torch.tensor([[0.2, 0.8], [0.6, 0.4]], requires_grad=True)
loss = torch.nn.CrossEntropyLoss()(pred, torch.tensor([1, 0]))
avg_cost = 0
avg_cost += loss.data[0]/2
