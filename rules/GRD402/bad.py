# GRD402 misspelled-requires-grad: `p.require_grad = False` creates a new attribute and leaves the parameter trainable
# runtime: asserts no feature-layer parameter requires grad (in bad.py they all still do)
import torch
import torch.nn as nn
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
        self.classifier = nn.Linear(32, 2)

    def forward(self, x):
        return self.classifier(self.features(x))


torch.manual_seed(0)
x = torch.randn(64, 8)
y = torch.randint(0, 2, (64,))

model = Net()
for name, p in model.named_parameters():
    if name.startswith("features."):
        p.require_grad = False  # expect: GRD402

criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)

for epoch in range(5):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()

assert not any(p.requires_grad for p in model.features.parameters()), "feature layers are still trainable"
