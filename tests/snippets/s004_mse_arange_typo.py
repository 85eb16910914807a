# seed 004 as printed: torch.arange(5, requires_grad=True) is an integer tensor; both refuse it
import torch
criterion = torch.nn.MSELoss()
pred = torch.arange(5, requires_grad=True)
