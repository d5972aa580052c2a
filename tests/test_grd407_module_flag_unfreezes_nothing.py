"""EfficientNet-PyTorch #152's advice "freeze all the parameters and then unfreeze the last layer"
written ``model._fc.requires_grad = True``: an attribute of the module (GRD401), no parameter changes,
so every parameter stays frozen and the backward raises (GRD407 at the freeze). Unfreezing the head's
parameters themselves is silent."""

from snippets import findings

TRANSFER = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(8, 8)
        self._fc = nn.Linear(8, 3)

    def forward(self, x):
        return self._fc(self.body(x))


model = Net()
for param in model.parameters():
    param.requires_grad = False
UNFREEZE
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
loss = nn.functional.cross_entropy(model(torch.randn(4, 8)), torch.randint(0, 3, (4,)))
loss.backward()
optimizer.step()
"""


def test_a_module_attribute_leaves_everything_frozen():
    codes = findings(TRANSFER.replace("UNFREEZE", "model._fc.requires_grad = True"))
    assert (17, "GRD407") in codes and (18, "GRD401") in codes


def test_unfreezing_the_heads_parameters_is_silent():
    unfreeze = "for p in model._fc.parameters():\n    p.requires_grad = True"
    assert "GRD407" not in [code for _, code in findings(TRANSFER.replace("UNFREEZE", unfreeze))]
