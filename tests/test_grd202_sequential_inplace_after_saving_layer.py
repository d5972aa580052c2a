"""GRD202 on an ``nn.Sequential`` member built with ``inplace=True`` right after a library layer that
keeps its output for backward (a GAN tutorial's discriminator: ``nn.LeakyReLU(0.2, inplace=True)``
then ``nn.Dropout(0.3, inplace=True)``): the member overwrites that saved output, and backward raises
"modified by an inplace operation" (checked with torch 2.13). A layer that keeps its input instead
(``nn.LeakyReLU(0.2)``, ``nn.BatchNorm1d``), an out-of-place member, a zero dropout, or no layer with
parameters before the pair (nothing there requires grad) stays silent.
"""

from snippets import case_maker, rule_tests

CODE = "GRD202"
case = case_maker(CODE)


def discriminator(activation, after, first="nn.Linear(784, 256)"):
    return f"""\
import torch
import torch.nn as nn


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(
            {first},
            {activation},
            {after},
            nn.Linear(256, 1),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.model(x.flatten(1))
"""


POSITIVES = [
    case(
        "dropout-in-place-after-in-place-leaky-relu",
        discriminator("nn.LeakyReLU(0.2, inplace=True)", "nn.Dropout(0.3, inplace=True),  # expect: GRD202"),
        [11],
    ),
    case(
        "relu-in-place-after-tanh",
        discriminator("nn.Tanh()", "nn.ReLU(inplace=True),  # expect: GRD202"),
        [11],
    ),
    case(
        "dropout-in-place-after-sigmoid-behind-a-conv",
        discriminator("nn.Sigmoid()", "nn.Dropout(p=0.5, inplace=True),  # expect: GRD202", first="nn.Conv1d(1, 256, 1)"),
        [11],
    ),
]

NEGATIVES = [
    case("leaky-relu-keeps-its-input", discriminator("nn.LeakyReLU(0.2)", "nn.Dropout(0.3, inplace=True)")),
    case("batch-norm-keeps-its-input", discriminator("nn.BatchNorm1d(256)", "nn.ReLU(inplace=True)")),
    case("dropout-out-of-place", discriminator("nn.LeakyReLU(0.2, inplace=True)", "nn.Dropout(0.3)")),
    case("zero-dropout", discriminator("nn.Tanh()", "nn.Dropout(0.0, inplace=True)")),
    case("nothing-trained-before", discriminator("nn.Tanh()", "nn.ReLU(inplace=True)", first="nn.Identity()")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
