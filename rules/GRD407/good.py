import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
for param in model.parameters():  # freeze the pretrained layers...
    param.requires_grad = False
for param in model[2].parameters():  # ...and unfreeze the classifier, which should train
    param.requires_grad = True
optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)

x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
for step in range(5):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
