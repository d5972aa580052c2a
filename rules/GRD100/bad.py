# GRD100 unused-noqa: suppressions that outlived the code they were written for
import torch

torch.manual_seed(0)
x = torch.randn(32, 3)
y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
w = torch.zeros(3, 1, requires_grad=True)

for step in range(20):
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad  # noqa: GRD201  # expect: GRD100
        w.grad.zero_()  # noqa: GRD301, E501  # expect: GRD100
print(f"loss {loss.item():.4f}")
