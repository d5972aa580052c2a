"""``for m in models: m.eval()`` switches every model of the list ``models`` (an ensemble of one
autoencoder per digit), as a loop over a dict's values switches every entry: a later
``models[idx](x)`` in a test loop runs a model in eval mode with gradients enabled (GRD505, reported
unnamed: a model taken from a container has no path of its own). A switch under a condition, or a test
loop under ``no_grad``, or a list trained after the switch, stays silent."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

HEAD = """\
import torch
import torch.nn as nn


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encode = nn.Linear(784, 16)
        self.decode = nn.Linear(16, 784)

    def forward(self, x):
        return torch.sigmoid(self.decode(torch.relu(self.encode(x))))


"""

POSITIVES = [
    case(
        "list_of_models_switched_then_indexed",
        HEAD
        + """\
def test_loss(loader, n_digits=10):
    models = []
    for digit in range(n_digits):
        models.append(AutoEncoder())
    for model in models:
        model.eval()
    total = 0.0
    for images, labels in loader:
        images = images.view(images.shape[0], -1)
        for digit in range(n_digits):
            chosen = images[labels == digit]
            reconstructed = models[digit](chosen)  # expect: GRD505
            total += ((reconstructed - chosen) ** 2).sum().item()
    return total
""",
        lines=(26,),
    ),
    case(
        "comprehension_of_models_switched_then_indexed",
        HEAD
        + """\
def scores(batches):
    ensemble = [AutoEncoder() for _ in range(3)]
    for member in ensemble:
        member.eval()
    errors = []
    for x in batches:
        for k in range(len(ensemble)):
            errors.append(((ensemble[k](x) - x) ** 2).mean().item())  # expect: GRD505
    return errors
""",
        lines=(22,),
    ),
]

NEGATIVES = [
    case(
        "some_models_switched_only",
        HEAD
        + """\
def test_loss(loader, frozen):
    models = [AutoEncoder() for _ in range(10)]
    for model in models:
        if frozen:
            model.eval()
    total = 0.0
    for images, labels in loader:
        for digit in range(10):
            chosen = images[labels == digit]
            total += ((models[digit](chosen) - chosen) ** 2).sum().item()
    return total
""",
    ),
    case(
        "test_loop_under_no_grad",
        HEAD
        + """\
def test_loss(loader):
    models = [AutoEncoder() for _ in range(10)]
    for model in models:
        model.eval()
    total = 0.0
    with torch.no_grad():
        for images, labels in loader:
            for digit in range(10):
                chosen = images[labels == digit]
                total += ((models[digit](chosen) - chosen) ** 2).sum().item()
    return total
""",
    ),
    case(
        "list_trained_after_the_switch",
        HEAD
        + """\
def train(loader):
    models = [AutoEncoder() for _ in range(10)]
    optimizers = [torch.optim.Adam(m.parameters()) for m in models]
    for model in models:
        model.eval()
    for model in models:
        model.train()
    for images, labels in loader:
        for digit in range(10):
            chosen = images[labels == digit]
            loss = ((models[digit](chosen) - chosen) ** 2).mean()
            optimizers[digit].zero_grad()
            loss.backward()
            optimizers[digit].step()
""",
    ),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
