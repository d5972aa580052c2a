# GRD503 numpy-on-grad-tensor: the model's predictions are converted with .numpy() while they still require grad
# runtime: raises RuntimeError: Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.
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

# evaluate the fitted curve on a fine grid for plotting
x_plot = torch.linspace(-2, 2, 400).unsqueeze(1)
curve = model(x_plot).numpy()  # expect: GRD503
print(f"fitted {curve.shape[0]} points, final loss {loss.item():.4f}")
