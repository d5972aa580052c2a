"""Train a small MLP classifier on synthetic clusters, then fine-tune it.

gradlint example with planted autograd pitfalls: every line that gradlint
should report carries a trailing expect comment naming the rule code. The
script fails at the first auxiliary backward with ``Trying to backward
through the graph a second time``; later phases hit ``Can't call numpy() on
Tensor that requires grad`` and ``element 0 of tensors does not require grad``.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
NUM_CLASSES = 4


class Classifier(nn.Module):
    def __init__(self, in_features=16, hidden=64, num_classes=NUM_CLASSES):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.ReLU(),
            nn.Dropout(0.1),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, x):
        return self.head(self.body(x))


centers = torch.randn(NUM_CLASSES, 16) * 2
labels = torch.randint(0, NUM_CLASSES, (1200,))
features = centers[labels] + torch.randn(1200, 16)
train_loader = DataLoader(TensorDataset(features[:1000], labels[:1000]), batch_size=50, shuffle=True)
val_loader = DataLoader(TensorDataset(features[1000:], labels[1000:]), batch_size=100)
x_unlabeled = centers[torch.randint(0, NUM_CLASSES, (256,))] + torch.randn(256, 16)

model = Classifier()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
confidence_penalty = 0.05

for epoch in range(10):
    model.train()
    running_loss = 0.0
    for x, y in train_loader:
        optimizer.zero_grad()
        logits = model(x)
        loss = criterion(logits, y)
        # penalise over-confident logits
        aux_loss = confidence_penalty * logits.pow(2).mean()
        loss.backward()
        aux_loss.backward()  # expect: GRD504
        optimizer.step()
        running_loss += loss  # expect: GRD502

    model.eval()
    correct, val_probs = 0, []
    for x, y in val_loader:
        logits = model(x)  # expect: GRD505
        preds = F.softmax(logits, dim=1)
        correct += (preds.argmax(dim=1) == y).sum().item()
        val_probs.append(preds.numpy())  # expect: GRD503
    print(f"epoch {epoch}: train loss {running_loss.item() / len(train_loader):.4f}, val acc {correct / 200:.3f}")
np.save("val_probs.npy", np.concatenate(val_probs))

# Fine-tune on the whole labelled set with a small learning rate.
finetune_opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
model.train()
for step in range(200):
    idx = torch.randint(0, len(features), (64,))
    loss = criterion(model(features[idx]), labels[idx])
    loss.backward()
    finetune_opt.step()  # expect: GRD501

# Entropy minimisation on the unlabelled data.
for step in range(50):
    optimizer.zero_grad()
    probs = F.softmax(model(x_unlabeled), dim=1).detach()  # detached to log the confidence
    entropy = -(probs * probs.clamp_min(1e-8).log()).sum(dim=1).mean()
    entropy.backward()  # expect: GRD103
    optimizer.step()
    print(f"step {step}: mean confidence {probs.max(dim=1).values.mean():.3f}")

# Self-training: pseudo-labels from the model's own predictions.
for step in range(50):
    optimizer.zero_grad()
    logits = model(x_unlabeled)
    loss = criterion(logits, logits.argmax(dim=1))
    # wrapped to silence "element 0 of tensors does not require grad"
    loss = torch.tensor(loss.item(), requires_grad=True)  # expect: GRD102
    loss.backward()
    optimizer.step()
