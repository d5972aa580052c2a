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
    # backpropagate the loss itself: it is connected to the model's parameters
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")

assert model.weight.grad is not None, "backward() never reached the model: its parameters have no gradient"
