"""A model whose constructor freezes every parameter (under a flag its default turns on: RecBole's
pre-trained embeddings loaded frozen), handed to a function or a trainer class that trains it: the
loss goes through nothing trainable and backward() raises (GRD407, reported at the freeze inside the
constructor). Asked not to freeze, given a trainable head, or partly unfrozen by the caller, it trains."""

from snippets import findings

MODEL = """\
import torch
import torch.nn as nn


class M(nn.Module):
    def __init__(self, n, freeze=True):
        super().__init__()
        self.emb = nn.Embedding(n, 4)
        if freeze:
            for p in self.parameters():
                p.requires_grad = False
        HEAD

    def forward(self, x):
        return self.emb(x).sum()


def fit(model, data):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for x in data:
        optimizer.zero_grad()
        loss = model(x)
        loss.backward()
        optimizer.step()


model = BUILD
CALLER
fit(model, [torch.tensor([1, 2])])
"""


def _run(build="M(10)", head="pass", caller="pass"):
    return findings(MODEL.replace("BUILD", build).replace("HEAD", head).replace("CALLER", caller))


def test_a_model_its_constructor_froze_is_trained_by_a_function():
    assert _run() == [(11, "GRD407")]


def test_asked_not_to_freeze_it_trains():
    assert _run(build="M(10, freeze=False)") == []


def test_a_head_added_by_the_constructor_after_the_freeze_trains():
    assert _run(head="self.head = nn.Linear(4, 1)") == []


def test_a_part_unfrozen_by_the_caller_trains():
    assert _run(caller="model.emb.weight.requires_grad = True") == []
    assert _run(caller="model.emb.requires_grad_(True)") == []


TRAINER = MODEL.split("def fit(")[0] + """class Trainer:
    def __init__(self, model):
        self.model = model
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def fit(self, data):
        for x in data:
            self.optimizer.zero_grad()
            loss = self.model(x)
            loss.backward()
            self.optimizer.step()


Trainer(M(10)).fit([torch.tensor([1, 2])])
"""


def test_a_trainer_class_given_the_frozen_model():
    assert findings(TRAINER.replace("HEAD", "pass")) == [(11, "GRD407")]
