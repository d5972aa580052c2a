# GRD301 grad-of-non-leaf: reading .grad of a hidden activation that never called retain_grad()
# runtime: warns UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed
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
    pred = h @ w2
    loss = F.mse_loss(pred, y)
    loss.backward()
    # monitor the gradient reaching the hidden layer (vanishing-gradient check)
    print(f"step {step}: loss {loss.item():.4f}, dL/dh {h.grad}")  # expect: GRD301
    optimizer.step()

# a per-feature scale, converted to float64 for a precise sum: the conversion is an op
scale = torch.ones(4, requires_grad=True)
scale = scale.double()  # expect: GRD303
(x.double() * scale).sum().backward()
print(f"dL/dscale {scale.grad}")  # expect: GRD301
