# seed 004 "torch.nn 里的卷积层": Conv2d with a rectangular kernel, stride, padding and dilation
# (typo fixed: the tutorial passes sets {3, 5}; tuples (3, 5) are meant, see EXAMPLES.md D)
import torch
conv = torch.nn.Conv2d(16, 33, kernel_size=(3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1))
inputs = torch.rand(20, 16, 50, 100)
outputs = conv(inputs)
print(outputs.size())
print(conv)
