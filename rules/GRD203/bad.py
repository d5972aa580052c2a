# GRD203 data-mutation: gates are clamped through .data after the forward pass but before backward()
# runtime: asserts w.grad equals the analytic gradient of the loss (bad.py gets it computed with the clamped gates, 2/3 of the true value)
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
gate.data.clamp_(0.0, 1.0)  # expect: GRD203
loss.backward()

# gradient check: d/dw mean((x @ (w * g) - t) ** 2) = 2/n * g * (x.T @ residual), with g = 1.5
residual = x @ (w.detach() * 1.5) - target
expected = 2 / len(x) * 1.5 * (x.T @ residual)
assert torch.allclose(w.grad, expected), f"w.grad {w.grad} != {expected}"
