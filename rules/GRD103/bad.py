# GRD103 backward-on-detached: the loss is computed from detached probabilities, so there is no graph to backpropagate
# runtime: raises RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn
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
    probs = torch.sigmoid(model(x)).detach()  # detached to compute the accuracy
    accuracy = ((probs > 0.5).float() == y).float().mean()
    loss = F.binary_cross_entropy(probs, y)
    loss.backward()  # expect: GRD103
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}, accuracy {accuracy.item():.2f}")
