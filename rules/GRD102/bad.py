# GRD102 rewrap-hides-cut: the loss is re-wrapped from loss.item() as a new leaf, so backward() never reaches the model
# runtime: asserts the model's weight receives a gradient (in bad.py every parameter's .grad stays None and training does nothing)
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)
x = torch.randn(64, 5)
y = x @ torch.randn(5, 1) + 0.1 * torch.randn(64, 1)

model = nn.Linear(5, 1)
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)

for epoch in range(5):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    # wrapped to silence "element 0 of tensors does not require grad"
    train_loss = torch.tensor(loss.item(), requires_grad=True)  # expect: GRD102
    train_loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: loss {train_loss.item():.4f}")

assert model.weight.grad is not None, "backward() never reached the model: its parameters have no gradient"
