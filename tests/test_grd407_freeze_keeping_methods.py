"""A model frozen whole, then its loss computed by a method of its class (``model.calculate_loss(batch)``,
RecBole's models): a method that sets no ``requires_grad``, stores nothing under ``self`` and calls
only its layers keeps the freeze, so the step updates nothing (GRD407). A method that may unfreeze
(``self.emb.requires_grad_(True)``), add a layer, or hand ``self`` away forgets it."""

from snippets import findings

MODEL = """\
import torch
import torch.nn as nn


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.proj = nn.Linear(4, 1)

    def calculate_loss(self, x):
        BODY
        return self.proj(self.emb(x)).sum()


m = M()
for p in m.parameters():
    p.requires_grad = False
opt = torch.optim.Adam(m.parameters())
loss = m.calculate_loss(torch.tensor([1, 2]))
loss.backward()
opt.step()
"""


def test_a_loss_method_of_the_class_keeps_the_freeze():
    assert findings(MODEL.replace("BODY", "self.eval()")) == [(18, "GRD407")]


def test_a_method_that_unfreezes_forgets_it():
    assert findings(MODEL.replace("BODY", "self.emb.requires_grad_(True)")) == []


def test_a_method_that_adds_a_layer_forgets_it():
    assert findings(MODEL.replace("BODY", "self.extra = nn.Linear(4, 4)")) == []


def test_a_method_that_hands_self_away_forgets_it():
    assert findings(MODEL.replace("BODY", "print(self)")) == []
