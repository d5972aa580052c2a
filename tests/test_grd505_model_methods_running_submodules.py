"""GRD505 for a model's own method that runs its submodules (``model.decode(z)`` calling
``self.decoder``) in an evaluation loop after ``model.eval()``, with gradients enabled (deepsvg #37's
notebook interpolating latents): the submodule the method runs was switched with its model, and its
outputs keep their graphs. Under ``no_grad``, or with the submodule switched back to train, it is not.
"""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

MODEL = """\
import torch
import torch.nn as nn


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(16, 4)
        self.decoder = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.1))

    def decode(self, z):
        return self.decoder(z)


"""

POSITIVES = [
    case(
        "decode-method-in-an-interpolation-loop-after-eval",
        MODEL
        + """\
def interpolate(model, z1, z2, steps=5):
    model.eval()
    curves = []
    for alpha in torch.linspace(0, 1, steps):
        curve = model.decode((1 - alpha) * z1 + alpha * z2)  # expect: GRD505
        curves.append(curve[0].tolist())
    return curves


interpolate(AutoEncoder(), torch.randn(1, 4), torch.randn(1, 4))
""",
        [19],
    ),
]


NEGATIVES = [
    case(
        "decode-under-no-grad",
        MODEL
        + """\
def interpolate(model, z1, z2, steps=5):
    model.eval()
    curves = []
    with torch.no_grad():
        for alpha in torch.linspace(0, 1, steps):
            curve = model.decode((1 - alpha) * z1 + alpha * z2)
            curves.append(curve[0].tolist())
    return curves


interpolate(AutoEncoder(), torch.randn(1, 4), torch.randn(1, 4))
""",
    ),
    case(
        "decoder-switched-back-to-train",
        MODEL
        + """\
def interpolate(model, z1, z2, steps=5):
    model.eval()
    model.decoder.train()
    curves = []
    for alpha in torch.linspace(0, 1, steps):
        curve = model.decode((1 - alpha) * z1 + alpha * z2)
        curves.append(curve[0].tolist())
    return curves


interpolate(AutoEncoder(), torch.randn(1, 4), torch.randn(1, 4))
""",
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
