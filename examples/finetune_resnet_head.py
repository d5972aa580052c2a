"""Fine-tune the classifier head of a small pretrained CNN on a 10-class task.

gradlint example with planted autograd pitfalls: every line that gradlint
should report carries a trailing expect comment naming the rule code. The
script runs into ``RuntimeError: element 0 of tensors does not require grad``
at the first backward.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class Backbone(nn.Module):
    def __init__(self, width=32):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, 2 * width, 3, stride=2, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        return self.pool(x).flatten(1)


class TinyResNet(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.backbone = Backbone()
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        return self.fc(self.backbone(x))


model = TinyResNet(num_classes=1000)
# model.load_state_dict(torch.load("tiny_resnet_imagenet.pt"))

# New 10-class head, then freeze everything that came from the checkpoint.
model.fc = nn.Linear(64, 10)  # expect: GRD404
for p in model.parameters():
    p.requires_grad = False

# The backbone must stay fixed while the head warms up.
model.backbone.requires_grad = False  # expect: GRD401
for name, p in model.named_parameters():
    if name.startswith("backbone.conv"):
        p.require_grad = False  # expect: GRD402
for param in model.backbone.parameters():
    param.requires_grad == False  # expect: GRD403

images = torch.randn(512, 3, 32, 32)
labels = torch.randint(0, 10, (512,))
train_loader = DataLoader(TensorDataset(images[:448], labels[:448]), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(images[448:], labels[448:]), batch_size=64)

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.fc.parameters(), lr=1e-2, momentum=0.9)

for epoch in range(5):
    model.train()
    running_loss = 0.0
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        running_loss += loss.item() * x.size(0)

    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in val_loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
    print(f"epoch {epoch}: train loss {running_loss / 448:.4f}, val acc {correct / 64:.3f}")
