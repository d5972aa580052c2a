# GRD501 missing-zero-grad: the training loop never clears gradients, so each step uses the sum of all previous gradients
# runtime: asserts every step's weight gradient equals the analytic gradient of that step's loss, with an optimizer and by hand (in bad.py it is the running sum of all gradients so far)
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
x = torch.randn(32, 4)
y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * torch.randn(32, 1)

model = nn.Linear(4, 1)
optimizer = optim.SGD(model.parameters(), lr=0.05)
grad_errors = []

for step in range(10):
    pred = model(x)
    loss = F.mse_loss(pred, y)
    loss.backward()
    # gradient check: d mean((pred - y) ** 2) / d weight = 2 / n * (pred - y).T @ x
    with torch.no_grad():
        expected = 2 / len(x) * (pred - y).T @ x
    grad_errors.append((model.weight.grad - expected).abs().max().item())
    optimizer.step()  # expect: GRD501
    print(f"step {step}: loss {loss.item():.4f}")

# gradient descent written by hand: the same sum of every past gradient
w = torch.zeros(4, 1, requires_grad=True)
manual_errors = []
for step in range(10):
    loss = F.mse_loss(x @ w, y)
    loss.backward()
    expected = 2 / len(x) * x.T @ (x @ w - y).detach()
    manual_errors.append((w.grad - expected).abs().max().item())
    with torch.no_grad():
        w -= 0.05 * w.grad  # expect: GRD501

worst = max(grad_errors), max(manual_errors)
assert max(worst) < 1e-5, f"gradients accumulate across steps: max error {worst[0]:.3f} (optimizer), {worst[1]:.3f} (by hand)"
