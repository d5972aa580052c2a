# GRD303 leaf-rebound: a hand-written gradient step rebinds the weight names to graph results, so they stop being leaves
# runtime: raises TypeError: unsupported operand type(s) for *: 'float' and 'NoneType'
import torch
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.randn(128, 2)
y = (x[:, 0] - 2 * x[:, 1] > 0).float()

# logistic regression trained by hand
w = torch.zeros(2, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.5

for step in range(100):
    logits = x @ w + b
    loss = F.binary_cross_entropy_with_logits(logits, y)
    loss.backward()
    w = w - lr * w.grad  # expect: GRD303
    b = b - lr * b.grad  # expect: GRD303

print(f"final loss {loss.item():.4f}")
