import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)
x_train = torch.randn(256, 20)
y_train = (x_train[:, 0] > 0).long()
x_test = torch.randn(128, 20)
y_test = (x_test[:, 0] > 0).long()

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 2))
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=1e-2)

model.train()
for epoch in range(5):
    optimizer.zero_grad()
    loss = criterion(model(x_train), y_train)
    loss.backward()
    optimizer.step()

model.eval()
correct = 0
with torch.no_grad():  # evaluation needs no graph
    for start in range(0, len(x_test), 32):
        out = model(x_test[start:start + 32])
        correct += (out.argmax(dim=1) == y_test[start:start + 32]).sum().item()
print(f"test accuracy {correct / len(x_test):.2f}")

assert not out.requires_grad, "evaluation outputs keep an autograd graph alive"
