# GRD506 deprecated-variable: a PyTorch 0.3-era script still wraps tensors in torch.autograd.Variable
# runtime: warns UserWarning: volatile was removed and now has no effect. Use `with torch.no_grad():` instead.
import torch
import torch.nn.functional as F
import torch.optim as optim
from torch.autograd import Variable

torch.manual_seed(0)
x_data = torch.randn(64, 3)
y_data = x_data @ torch.tensor([[1.5], [-2.0], [0.7]]) + 0.4

x = Variable(x_data)  # expect: GRD506
y = Variable(y_data)  # expect: GRD506
w = Variable(torch.zeros(3, 1), requires_grad=True)  # expect: GRD506
b = Variable(torch.zeros(1), requires_grad=True)  # expect: GRD506
optimizer = optim.SGD([w, b], lr=0.1)

for step in range(100):
    optimizer.zero_grad()
    loss = F.mse_loss(x @ w + b, y)
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.4f}")

# inference, 0.3 style: volatile=True used to switch graph recording off
x_new = Variable(torch.randn(8, 3), volatile=True)  # expect: GRD506
pred = x_new @ w + b
print(f"mean prediction {pred.mean().item():.4f}, records a graph: {pred.requires_grad}")

# not a no-op: Variable(t) returns t.detach(), cut from the graph
snapshot = Variable(pred)  # expect: GRD506, GRD101
print(f"the wrapped prediction records a graph: {snapshot.requires_grad}")
