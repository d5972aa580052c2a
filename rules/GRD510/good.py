import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
x_train, y_train = torch.randn(64, 8), torch.randint(0, 3, (64,))
x_val, y_val = torch.randn(32, 8), torch.randint(0, 3, (32,))
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
modes = []

for epoch in range(3):
    model.train()  # the validation below leaves the model in eval mode
    modes.append(model.training)
    for i in range(0, 64, 16):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x_train[i : i + 16]), y_train[i : i + 16])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(x_val).argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch}: loss {loss.item():.4f}, validation accuracy {accuracy:.2f}")

assert all(modes), f"training mode at the start of each epoch: {modes}"
