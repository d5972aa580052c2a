"""GRD510 on held-out code (corpus27, a course's text-CNN homework, homework5 train.py): the
training function calls its dev-set helper every few steps; the helper calls model.eval() and
then, inside its loop over the dev batches, model.train() (after the first batch, by mistake,
but the model leaves the helper in train mode). The rule said "nothing puts it back": the
helper's summary kept only the switches of its top level, and the train() of the helper's own
loop never reached the training loop. A train() that a loop inside the helper runs may restore
the mode, so the claim is not established. A helper that never calls train() still fires."""

from snippets import case_maker, rule_tests

case = case_maker("GRD510")

_MODEL = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(self.drop(x))

"""

_TRAIN = """
def train(loader, dev, model):
    optimizer = torch.optim.Adam(model.parameters())
    model.train()
    for epoch in range(3):
        for x, y in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        evaluate(dev, model)


def evaluate(dev, model):
    model.eval(){mark}
    correct = 0
    for x, y in dev:
        with torch.no_grad():
            out = model(x)
        correct += (out.argmax(1) == y).sum().item()
{restore}    return correct


data = [(torch.randn(2, 4), torch.tensor([0, 1]))]
train(data, data, Net())
"""

POSITIVES = [
    case(
        "helper_never_restores_train_mode",
        _MODEL + _TRAIN.format(mark="  # expect: GRD510", restore=""),
        lines=(29,),
    ),
]

NEGATIVES = [
    case(
        "helper_restores_train_mode_inside_its_loop",
        _MODEL + _TRAIN.format(mark="", restore="        model.train()\n"),
    ),
    case(
        "helper_restores_train_mode_inside_a_nested_loop",
        _MODEL
        + _TRAIN.format(mark="", restore="").replace(
            "        correct += (out.argmax(1) == y).sum().item()\n",
            "        correct += (out.argmax(1) == y).sum().item()\n"
            "        for flag in (True,):\n"
            "            model.train(flag)\n",
        ),
    ),
    case(
        "helper_restores_train_mode_after_its_loop",
        _MODEL + _TRAIN.format(mark="", restore="    model.train()\n"),
    ),
]

test_fires, test_silent = rule_tests("GRD510", POSITIVES, NEGATIVES)
