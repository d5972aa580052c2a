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

# evaluate the fitted curve on a fine grid for plotting: detach it from the graph first
x_plot = torch.linspace(-2, 2, 400).unsqueeze(1)
curve = model(x_plot).detach().numpy()
print(f"fitted {curve.shape[0]} points, final loss {loss.item():.4f}")
