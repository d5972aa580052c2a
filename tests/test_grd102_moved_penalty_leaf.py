"""A WGAN-GP gradient penalty re-wraps the interpolated images as a new leaf on purpose
(``mixed = Variable(mixed, requires_grad=True)``) and takes ``autograd.grad`` with respect to it: the
leaf is made to be differentiated, so no GRD102. The same leaf moved in the same statement
(``Variable(mixed, requires_grad=True).to(device)``, ``.cuda()``) is still the tensor handed to
``grad(inputs=mixed)``: autograd differentiates with respect to the moved tensor too (checked with
torch 2.13), so it stays silent. A re-wrapped loss that is moved and then backpropagated still cuts
the model off, and so does a model's output re-wrapped and moved (only data that went through no model
is followed through the move: tests/test_precision21_shapes.py keeps its fedml guest-party positive)."""

from snippets import findings

PENALTY = """\
import torch
import torch.nn as nn
from torch.autograd import Variable, grad


def gradient_penalty(critic, real, fake, device):
    alpha = torch.rand(real.size(0), 1).to(device)
    mixed = alpha * real.data + (1 - alpha) * fake.data
    mixed = Variable(mixed, requires_grad=True)MOVE
    score = critic(mixed)
    g = grad(outputs=score, inputs=mixed, grad_outputs=torch.ones_like(score), create_graph=True)[0]
    return ((g.norm(2, dim=1) - 1) ** 2).mean()


critic = nn.Linear(4, 1)
generator = nn.Linear(2, 4)
gradient_penalty(critic, torch.randn(8, 4), generator(torch.randn(8, 2)), "cpu").backward()
"""

CUT_LOSS = """\
import torch
import torch.nn as nn
from torch.autograd import Variable

model = nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for _ in range(3):
    loss = model(torch.randn(8, 4)).pow(2).mean()
    loss = Variable(loss.data, requires_grad=True).to("cpu")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""


def test_a_penalty_leaf_made_where_it_is_differentiated_is_silent():
    assert "GRD102" not in [code for _, code in findings(PENALTY.replace("MOVE", ""))]


def test_a_penalty_leaf_moved_in_the_same_statement_is_silent():
    assert "GRD102" not in [code for _, code in findings(PENALTY.replace("MOVE", ".to(device)"))]
    assert "GRD102" not in [code for _, code in findings(PENALTY.replace("MOVE", ".cuda()"))]


def test_a_rewrapped_loss_moved_then_backpropagated_still_reports():
    assert (9, "GRD102") in findings(CUT_LOSS)


SPLIT = """\
import torch
import torch.nn as nn

bottom = nn.Linear(4, 3)
criterion = nn.MSELoss()
for _ in range(2):
    u = bottom(torch.randn(8, 4))
    u = torch.tensor(u, requires_grad=True).to("cpu")
    loss = criterion(u, torch.zeros(8, 3))
    top = torch.autograd.grad(loss, u)[0]
"""


def test_a_model_output_rewrapped_and_moved_still_reports():
    assert (8, "GRD102") in findings(SPLIT)
