"""A module's forward walked in the contexts of its calls: a loss module given the model's
output (``criterion(model(x), y)``), a submodule given its parent's activations. Walked alone,
its inputs are unknown and it reports nothing that depends on them."""

import textwrap

import pytest

from test_interprocedural import expected, reported

LOSS_MODULE = """\
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class FocalBCE(nn.Module):
        def __init__(self, neg_scale=2.0):
            super().__init__()
            self.neg_scale = neg_scale

        def forward(self, logits, target):
            prob = torch.sigmoid(logits){clone}
            prob[target == 0] = prob[target == 0] * self.neg_scale{marker}
            return F.binary_cross_entropy(prob.clamp(0, 1), target)


    def train(model, criterion, optimizer, loader):
        for x, y in loader:
            optimizer.zero_grad()
            {call}
            loss.backward()
            optimizer.step()


    model = nn.Linear(8, 4)
    loader = [(torch.randn(16, 8), (torch.rand(16, 4) > 0.5).float())]
    train(model, FocalBCE(), torch.optim.SGD(model.parameters(), lr=0.1), loader)
    """

PROGRAMS = {
    # sigmoid saves its output; the masked write changes it before backward (checked with torch 2.13)
    "loss-module-writing-into-the-sigmoid-of-the-models-output": LOSS_MODULE.format(
        clone="", marker="  # expect: GRD202", call="loss = criterion(model(x), y)"
    ),
    "loss-module-writing-into-a-clone": LOSS_MODULE.format(
        clone=".clone()", marker="", call="loss = criterion(model(x), y)"
    ),
    "submodule-given-its-parents-activation": """\
        import torch
        import torch.nn as nn


        class Squash(nn.Module):
            def forward(self, x):
                y = torch.tanh(x)
                y.mul_(2.0)  # expect: GRD202
                return y


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.squash = Squash()

            def forward(self, x):
                return self.squash(self.fc(x))


        net = Net()
        net(torch.randn(2, 4)).sum().backward()
        """,
    "submodule-given-data-under-no-grad": """\
        import torch
        import torch.nn as nn


        class Squash(nn.Module):
            def forward(self, x):
                y = torch.tanh(x)
                y.mul_(2.0)
                return y


        squash = Squash()
        with torch.no_grad():
            print(squash(torch.randn(2, 4)))
        """,
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_forward_in_its_calls_contexts(name):
    src = textwrap.dedent(PROGRAMS[name])
    assert reported(src) == expected(src)
