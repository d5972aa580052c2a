# GRD509 clip-scaled-gradients: clip_grad_norm_ sees the gradients multiplied by the GradScaler's loss scale
# runtime: asserts the norm clip_grad_norm_ measured is the true gradient norm (in bad.py it is about 65536 times larger)
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.randn(32, 8)
y = torch.randn(32, 1)
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
scaler = torch.amp.GradScaler("cpu")
measured = []

for step in range(5):
    optimizer.zero_grad()
    loss = F.mse_loss(model(x), y)
    scaler.scale(loss).backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)  # expect: GRD509
    measured.append(norm.item())
    scaler.step(optimizer)
    scaler.update()
    print(f"step {step}: loss {loss.item():.4f}, gradient norm seen by the clip {norm.item():.1f}")

assert max(measured) < 100, f"the clip measured scaled gradients: norm {max(measured):.0f}"
