# seed 004 "读取数据": iterating a DataLoader of images, batch_size=64, shuffle=True.
# Adapted: torchvision's CIFAR10 is replaced by a TensorDataset of 150 random 3x32x32 images
# (torchvision is not part of torch; tests never download); save_image is left out.
import torch
from torch.utils.data import DataLoader, TensorDataset
dataset = TensorDataset(torch.rand(150, 3, 32, 32), torch.zeros(150, dtype=torch.long))
dataloader = DataLoader(dataset, batch_size=64, shuffle=True)
for batch_idx, data in enumerate(dataloader):
    real_images, _ = data
    batch_size = real_images.size(0)
    print ('#{} has {} images.'.format(batch_idx, batch_size))
print(len(dataloader), real_images.shape, real_images.dtype)
