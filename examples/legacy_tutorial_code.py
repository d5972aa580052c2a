"""A two-layer network from an old PyTorch 0.3 tutorial, half ported to 0.4+.

gradlint example with planted autograd pitfalls: every line that gradlint
should report carries a trailing expect comment naming the rule code. The
code still wraps tensors in ``Variable``, reads and writes ``.data``
everywhere, and its "ported" parts lose their leaves. Under a current PyTorch
it stops at the first ``loss.data[0]`` (``invalid index of a 0-dim tensor``);
past that, the second part raises ``one of the variables needed for gradient
computation has been modified by an inplace operation`` at its first backward().
"""
import torch
import torch.nn as nn
from torch.autograd import Variable

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
dtype = torch.FloatTensor

# N is batch size; D_in is input dimension; H is hidden dimension; D_out is output dimension.
N, D_in, H, D_out = 64, 1000, 100, 10
learning_rate = 1e-6

# Part 1: autograd with hand-written weights, updated through .data
x = Variable(torch.randn(N, D_in).type(dtype), requires_grad=False)  # expect: GRD506
y = Variable(torch.randn(N, D_out).type(dtype), requires_grad=False)  # expect: GRD506
w1 = Variable(torch.randn(D_in, H).type(dtype), requires_grad=True)  # expect: GRD506
w2 = Variable(torch.randn(H, D_out).type(dtype), requires_grad=True)  # expect: GRD506

for t in range(500):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 0:
        print(t, loss.data[0])  # expect: GRD204
    loss.backward()
    w1.data -= learning_rate * w1.grad.data  # expect: GRD204
    w2.data -= learning_rate * w2.grad.data  # expect: GRD204
    w1.grad.data.zero_()
    w2.grad.data.zero_()

# Part 2: the same net "ported": sigmoid hidden layer with dropout, no Variable
w_hidden = torch.randn(D_in, H, requires_grad=True)
w_out = torch.randn(H, D_out, requires_grad=True)
keep_prob = 0.8
for t in range(500):
    h = torch.sigmoid(x.mm(w_hidden))
    h.mul_((torch.rand(N, H) < keep_prob).float() / keep_prob)  # expect: GRD202
    loss = (h.mm(w_out) - y).pow(2).sum()
    loss.backward()
    w_hidden = w_hidden - learning_rate * w_hidden.grad  # expect: GRD303
    w_out = w_out - learning_rate * w_out.grad  # expect: GRD303


# Part 3: nn.Module version with a learnable output temperature
class TwoLayerNet(nn.Module):
    def __init__(self, D_in, H, D_out):
        super().__init__()
        self.linear1 = nn.Linear(D_in, H)
        self.linear2 = nn.Linear(H, D_out)
        self.log_temperature = nn.Parameter(torch.zeros(1)).to(device)  # expect: GRD302

    def forward(self, x):
        h_relu = self.linear1(x).clamp(min=0)
        return self.linear2(h_relu) * self.log_temperature.exp()


model = TwoLayerNet(D_in, H, D_out).to(device)
inputs = torch.randn(N, D_in, device=device, requires_grad=True)  # expect: GRD304
targets = torch.randn(N, D_out, device=device)
# per-output scale, trained together with the model
output_scale = torch.ones(D_out, requires_grad=True).to(device)  # expect: GRD302
criterion = nn.MSELoss(size_average=False)
optimizer = torch.optim.SGD(list(model.parameters()) + [output_scale], lr=1e-4)

for t in range(500):
    y_pred = model(inputs) * output_scale
    loss = criterion(y_pred, targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if t % 100 == 99:
        print(t, loss.data[0])  # expect: GRD204

print("first-layer weight norm:", model.linear1.weight.data.norm())  # expect: GRD204
x_test = Variable(torch.randn(8, D_in), volatile=True)  # expect: GRD506
print("test predictions:", model(x_test).data.numpy())  # expect: GRD204
