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

# initialisation tweaks: in place on a leaf, so not recorded by autograd
clamp = nn.ReLU(inplace=True)
head = nn.Linear(3, 15)
with torch.no_grad():
    w[0, 0] -= 1.0
    F.relu(b, inplace=True)
    torch.relu_(b)
    clamp(b)
    bias_groups = head.bias.view(3, -1)  # the bias seen as 3 groups of 5
    bias_groups[:, 4] += 1.0
first_row = head.weight.detach()[0]  # shares the storage, outside the graph
first_row.mul_(0.5)

for step in range(50):
    pred = x @ w + b
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    # the update itself must not be recorded by autograd
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()

print(f"final loss {loss.item():.4f}")
assert loss.item() < 0.01
