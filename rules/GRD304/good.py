import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)
x = torch.randn(64, 10)  # data: no gradient needed, only the model is trained
y = torch.randn(64, 1)

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
criterion = nn.MSELoss()
optimizer = optim.Adam(model.parameters(), lr=1e-2)

for epoch in range(5):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")

assert x.grad is None, "backward() computed a gradient for the input data that nobody reads"
