# GRD504 backward-twice: the two task losses of one multi-task output are backpropagated one after the other
# runtime: raises RuntimeError: Trying to backward through the graph a second time
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
x = torch.randn(64, 10)
y_reg = torch.randn(64)
y_cls = torch.randint(0, 3, (64,))

# one network, two tasks: output column 0 is a regression, columns 1-3 are class logits
model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 4))
optimizer = optim.SGD(model.parameters(), lr=0.05)

for epoch in range(5):
    optimizer.zero_grad()
    out = model(x)
    loss_reg = F.mse_loss(out[:, 0], y_reg)
    loss_reg.backward()
    loss_cls = F.cross_entropy(out[:, 1:], y_cls)
    loss_cls.backward()  # expect: GRD504
    optimizer.step()
    print(f"epoch {epoch}: regression {loss_reg.item():.4f}, classification {loss_cls.item():.4f}")
