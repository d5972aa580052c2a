# GRD202 inplace-on-saved-tensor: hand-written dropout scales sigmoid activations in place, but sigmoid saved its output for backward
# runtime: raises RuntimeError: one of the variables needed for gradient computation has been modified by an inplace operation
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

# a few more in-place writes to values saved for backward, each backpropagated in its own try
errors = []
act = nn.Tanh()
a = act(x @ w1)  # nn.Tanh saves its output
a += 1.0  # expect: GRD202
try:
    a.sum().backward()
except RuntimeError as error:
    errors.append(str(error))
head = nn.Linear(8, 1)
inputs = torch.randn(4, 8)
out = head(inputs)  # nn.Linear saves its input for the weight's gradient
inputs.add_(1.0)  # expect: GRD202
try:
    out.sum().backward()
except RuntimeError as error:
    errors.append(str(error))
scale = torch.ones(16)
penalty = (scale * w2.squeeze(1)).sum()  # saves scale for w2's gradient
scale[0] = 2.0  # expect: GRD202
try:
    penalty.backward()
except RuntimeError as error:
    errors.append(str(error))
assert len(errors) == 3, f"only {len(errors)} of the 3 backward passes failed"
assert all("modified by an inplace operation" in e for e in errors), errors
optimizer.zero_grad()

for step in range(5):
    optimizer.zero_grad()
    h = torch.sigmoid(x @ w1)
    mask = (torch.rand(32, 16) < keep).float() / keep
    h.mul_(mask)  # expect: GRD202
    pred = h @ w2
    loss = F.mse_loss(pred, y)
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.4f}")
