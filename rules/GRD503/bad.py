# GRD503 numpy-on-grad-tensor: the model's predictions are converted with .numpy() while they still require grad
# runtime: raises RuntimeError: Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)
x = torch.linspace(-2, 2, 100).unsqueeze(1)
y = torch.sin(x) + 0.05 * torch.randn(100, 1)

model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
criterion = nn.MSELoss()
optimizer = optim.Adam(model.parameters(), lr=1e-2)

for epoch in range(20):
    optimizer.zero_grad()
    pred = model(x)
    loss = criterion(pred, y)
    loss.backward()
    optimizer.step()

# evaluate the fitted curve on a fine grid for plotting, and summarise a few noisy refits;
# each conversion fails the same way: collect the errors to show all of them
x_plot = torch.linspace(-2, 2, 400).unsqueeze(1)
fitted = model(x_plot)
refit_losses = [criterion(model(x + 0.1 * torch.randn(100, 1)), y) for _ in range(3)]
errors = []
try:
    curve = fitted.numpy()  # expect: GRD503
except RuntimeError as error:
    errors.append(str(error))
try:
    magnitude = np.log1p(fitted.abs())  # expect: GRD503
except RuntimeError as error:
    errors.append(str(error))
try:
    mean_refit = np.mean(refit_losses)  # expect: GRD503
except RuntimeError as error:
    errors.append(str(error))
assert len(errors) in (0, 3), f"only {len(errors)} of the 3 conversions failed"
if errors:
    raise RuntimeError(errors[0])
print(f"fitted {curve.shape[0]} points, final loss {loss.item():.4f}, refits {mean_refit:.4f}")
