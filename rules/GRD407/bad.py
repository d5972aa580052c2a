# GRD407 nothing-trainable: every parameter is frozen and never unfrozen, then the model is trained
# runtime: raises RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
for param in model.parameters():  # freeze the pretrained layers...
    param.requires_grad = False  # expect: GRD407
# ...but the new classifier was meant to stay trainable
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
for step in range(5):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
