"""GRD504 and a module whose attribute name is a tensor view method.

A continual-learning feature extractor trains a temporary head inside a method:
``self.flatten = modules.Flatten()`` / ``nn.Flatten()``, then in the batch loop
``y_hat = self.classifier(self.flatten(features))`` and ``loss.backward()``. ``self.flatten(h)``
is a module's output, not a view of ``self`` as ``h.flatten()`` is of ``h``: no graph of ``self``
is carried from one iteration to the next (checked, torch 2.13: the loop runs clean). A graph
truly kept across iterations still reports.
"""

from snippets import case_maker, rule_tests

CODE = "GRD504"
case = case_maker(CODE)

_TRAIN = """\
    import torch
    from torch import nn, optim
    from torch.nn import functional as F


    class FeatureExtractor(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(4, 8)

        def forward(self, x):
            return self.body(x)

        def train_head(self, loader, classes):
            self.flatten = nn.Flatten()
            self.classifier = nn.Linear(8, classes)
            optimizer = optim.SGD(self.parameters(), lr=0.01)
            for data, y in loader:
                optimizer.zero_grad()
                features = self(data)
                y_hat = self.classifier(self.flatten(features))
                loss = F.cross_entropy(y_hat, y)
                loss.backward()  # BACKWARD
                optimizer.step()


    FeatureExtractor().train_head([(torch.randn(2, 4), torch.tensor([0, 1]))] * 3, 2)
"""


def _marked(src):
    return src.replace("# BACKWARD", "# expect: GRD504")


POSITIVES = [
    case(
        "features-computed-before-the-loop",
        _marked(_TRAIN)
        .replace("            for data, y in loader:\n", "            data = loader[0][0]\n            features = self(data)\n            for _, y in loader:\n")
        .replace("                features = self(data)\n", ""),
        lines=(24,),
    ),
]

NEGATIVES = [
    case("flatten-module-of-the-method", _TRAIN),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
