# seed 002 "案例研究": the digit classifier trained from numpy batches through Variable/from_numpy.
# Adapted: the images are a generated stand-in (the tutorial reads PNGs with scipy's imread, gone
# from scipy), pandas' removed `.ix` reads the labels from a numpy array, and `loss.data[0]`
# (an IndexError since torch 0.4, see s002_loss_data_index.py) is `loss.item()`. The missing
# optimizer.zero_grad() (EXAMPLES.md D) is kept: it is the tutorial's behaviour.
import numpy as np
import torch
from torch.autograd import Variable
seed = 128
rng = np.random.RandomState(seed)
prototypes = np.random.RandomState(7).rand(10, 784).astype('float32') * 255
all_y = np.random.RandomState(8).randint(0, 10, 1000)
all_x = np.clip(prototypes[all_y] + np.random.RandomState(9).randn(1000, 784).astype('float32') * 60, 0, 255)
split_size = int(all_x.shape[0]*0.7)
train_x, val_x = all_x[:split_size], all_x[split_size:]
train_y, val_y = all_y[:split_size], all_y[split_size:]
input_num_units = 28*28
hidden_num_units = 500
output_num_units = 10
epochs = 5
batch_size = 128
learning_rate = 0.001
model = torch.nn.Sequential(
  torch.nn.Linear(input_num_units, hidden_num_units),
  torch.nn.ReLU(),
  torch.nn.Linear(hidden_num_units, output_num_units),
)
loss_fn = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
def preproc(unclean_batch_x):
    """Convert values to range 0-1"""
    temp_batch = unclean_batch_x / unclean_batch_x.max()
    return temp_batch
def batch_creator(batch_size):
    dataset_length = train_x.shape[0]
    batch_mask = rng.choice(dataset_length, batch_size)
    batch_x = train_x[batch_mask]
    batch_x = preproc(batch_x)
    batch_y = train_y[batch_mask]
    return batch_x, batch_y
total_batch = int(train_x.shape[0]/batch_size)
for epoch in range(epochs):
    avg_cost = 0
    for i in range(total_batch):
        batch_x, batch_y = batch_creator(batch_size)
        x, y = Variable(torch.from_numpy(batch_x)), Variable(torch.from_numpy(batch_y), requires_grad=False)
        pred = model(x)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        avg_cost += loss.item()/total_batch
    print(epoch, avg_cost)
x, y = Variable(torch.from_numpy(preproc(train_x))), Variable(torch.from_numpy(train_y), requires_grad=False)
pred = model(x)
final_pred = np.argmax(pred.data.numpy(), axis=1)
train_accuracy = (final_pred == train_y).mean()
x, y = Variable(torch.from_numpy(preproc(val_x))), Variable(torch.from_numpy(val_y), requires_grad=False)
pred = model(x)
final_pred = np.argmax(pred.data.numpy(), axis=1)
val_accuracy = (final_pred == val_y).mean()
print(train_accuracy, val_accuracy)
