# seed 002 "Optim模块" / "nn模块": Sequential(Linear, ReLU, Linear), CrossEntropyLoss, Adam
import torch
input_num_units, hidden_num_units, output_num_units = 28*28, 500, 10
learning_rate = 0.001
model = torch.nn.Sequential(
torch.nn.Linear(input_num_units, hidden_num_units),
torch.nn.ReLU(),
torch.nn.Linear(hidden_num_units, output_num_units),
)
loss_fn = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(),lr = learning_rate)
print(model)
print(loss_fn)
print(len(list(model.parameters())), [tuple(p.shape) for p in model.parameters()])
