import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)
inputs = torch.randn(256, 8)
targets = inputs.sum(dim=1, keepdim=True) + 0.1 * torch.randn(256, 1)

model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.05)
batch_size = 32

for epoch in range(3):
    total_loss = 0.0
    for start in range(0, len(inputs), batch_size):
        xb = inputs[start:start + batch_size]
        yb = targets[start:start + batch_size]
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total_loss += loss.item()  # a Python float: the batch's graph can be freed
    print(f"epoch {epoch}: mean loss {total_loss / (len(inputs) // batch_size):.4f}")

assert getattr(total_loss, "grad_fn", None) is None, "total_loss keeps the graph of every batch alive"
