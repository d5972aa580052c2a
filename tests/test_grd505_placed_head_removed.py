"""A model frozen whole, given a trainable head, then the head replaced by a module without parameters
(``nn.Identity()``, to use the backbone as a fixed feature extractor): nothing of the model trains any
more, so its forwards record no graph and an evaluation loop over it wastes nothing (GRD505 silent).
The placed slots are kept as paths below each module (``classifier.6`` below the model), so replacing
``classifier[6]`` frees exactly that slot; a head still in place keeps the finding."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_PROGRAM = """
import torch
import torch.nn as nn
from torchvision.models import vgg11


def freeze(model):
    for p in model.parameters():
        p.requires_grad = False


def embed(model, loader):
    feats = []
    for x, _ in loader:
        model.eval()
        out = model(x){mark}
        feats.append(out.detach())
    return torch.cat(feats)


net = vgg11(weights=None)
freeze(net)
net.classifier[6] = nn.Linear(4096, 5)
opt = torch.optim.SGD(net.classifier[6].parameters(), lr=0.01)
{replace}
loader = [(torch.randn(2, 3, 224, 224), torch.tensor([0, 1]))]
print(embed(net, loader).shape)
"""

POSITIVES = [
    case("head_still_trainable", _PROGRAM.format(mark="  # expect: GRD505", replace="print(net)"), lines=(16,)),
    case(
        "another_placed_layer_still_trains",
        _PROGRAM.format(
            mark="  # expect: GRD505",
            replace="net.classifier[3] = nn.Linear(4096, 4096)\nnet.classifier[6] = nn.Identity()",
        ),
        lines=(16,),
    ),
]

NEGATIVES = [
    case("head_replaced_by_identity", _PROGRAM.format(mark="", replace="net.classifier[6] = nn.Identity()")),
    case("whole_classifier_replaced", _PROGRAM.format(mark="", replace="net.classifier = nn.Identity()")),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
