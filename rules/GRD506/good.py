import torch
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
x = torch.randn(64, 3)  # tensors need no wrapper
y = x @ torch.tensor([[1.5], [-2.0], [0.7]]) + 0.4

w = torch.zeros(3, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
optimizer = optim.SGD([w, b], lr=0.1)

for step in range(100):
    optimizer.zero_grad()
    loss = F.mse_loss(x @ w + b, y)
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.4f}")

# inference: switch graph recording off with torch.no_grad()
x_new = torch.randn(8, 3)
with torch.no_grad():
    pred = x_new @ w + b
print(f"mean prediction {pred.mean().item():.4f}, records a graph: {pred.requires_grad}")
assert not pred.requires_grad

snapshot = pred.detach()  # what Variable(pred) did: a detached alias
print(f"the wrapped prediction records a graph: {snapshot.requires_grad}")
