"""Models switched to eval mode through a list of them: a loop over a display of models
(``for net in [netG, netD]: net.eval()``) and a helper given a display
(``set_mode("eval", [program_generator])`` whose loop switches every model it is given, under a
test of a mode string the caller passes). The display has no name a switch could be renamed to, so
the models' modes were never changed: an evaluation with gradients on after it (GRD505), or a
validation helper inside the training loop that leaves the model in eval mode (GRD510), went
unreported. Restoring them, evaluating under no_grad, and the
usual freeze of batch-norm layers (``for m in (model.bn1, model.bn2): m.eval()``) stay silent.
"""

from snippets import case_maker, rule_tests

_HEADER = """
import torch
import torch.nn as nn
import torch.nn.functional as F

loader = [(torch.randn(8, 4), torch.randint(0, 3, (8,))) for _ in range(3)]


def set_mode(mode, models):
    assert mode in ["train", "eval"]
    for m in models:
        if m is None:
            continue
        if mode == "train":
            m.train()
        if mode == "eval":
            m.eval()
"""

_EVALUATE_AFTER_HELPER = _HEADER + """

def evaluate(encoder, head):
    set_mode("eval", [encoder, head])
    correct = 0
    for x, y in loader:
        features = encoder(x){mark}
        logits = head(features){mark}
        correct += (logits.argmax(1) == y).sum().item()
    return correct


print(evaluate(nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.3)), nn.Linear(8, 3)))
"""

_EVALUATE_AFTER_LOOP = """
import torch
import torch.nn as nn

netG = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 4))
netD = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 1))
for net in [netG, netD]:
    net.{mode}()
scores = []
for z in [torch.randn(8, 4) for _ in range(3)]:
    fake = netG(z){mark}
    scores.append(netD(fake).mean().item()){mark}
print(scores)
"""

_TRAINING_WITH_VALIDATION = _HEADER + """

def check_accuracy(model):
    set_mode("eval", [model]){mark}
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
{restore}    return correct


def train(steps=6):
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.3), nn.Linear(8, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    set_mode("train", [model])
    for step in range(steps):
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        print(step, check_accuracy(model))


train()
"""

_BATCH_NORM_FROZEN = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.bn1 = nn.BatchNorm1d(8)
        self.fc2 = nn.Linear(8, 3)
        self.bn2 = nn.BatchNorm1d(3)

    def forward(self, x):
        return self.bn2(self.fc2(F.relu(self.bn1(self.fc1(x)))))


model = Net()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loader = [(torch.randn(8, 4), torch.randint(0, 3, (8,))) for _ in range(3)]
for epoch in range(2):
    model.train()
    for m in (model.bn1, model.bn2):
        m.eval()
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
"""

case505 = case_maker("GRD505")
case510 = case_maker("GRD510")

POSITIVES_505 = [
    case505("helper_switches_listed_models", _EVALUATE_AFTER_HELPER.format(mark="  # expect: GRD505"), lines=(24, 25)),
    case505("loop_over_listed_models", _EVALUATE_AFTER_LOOP.format(mode="eval", mark="  # expect: GRD505"), lines=(11, 12)),
]
NEGATIVES_505 = [
    case505(
        "evaluation_under_no_grad",
        _EVALUATE_AFTER_HELPER.format(mark="").replace(
            "    for x, y in loader:\n", "    with torch.no_grad():\n      for x, y in loader:\n"
        ),
    ),
    case505("loop_puts_listed_models_in_train_mode", _EVALUATE_AFTER_LOOP.format(mode="train", mark="")),
]
POSITIVES_510 = [
    case510("validation_helper_leaves_listed_model_in_eval", _TRAINING_WITH_VALIDATION.format(mark="  # expect: GRD510", restore=""), lines=(21,)),
]
NEGATIVES_510 = [
    case510("validation_helper_restores_train_mode", _TRAINING_WITH_VALIDATION.format(mark="", restore='    set_mode("train", [model])\n')),
    case510("batch_norm_layers_frozen_in_the_training_loop", _BATCH_NORM_FROZEN),
]

test_fires_505, test_silent_505 = rule_tests("GRD505", POSITIVES_505, NEGATIVES_505)
test_fires_510, test_silent_510 = rule_tests("GRD510", POSITIVES_510, NEGATIVES_510)
