# seed 002: matrix = torch.randn(3, 3); matrix.t()
import torch
matrix = torch.randn(3, 3)
print(matrix)
print(matrix.t())
print(matrix.t().shape, bool((matrix.t()[0, 1] == matrix[1, 0]).item()))
