"""``class AnalogSGD(torch.optim.SGD)`` with no constructor, ``step`` or ``zero_grad`` of its own
(aihwkit #446's examples): an instance is the SGD optimizer over the parameters it is given, so a loop
that backpropagates and steps it without clearing gradients is GRD501. A subclass whose own ``step``
may clear them is not known to be that optimizer: silent."""

from snippets import findings

EXAMPLE = """\
import torch
import torch.nn.functional as F


class AnalogSGD(torch.optim.SGD):
    BODY


x = torch.randn(2, 4)
y = torch.randn(2, 2)
model = torch.nn.Linear(4, 2)
opt = AnalogSGD(model.parameters(), lr=0.1)

for epoch in range(10):
    pred = model(x)
    loss = F.mse_loss(pred, y)
    loss.backward()
    opt.step()
"""


def test_a_subclass_keeping_the_optimizers_methods_is_that_optimizer():
    body = "def regroup_param_groups(self, model):\n        return None"
    assert (19, "GRD501") in findings(EXAMPLE.replace("BODY", body))


def test_a_subclass_with_its_own_step_is_not_known():
    body = "def step(self, closure=None):\n        super().step(closure)\n        self.zero_grad()"
    assert "GRD501" not in [code for _, code in findings(EXAMPLE.replace("BODY", body))]
