# GRD406 freeze-undone: the backbone is frozen, then an "unfreeze everything" loop undoes it before training
# runtime: asserts the frozen backbone's weights are unchanged after training (in bad.py they train too)
import torch
import torch.nn as nn
import torch.nn.functional as F


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(8, 16), nn.ReLU())
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        return self.head(self.backbone(x))


torch.manual_seed(0)
model = Classifier()
model.backbone.requires_grad_(False)  # keep the pretrained features
for param in model.parameters():
    param.requires_grad = True  # expect: GRD406
optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
backbone_before = [p.detach().clone() for p in model.backbone.parameters()]

x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
for step in range(5):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()

unchanged = all(torch.equal(p, q) for p, q in zip(model.backbone.parameters(), backbone_before))
assert unchanged, "the frozen backbone was trained"
