import torch
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.randn(16, 3)
target = torch.randn(16)

# a gated linear layer: every feature weight is scaled by a learnable gate
w = torch.randn(3, requires_grad=True)
gate = torch.full((3,), 1.5, requires_grad=True)

pred = x @ (w * gate)
loss = F.mse_loss(pred, target)
loss.backward()
# project the gates into [0, 1] only once backward() has used their values
with torch.no_grad():
    gate.clamp_(0.0, 1.0)

# gradient check: d/dw mean((x @ (w * g) - t) ** 2) = 2/n * g * (x.T @ residual), with g = 1.5
residual = x @ (w.detach() * 1.5) - target
expected = 2 / len(x) * 1.5 * (x.T @ residual)
assert torch.allclose(w.grad, expected), f"w.grad {w.grad} != {expected}"
