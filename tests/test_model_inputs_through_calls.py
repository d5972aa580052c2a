"""GRD304 (opt-in) across functions: a batch made with ``requires_grad=True`` in ``main()`` and
handed to ``train(x, y, model, ...)``, whose body only feeds it to the model, is reported where it
is made. A callee that reads its gradient, differentiates with respect to it, rebinds it or hands
it on to anything but a model keeps the rule silent.

Our own snippets, shaped like small training scripts; the negatives are the correct look-alikes
(adversarial examples and input-gradient saliency need the gradient of the input).
"""

from snippets import _marked, case_maker, rule_tests

_case = case_maker("GRD304")


def case(case_id, src):
    return _case(case_id, src, _marked(src, "GRD304"))


def program(train_body: str, marker: str = "") -> str:
    return f"""\
import torch
import torch.nn as nn


def train(x, y, model, criterion, optimizer):
    for epoch in range(5):
        optimizer.zero_grad()
{train_body}
        loss.backward()
        optimizer.step()
    return x


def main():
    x = torch.randn(64, 10, requires_grad=True){marker}
    y = torch.randn(64, 1)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    train(x, y, model, nn.MSELoss(), torch.optim.Adam(model.parameters()))
"""


ONLY_FED = "        loss = criterion(model(x), y)"

POSITIVES = [
    case("only-fed-to-the-model", program(ONLY_FED, "  # expect: GRD304").replace("    return x\n", "")),
    case(
        "method-of-a-trainer",
        """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self):
        self.model = nn.Linear(10, 1)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)

    def fit(self, inputs, targets):
        for step in range(10):
            self.optimizer.zero_grad()
            out = self.model(inputs)
            nn.functional.mse_loss(out, targets).backward()
            self.optimizer.step()


def main():
    inputs = torch.rand(32, 10, requires_grad=True)  # expect: GRD304
    Trainer().fit(inputs, torch.rand(32, 1))
""",
    ),
]

NEGATIVES = [
    # the callee returns it: the caller may use it (and `return x` is a load that is no model input)
    case("returned-by-the-callee", program(ONLY_FED)),
    case(
        "gradient-of-the-input-read",
        program("        loss = criterion(model(x), y)\n        print(x.grad)").replace("    return x\n", ""),
    ),
    case(
        "differentiated-with-respect-to-the-input",
        program(
            "        loss = criterion(model(x), y)\n"
            "        (saliency,) = torch.autograd.grad(loss, x, retain_graph=True)"
        ).replace("    return x\n", ""),
    ),
    case(
        "rebound-in-the-callee",
        program("        x = x * 2\n        loss = criterion(model(x), y)").replace("    return x\n", ""),
    ),
    case(
        "used-in-a-lambda",
        program("        f = lambda: model(x)\n        loss = criterion(f(), y)").replace("    return x\n", ""),
    ),
]

test_fires, test_silent = rule_tests("GRD304", POSITIVES, NEGATIVES)
