"""GRD505 at the call of another file's function that loops over batches running a model the caller
switched to ``eval()``: silent when that loop hands the model's output to a method whose name says
it trains (``critic.train_step(z, y, optimizer)``, of a class not known here): that method's
backward() runs through the features, so the helper trains a probe, it does not evaluate
(corpus36 ChicForX/CLUB_impl: ``eval.train_mine(model, mine, test_loader, ...)`` after
``model.eval()``, its loop calling ``mine.train_mine_inside_epoch(z, u, optimizer)``, ``mine`` of a class the analysis
did not resolve).
A method that only scores the features keeps the finding, and so does ``model.train()`` at the
helper's end (a mode switch, not training)."""

import pytest

from snippets import lint_path, write_project

HELPERS = """\
import torch


def fit_probe(model, critic, loader, epochs):
    optimizer = torch.optim.Adam(critic.parameters(), lr=1e-3)
    total = 0.0
    for epoch in range(epochs):
        for x, y in loader:
            z = model.encoder(x)
            total += critic.STEP
    model.train()
    return total
"""

MAIN = """\
import torch
import torch.nn as nn
import helpers



class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.ReLU())
        self.decoder = nn.Linear(8, 4)

    def forward(self, x):
        return self.decoder(self.encoder(x))


model = AutoEncoder()
loader = [(torch.randn(6, 4), torch.randint(0, 2, (6,))) for _ in range(3)]
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x, y in loader:
    optimizer.zero_grad()
    (model(x) - x).pow(2).mean().backward()
    optimizer.step()


def probe_features(critic, loader):
    # critic: a probe the calling script builds (its class is not known here)
    model.eval()
    return helpers.fit_probe(model, critic, loader, 2)
"""

CASES = {
    "probe-trained-through-a-method": ("train_step(z, y, optimizer)", []),
    "features-only-scored": ("score(z, y)", [29]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_helper_loop_handing_features_to_a_method(tmp_path, case):
    step, lines = CASES[case]
    write_project(tmp_path, {"helpers.py": HELPERS.replace("STEP", step), "main.py": MAIN})
    assert lint_path(tmp_path / "main.py", select={"GRD505"}) == [(line, "GRD505") for line in lines]
