"""Shapes of ordinary training code the analysis missed (session 22 recall study), as our own small programs.

- GRD510 with an optimizer of unknown parameters: the model the loop trains is the only one it runs
  with gradients; the layers its own forward runs (recorded by the walk of that forward) and
  parameter-free modules (a loss) are not other models.
"""

from snippets import findings


def marked(src: str, code: str):
    return [(n, code) for n, line in enumerate(src.splitlines(), 1) if line.endswith(f"# expect: {code}")]

NET = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.drop = nn.Dropout(0.5)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(self.drop(torch.relu(self.fc1(x))))


"""

FIT_PASSED_OPTIMIZER = NET + """\
from helpers import build_optimizer


def fit(net, optimizer, train_batches, valid_batches, epochs):
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
{top}        for x, y in train_batches:
            optimizer.zero_grad()
            loss = criterion(net(x), y)
            loss.backward()
            optimizer.step()
        net.eval(){expect}
        with torch.no_grad():
            for x, y in valid_batches:
                print(criterion(net(x), y).item())


net = Net()
fit(net, build_optimizer(net), [], [], 3)  # an optimizer made by a function of another library
"""


def test_eval_of_the_only_model_an_unknown_optimizer_trains():
    # before: the forwards of net.fc1/net.drop/net.fc2 (walked inside Net.forward) and of the loss
    # module counted as other models, so the loop was not known to train `net`
    src = FIT_PASSED_OPTIMIZER.format(top="", expect="  # expect: GRD510")
    assert findings(src, "GRD510") == marked(src, "GRD510") != []


def test_train_at_the_top_of_each_epoch_restores_the_mode():
    src = FIT_PASSED_OPTIMIZER.format(top="        net.train()\n", expect="")
    assert findings(src, "GRD510") == []


def test_two_models_with_gradients_and_an_unknown_optimizer_stay_silent():
    # which of the two the passed-in optimizer trains is not known
    src = FIT_PASSED_OPTIMIZER.format(top="", expect="").replace(
        "loss = criterion(net(x), y)", "loss = criterion(net(x) + other(x), y)"
    ).replace("def fit(net,", "def fit(other, net,").replace("fit(net,", "fit(Net(), net,")
    assert findings(src, "GRD510") == []
