# GRD508 zero-grad-before-step: the gradients are cleared after backward() and before step(), so the step applies none
# runtime: asserts the weights changed during training (in bad.py step() only ever sees zeroed gradients)
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.randn(64, 4)
y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]])

model = nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
initial = model.weight.detach().clone()

for step in range(20):
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.zero_grad()  # expect: GRD508
    optimizer.step()
    print(f"step {step}: loss {loss.item():.4f}")

assert not torch.equal(model.weight, initial), "the weights never changed: every step applied zeroed gradients"
