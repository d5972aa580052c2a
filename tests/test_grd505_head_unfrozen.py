"""Transfer learning that freezes the whole backbone and unfreezes the new head
(``for p in model.parameters(): p.requires_grad = False`` then ``for p in model.fc.parameters():
p.requires_grad = True``): the model trains again, so an evaluation of it with gradients enabled records
a graph through the head (GRD505). The model's value stayed frozen whole, as if the head were frozen too.
A fixed feature extractor stays silent: frozen whole and left so, or with its parameter-free head
(``nn.Identity()``) "unfrozen", which unfreezes nothing."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_PROGRAM = """
import torch
import torch.nn as nn
from torchvision.models import resnet18

model = resnet18(weights=None)
model.fc = {head}
for param in model.parameters():
    param.requires_grad = False
{unfreeze}
loader = [(torch.randn(2, 3, 64, 64), torch.tensor([0, 1]))]
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for epoch in range(2):
    model.train()
    for x, y in loader:
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    correct = 0
    for x, y in loader:
        out = model(x){mark}
        correct += (out.argmax(1) == y).sum().item()
"""

_EXTRACTOR = """
import torch
import torch.nn as nn
from torchvision.models import resnet18

backbone = resnet18(weights=None)
backbone.fc = nn.Identity()
for param in backbone.parameters():
    param.requires_grad = False
{unfreeze}
head = nn.Linear(512, 3)
loader = [(torch.randn(2, 3, 64, 64), torch.tensor([0, 1]))]
optimizer = torch.optim.SGD(head.parameters(), lr=0.01)
backbone.eval()
for epoch in range(2):
    for x, y in loader:
        loss = nn.functional.cross_entropy(head(backbone(x)), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    features = []
    for x, y in loader:
        features.append(backbone(x))
"""

_FC = "for param in model.fc.parameters():\n    param.requires_grad = True"
_FC_METHOD = "for param in model.fc.parameters():\n    param.requires_grad_(True)"
_MODULE_CALL = "model.fc.requires_grad_(True)"
_MARK = "  # expect: GRD505"

POSITIVES = [
    case("head_unfrozen_by_assignment", _PROGRAM.format(head="nn.Linear(512, 3)", unfreeze=_FC, mark=_MARK),
         lines=(24,)),
    case("head_unfrozen_by_method", _PROGRAM.format(head="nn.Linear(512, 3)", unfreeze=_FC_METHOD, mark=_MARK),
         lines=(24,)),
]

NEGATIVES = [
    case("parameter_free_head_unfrozen", _EXTRACTOR.format(unfreeze=_FC.replace("model", "backbone"))),
    case("extractor_left_frozen", _EXTRACTOR.format(unfreeze="")),
    # the training loop's backward() raises there (nothing requires grad): it proves nothing about the model
    case("parameter_free_head_of_the_trained_model", _PROGRAM.format(head="nn.Identity()", unfreeze=_FC, mark="")),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
