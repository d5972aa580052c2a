"""GRD510: the model switched to eval mode by a helper that a called function runs in its own loop
(a Keras-like ``fit`` scoring the validation set with ``score_in_batches``, which calls ``eval_(x)``
for each batch, whose body is ``self.net.eval()``). Once a batch ran the model is in eval mode, though
the called function's end state, joined with the path that runs no batch, does not say so. A loop
whose iteration switches back with ``train()``, or a ``train()`` at each epoch, restores it."""

from snippets import case_maker, rule_tests

case = case_maker("GRD510")

_WRAPPER = """
import torch
import torch.nn as nn


class Wrapper:
    def __init__(self, net):
        self.net = net
        self.loss = nn.MSELoss()
        self.optimizer = torch.optim.SGD(net.parameters(), lr=0.01)

    def fit(self, batches, epochs=3):
        self.net.train()
        for epoch in range(epochs):
            {each_epoch}
            for x, y in batches:
                self.optimizer.zero_grad()
                self.loss(self.net(x), y).backward()
                self.optimizer.step()
            print(self.score(batches))

    def predict(self, x):
        self.net.eval(){mark}
        with torch.no_grad():
            out = self.net(x)
        {restore}
        return out

    def score(self, batches):
        total = 0.0
        for x, y in batches:
            total += self.loss(self.predict(x), y).item()
        return total / len(batches)


net = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.3), nn.Linear(8, 1))
Wrapper(net).fit([(torch.randn(5, 4), torch.randn(5, 1)) for _ in range(2)])
"""

POSITIVES = [
    case(
        "eval_in_a_helper_of_the_scoring_loop",
        _WRAPPER.format(each_epoch="pass", mark="  # expect: GRD510", restore="pass"),
        lines=(23,),
    ),
]

NEGATIVES = [
    case("helper_restores_train_mode", _WRAPPER.format(each_epoch="pass", mark="", restore="self.net.train()")),
    case("train_mode_each_epoch", _WRAPPER.format(each_epoch="self.net.train()", mark="", restore="pass")),
]

test_fires, test_silent = rule_tests("GRD510", POSITIVES, NEGATIVES)
