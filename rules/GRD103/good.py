import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
x = torch.randn(64, 10)
y = (x[:, :1] > 0).float()

model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = optim.SGD(model.parameters(), lr=0.1)

for epoch in range(5):
    optimizer.zero_grad()
    probs = torch.sigmoid(model(x))
    # detach only the copy used for the metric; the loss keeps the graph
    accuracy = ((probs.detach() > 0.5).float() == y).float().mean()
    loss = F.binary_cross_entropy(probs, y)
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}, accuracy {accuracy.item():.2f}")

assert all(p.grad is not None for p in model.parameters())
