"""Linear regression by hand-written gradient descent (no torch.optim).

gradlint example with planted autograd pitfalls: every line that gradlint
should report carries a trailing expect comment naming the rule code. The
first update raises ``RuntimeError: a leaf Variable that requires grad is
being used in an in-place operation``.
"""
import torch
import torch.nn.functional as F

torch.manual_seed(0)

n_samples, n_features = 256, 3
X = torch.randn(n_samples, n_features)
w_true = torch.tensor([[0.20], [-0.35], [0.15]])
noise = 0.02 * torch.randn(n_samples, 1)
# targets are fractions in [0, 1]
y = (X @ w_true + 0.5 + noise).clamp(0.0, 1.0)

X_train, y_train = X[:200], y[:200]
X_test, y_test = X[200:], y[200:]

w = torch.randn(3, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.05
history = []

for epoch in range(500):
    pred = X_train @ w + b
    loss = F.mse_loss(pred, y_train)

    # predictions outside [0, 1] make no sense for fractions
    pred.data.clamp_(0.0, 1.0)  # expect: GRD203, GRD204

    loss.backward()

    w -= lr * w.grad  # expect: GRD201
    b -= lr * b.grad  # expect: GRD201
    w.grad.zero_()
    b.grad.zero_()

    history.append(loss.item())
    if epoch % 100 == 0:
        print(f"epoch {epoch}: mse {loss.item():.5f}, mean |dL/dpred| {pred.grad.abs().mean():.2e}")  # expect: GRD301

with torch.no_grad():
    test_pred = (X_test @ w + b).clamp(0.0, 1.0)  # noqa: GRD505  # expect: GRD100
    test_mse = ((test_pred - y_test) ** 2).mean().item()

print(f"learned w = {w.detach().flatten().tolist()}, b = {b.item():.3f}")
print(f"true    w = {w_true.flatten().tolist()}, b = 0.5")
print(f"test mse = {test_mse:.5f}, final train mse = {history[-1]:.5f}")
