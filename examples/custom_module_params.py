"""Learnable per-feature gain and offset in front of a small MLP classifier.

gradlint example with planted autograd pitfalls: every line that gradlint
should report carries a trailing expect comment naming the rule code. The
script fails at the first backward (the stacked losses have no grad_fn), and
``clip_scale`` would raise ``a leaf Variable that requires grad is being used
in an in-place operation``.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ScaledMLP(nn.Module):
    def __init__(self, in_features=4, hidden=32, num_classes=3):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(in_features))
        self.shift = nn.Parameter(torch.zeros(in_features))
        self.body = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, x):
        x = x * self.scale + self.shift
        return self.head(self.body(x))

    def clip_scale(self):
        # gains outside [0, 1] blow up the features; keep them in range
        self.scale.clamp_(0.0, 1.0)  # expect: GRD201


def make_data(n=600, num_classes=3):
    centers = torch.randn(num_classes, 4) * 3
    y = torch.randint(0, num_classes, (n,))
    x = centers[y] + torch.randn(n, 4)
    return x, y


x_all, y_all = make_data()
model = ScaledMLP()
# model.load_state_dict(torch.load("scaled_mlp_pretrained.pt"))

# Warm up the freshly initialised head first.
optimizer = torch.optim.Adam(model.head.parameters(), lr=1e-3)  # expect: GRD405
l1_weight = 0.01

for step in range(300):
    idx = torch.randint(0, x_all.size(0), (64,))
    x, y = x_all[idx], y_all[idx]

    optimizer.zero_grad()
    logits = model(x)
    loss_ce = F.cross_entropy(logits, y)
    loss_l1 = model.scale.abs().sum()
    losses = torch.tensor([loss_ce, l1_weight * loss_l1])  # expect: GRD101
    losses.sum().backward()  # expect: GRD103
    optimizer.step()
    model.clip_scale()

    if step % 50 == 0:
        # how much signal reaches the logits?
        print(f"step {step}: ce {loss_ce.item():.4f}, |dL/dlogits| {logits.grad.abs().mean():.2e}")  # expect: GRD301

model.eval()
with torch.no_grad():
    acc = (model(x_all).argmax(dim=1) == y_all).float().mean().item()
print(f"train accuracy: {acc:.3f}")
