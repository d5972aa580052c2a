"""GRD405 for a model a builder function partly froze and returned, passed straight into the training
function (``train(build_classifier(), loader)``): the builder's freeze of the feature extractor is
the training function's model's, as when the caller binds the result first (``model =
build_classifier()``). The optimizer over the head then leaves nothing trainable out, so the rule
stays silent (a false alarm before: the freeze was in the builder's names, ``net.features``, which no
name of the training function held). A builder that freezes nothing still leaves a backbone that
computes gradients: reported."""

from snippets import case_maker, rule_tests

CODE = "GRD405"
case = case_maker(CODE)

_BUILDER = """\
import torch
import torch.nn as nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        return self.head(self.features(x))


def build_classifier():
    net = Classifier()
{freeze}    return net


def train(model, loader, epochs=2):
    optimizer = torch.optim.SGD(model.head.parameters(), lr=0.01){mark}
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()


def main():
    loader = [(torch.randn(2, 3, 16, 16), torch.tensor([0, 1]))]
    train({argument})


main()
"""

_FREEZE_FEATURES = "    for p in net.features.parameters():\n        p.requires_grad = False\n"


def program(freeze=_FREEZE_FEATURES, argument="build_classifier(), loader", mark=""):
    return _BUILDER.format(freeze=freeze, argument=argument, mark=mark)


POSITIVES = [
    case("builder-freezes-nothing", program(freeze="", mark="  # expect: GRD405"), [21]),
]

NEGATIVES = [
    case("builder-froze-the-features", program()),
    case("moved-before-it-is-passed", program(argument="build_classifier().to('cpu'), loader")),
    case("passed-by-keyword", program(argument="loader=loader, model=build_classifier()")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
