"""A class of another file built with no arguments (``loss_fn = TripletLoss()``) whose ``__init__``
stores a parameter's literal default in a field (``self.margin = margin`` with ``margin=1.0``): the
instance holds that number, as it does when the call passes it. Its forward then adds a number, not
an unknown value, to the embeddings: a loss computed from embeddings taken under ``no_grad`` is known
to be cut out of the graph, and ``loss.requires_grad = True`` hides the cut (GRD102; corpus30 mmwind
SiameseNetworkMatcher train_loop.py:26, whose model never trains).

Silent: the embeddings taken with gradients, and a default that is not a literal (a margin read from
a config object the analysis does not know).
"""

import pytest

from snippets import lint_path, write_project

LOSSES = """\
import torch
import torch.nn as nn


class TripletLoss(nn.Module):
    def __init__(self, margin=MARGIN):
        super().__init__()
        self.margin = margin

    def forward(self, anchor, positive, negative):
        d_pos = nn.functional.pairwise_distance(anchor, positive)
        d_neg = nn.functional.pairwise_distance(anchor, negative)
        return torch.relu(d_pos - d_neg + self.margin).mean()
"""

TRAIN = """\
import torch
import torch.nn as nn
from losses import TripletLoss


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 8)

    def forward(self, x):
        return self.fc(x)

    def embed(self, x):
        EMBED
        return out


def fit(triplets):
    model = Encoder()
    loss_fn = TripletLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for anchor, positive, negative in triplets:
        optimizer.zero_grad()
        loss = loss_fn(model.embed(anchor), model.embed(positive), model.embed(negative))
        loss.requires_grad = True  # MARK
        loss.backward()
        optimizer.step()
"""

UNDER_NO_GRAD = "with torch.no_grad():\n            out = self(x)"
WITH_GRADIENTS = "out = self(x)"

CASES = {
    "literal-default-no-grad-embeddings": ("1.0", UNDER_NO_GRAD, [27]),
    "literal-default-embeddings-with-gradients": ("1.0", WITH_GRADIENTS, []),
    "default-from-an-unknown-config": ("CONFIG.margin", UNDER_NO_GRAD, []),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_argument_constructor_of_another_file(tmp_path, case):
    margin, embed, lines = CASES[case]
    losses = LOSSES.replace("MARGIN", margin)
    if margin.startswith("CONFIG"):
        losses = losses.replace("import torch.nn as nn\n", "import torch.nn as nn\nfrom config import CONFIG\n", 1)
    write_project(tmp_path, {"losses.py": losses, "train.py": TRAIN.replace("EMBED", embed)})
    assert lint_path(tmp_path / "train.py", select={"GRD102"}) == [(line, "GRD102") for line in lines]
