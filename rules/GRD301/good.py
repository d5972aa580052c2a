import torch
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
x = torch.randn(32, 4)
y = torch.randn(32, 1)

w1 = torch.randn(4, 8, requires_grad=True)
w2 = torch.randn(8, 1, requires_grad=True)
optimizer = optim.SGD([w1, w2], lr=0.05)

for step in range(3):
    optimizer.zero_grad()
    h = torch.tanh(x @ w1)  # hidden activations
    h.retain_grad()  # keep the gradient of this non-leaf after backward()
    pred = h @ w2
    loss = F.mse_loss(pred, y)
    loss.backward()
    # monitor the gradient reaching the hidden layer (vanishing-gradient check)
    print(f"step {step}: loss {loss.item():.4f}, |dL/dh| {h.grad.abs().mean().item():.4f}")
    optimizer.step()

# a per-feature scale created as float64: still a leaf
scale = torch.ones(4, dtype=torch.float64, requires_grad=True)
(x.double() * scale).sum().backward()
print(f"dL/dscale {scale.grad}")
