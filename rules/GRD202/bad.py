# GRD202 inplace-on-saved-tensor: hand-written dropout scales sigmoid activations in place, but sigmoid saved its output for backward
# runtime: raises RuntimeError: one of the variables needed for gradient computation has been modified by an inplace operation
import torch
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
x = torch.randn(32, 8)
y = torch.randn(32, 1)

w1 = torch.randn(8, 16, requires_grad=True)
w2 = torch.randn(16, 1, requires_grad=True)
optimizer = optim.SGD([w1, w2], lr=0.05)
keep = 0.8

for step in range(5):
    optimizer.zero_grad()
    h = torch.sigmoid(x @ w1)
    mask = (torch.rand(32, 16) < keep).float() / keep
    h.mul_(mask)  # expect: GRD202
    pred = h @ w2
    loss = F.mse_loss(pred, y)
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.4f}")
