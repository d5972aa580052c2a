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

stats = {"train": 0.0}
log = []
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
        stats["train"] += loss.item()
        log.append((loss.item(), len(xb)))
    print(f"epoch {epoch}: mean loss {total_loss / (len(inputs) // batch_size):.4f}")

# evaluation on the training data: no graph needed
eval_total = 0.0
with torch.no_grad():
    for start in range(0, len(inputs), batch_size):
        eval_total += criterion(model(inputs[start:start + batch_size]), targets[start:start + batch_size])

accumulators = {"total_loss": total_loss, "stats": stats["train"], "log": log[0][0], "eval_total": eval_total}
kept = [key for key, value in accumulators.items() if getattr(value, "grad_fn", None) is not None]
assert not kept, f"these keep the graph of every batch alive: {kept}"
