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
    # update the leaves in place, unrecorded, so w and b stay the tensors autograd fills
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()

print(f"final loss {loss.item():.4f}")
assert loss.item() < 0.2
