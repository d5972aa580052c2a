# GRD201 inplace-on-leaf: a hand-written SGD step updates the weights in place while autograd is recording
# runtime: raises RuntimeError: a leaf Variable that requires grad is being used in an in-place operation.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.randn(32, 3)
true_w = torch.tensor([[2.0], [-1.0], [0.5]])
y = x @ true_w + 0.3

w = torch.randn(3, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.1

# initialisation tweaks, written in place without torch.no_grad(): each raises (collected to show all of them)
errors = []
try:
    w[0, 0] -= 1.0  # expect: GRD201
except RuntimeError as error:
    errors.append(str(error))
try:
    F.relu(b, inplace=True)  # expect: GRD201
except RuntimeError as error:
    errors.append(str(error))
try:
    torch.relu_(b)  # expect: GRD201
except RuntimeError as error:
    errors.append(str(error))
clamp = nn.ReLU(inplace=True)
try:
    clamp(b)  # expect: GRD201
except RuntimeError as error:
    errors.append(str(error))
head = nn.Linear(3, 15)
bias_groups = head.bias.view(3, -1)  # the bias seen as 3 groups of 5
try:
    bias_groups[:, 4] += 1.0  # expect: GRD201
except RuntimeError as error:
    errors.append(str(error))
first_row = head.weight[0]
try:
    first_row.mul_(0.5)  # expect: GRD201
except RuntimeError as error:
    errors.append(str(error))
assert len(errors) == 6, f"only {len(errors)} of the 6 in-place initialisations failed"
assert all("leaf Variable that requires grad is being used in an in-place operation" in e for e in errors), errors

for step in range(50):
    pred = x @ w + b
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    w -= lr * w.grad  # expect: GRD201
    b -= lr * b.grad  # expect: GRD201
    w.grad.zero_()
    b.grad.zero_()

print(f"final loss {loss.item():.4f}")
