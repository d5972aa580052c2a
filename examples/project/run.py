"""The entry point: builds the model and the optimizer, and runs the helpers of trainer.py."""

import torch
import torch.nn as nn
from trainer import train, validate

model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
criterion = nn.CrossEntropyLoss()
batches = [(torch.randn(16, 8), torch.randint(0, 2, (16,))) for _ in range(10)]

for epoch in range(5):
    train(model, batches, optimizer, criterion)
    with torch.no_grad():
        print(epoch, validate(model, batches, criterion))
