import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
x = torch.randn(32, 8)
y = torch.randn(32, 1)

w1 = torch.randn(8, 16, requires_grad=True)
w2 = torch.randn(16, 1, requires_grad=True)
optimizer = optim.SGD([w1, w2], lr=0.05)
keep = 0.8

# the same computations, written out of place: backward finds what it saved
act = nn.Tanh()
a = act(x @ w1)
a = a + 1.0
a.sum().backward()
head = nn.Linear(8, 1)
inputs = torch.randn(4, 8)
out = head(inputs)
inputs = inputs + 1.0
out.sum().backward()
scale = torch.ones(16)
penalty = (scale * w2.squeeze(1)).sum()
scale = scale.clone()
scale[0] = 2.0
penalty.backward()
optimizer.zero_grad()

for step in range(5):
    optimizer.zero_grad()
    h = torch.sigmoid(x @ w1)
    mask = (torch.rand(32, 16) < keep).float() / keep
    # out of place: sigmoid's backward still finds the activations it saved
    h = h * mask
    pred = h @ w2
    loss = F.mse_loss(pred, y)
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.4f}")
