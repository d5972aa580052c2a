import torch
import torch.nn as nn
import torch.optim as optim


class Classifier(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.fc(self.backbone(x))


torch.manual_seed(0)
x = torch.randn(64, 20)
y = torch.randint(0, 3, (64,))

model = Classifier()  # stands in for a model with a pretrained backbone
model.backbone.requires_grad_(False)  # only the head is trained: skip backbone gradients
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.fc.parameters(), lr=0.1)

for epoch in range(5):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")

assert all(p.grad is None for p in model.backbone.parameters()), "gradients were computed for the unused backbone"
