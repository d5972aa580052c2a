"""GRD202 and the two arms of a conditional expression.

A robust-training model's forward picks its last activation with a conditional expression:
``x_relu = self.fake_relu(x_latent) if fake_relu else self.relu(x_latent)``, ``self.relu`` an
``nn.ReLU(inplace=True)``. One evaluation runs one arm: the in-place ReLU of the ``else`` arm
writes into an ``x_latent`` that no op of this pass saved (the custom function of the other arm
never ran), and a Linear saves its input, not its output (checked, torch 2.13: backward runs
clean in both modes). The write still raises when ``x_latent`` was saved before the expression,
or by the very arm that writes it.
"""

from snippets import case_maker, rule_tests

CODE = "GRD202"
case = case_maker(CODE)

_FORWARD = """\
    import torch
    from torch import nn


    class Clamp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, g):
            return g


    class FakeReLU(nn.Module):
        def forward(self, x):
            return Clamp.apply(x)


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=True), nn.Linear(8, 8))
            self.relu = nn.ReLU(inplace=True)
            self.fake_relu = FakeReLU()
            self.head = nn.Linear(8, 2)

        def forward(self, x, fake_relu=False):
            x_latent = self.body(x)
            x_relu = self.fake_relu(x_latent) if fake_relu else self.relu(x_latent)  # WRITE
            return self.head(x_relu)


    net = Net()
    net(torch.randn(3, 4)).sum().backward()
"""


def _marked(src):
    return src.replace("# WRITE", "# expect: GRD202")


POSITIVES = [
    case(
        "saved-before-the-expression",
        _marked(_FORWARD).replace(
            "x_relu = self.fake",
            "gate = torch.sigmoid(x_latent * self.head.weight.sum())\n            x_relu = self.fake",
        ).replace("return self.head(x_relu)", "return self.head(x_relu * gate)"),
        lines=(32,),
    ),
]

NEGATIVES = [
    case("other-arm-saved-it", _FORWARD),
    case(
        "other-arm-saved-it-arms-swapped",
        _FORWARD.replace(
            "self.fake_relu(x_latent) if fake_relu else self.relu(x_latent)",
            "self.relu(x_latent) if not fake_relu else self.fake_relu(x_latent)",
        ),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
