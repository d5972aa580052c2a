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

# evaluate the fitted curve on a fine grid for plotting, and summarise a few noisy refits:
# detach the values from the graph before numpy sees them
x_plot = torch.linspace(-2, 2, 400).unsqueeze(1)
fitted = model(x_plot).detach()
refit_losses = [criterion(model(x + 0.1 * torch.randn(100, 1)), y).item() for _ in range(3)]
curve = fitted.numpy()
magnitude = np.log1p(np.abs(curve))
mean_refit = np.mean(refit_losses)
print(f"fitted {curve.shape[0]} points, final loss {loss.item():.4f}, refits {mean_refit:.4f}")
