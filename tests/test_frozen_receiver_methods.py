"""A method other than ``forward`` called on a model: what it returns went through the model's
submodules, in the caller's names (``model.emb``, not the method's ``self.emb``), and a model frozen
whole gives frozen submodules to the method's walk, as ``model.emb`` is frozen in the caller."""

from snippets import findings

MODEL = """
import torch
import torch.nn as nn


class Scorer(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        for p in self.parameters():
            p.requires_grad = False

    def score(self, users):
        return self.emb(users).sum()

"""


FIT = """
def fit(model, data):
    PLACE
    opt = torch.optim.Adam(model.parameters())
    for users in data:
        opt.zero_grad()
        loss = model.score(users)
        loss.backward()
        opt.step()


fit(Scorer(), [torch.randint(0, 10, (3,))])
"""

EVALUATE = """
def evaluate(model, data):
    total = 0
    for users in data:
        total += model.score(users)
    return total


print(evaluate(Scorer(), [torch.randint(0, 10, (3,))]))
"""

UNFROZEN = MODEL.replace("p.requires_grad = False", "pass")


def test_a_loss_from_a_method_of_a_model_its_constructor_froze_is_grd407_at_the_freeze():
    assert findings(MODEL + FIT.replace("PLACE", "pass"), "GRD407") == [(11, "GRD407")]


def test_a_layer_placed_on_the_frozen_model_afterwards_trains():
    assert findings(MODEL + FIT.replace("PLACE", "model.emb = nn.Embedding(10, 4)"), "GRD407") == []


def test_a_model_that_is_not_frozen_is_silent():
    assert findings(UNFROZEN + FIT.replace("PLACE", "pass")) == []


def test_scores_of_a_frozen_model_summed_over_a_loop_hold_no_graph():
    # torch 2.13: the sum's requires_grad is False, nothing is kept alive (was GRD502)
    assert findings(MODEL + EVALUATE) == []


def test_scores_of_a_trainable_model_summed_over_a_loop_are_grd502():
    assert findings(UNFROZEN + EVALUATE, "GRD502") == [(20, "GRD502")]

GAN = """
import torch
import torch.nn as nn


class GAN(nn.Module):
    def __init__(self):
        super().__init__()
        self.G = nn.Linear(4, 4)
        self.D = nn.Linear(4, 1)
        self.opt_g = torch.optim.Adam(self.G.parameters())
        self.opt_d = torch.optim.Adam(self.D.parameters())

    def losses(self, z, real):
        fake = self.G(z)
        d_loss = self.D(real).mean() - self.D(fake.detach()).mean()
        g_loss = self.D(fake).mean()
        return g_loss, d_loss

"""


def test_a_step_in_the_caller_over_a_submodule_a_methods_loss_went_through_is_grd205():
    source = GAN + """
def train(gan, data):
    for z, real in data:
        g_loss, d_loss = gan.losses(z, real)
        gan.opt_d.zero_grad()
        d_loss.backward(retain_graph=True)
        gan.opt_d.step()
        gan.opt_g.zero_grad()
        g_loss.backward()  # expect: GRD205
        gan.opt_g.step()


train(GAN(), [(torch.randn(2, 4), torch.randn(2, 4))])
"""
    assert findings(source, "GRD205") == [(28, "GRD205")]


def test_losses_handed_back_to_a_method_of_the_same_object_name_its_submodules_there():
    source = GAN + """
    def update(self, g_loss, d_loss):
        self.opt_d.zero_grad()
        d_loss.backward(retain_graph=True)
        self.opt_d.step()
        self.opt_g.zero_grad()
        g_loss.backward()  # expect: GRD205
        self.opt_g.step()


def train(gan, data):
    for z, real in data:
        g_loss, d_loss = gan.losses(z, real)
        gan.update(g_loss, d_loss)


train(GAN(), [(torch.randn(2, 4), torch.randn(2, 4))])
"""
    assert findings(source, "GRD205") == [(26, "GRD205")]


def test_the_generator_stepped_before_the_discriminators_backward_is_silent():
    # d_loss's graph went through G only under detach(): G's step breaks nothing (torch 2.13 runs it)
    source = GAN + """
def train(gan, data):
    for z, real in data:
        g_loss, d_loss = gan.losses(z, real)
        gan.opt_g.zero_grad()
        g_loss.backward()
        gan.opt_g.step()
        gan.opt_d.zero_grad()
        d_loss.backward()
        gan.opt_d.step()


train(GAN(), [(torch.randn(2, 4), torch.randn(2, 4))])
"""
    assert findings(source) == []


EMBEDDINGS = """
import torch
import torch.nn as nn


class PretrainedEmb(nn.Module):
    def __init__(self, item_emb, user_emb, freeze=True):
        super().__init__()
        self.item_embedding = nn.Embedding.from_pretrained(item_emb, freeze=False)
        self.user_embedding = nn.Embedding.from_pretrained(user_emb, freeze=False)
        if freeze:
            for p in self.parameters():
                p.requires_grad = False  # expect: GRD407

    def calculate_loss(self, users, items):
        return -(self.user_embedding(users) * self.item_embedding(items)).sum(-1).sigmoid().log().mean()


class Trainer:
    def __init__(self, model):
        self.model = model
        self.optimizer = torch.optim.Adam(model.parameters())

    def _train_epoch(self, data):
        total = 0.0
        for users, items in data:
            self.optimizer.zero_grad()
            loss = self.model.calculate_loss(users, items)
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return total

    def fit(self, data):
        for epoch in range(2):
            print(self._train_epoch(data))


if __name__ == "__main__":
    model = PretrainedEmb(torch.randn(50, 8), torch.randn(20, 8))
    Trainer(model).fit([(torch.randint(0, 20, (4,)), torch.randint(0, 50, (4,)))])
"""


def test_a_trainer_given_a_model_its_constructor_froze_is_grd407_at_the_freeze():
    # RecBole #2027: embeddings loaded with freeze=False, then every parameter frozen by the flag's default
    assert findings(EMBEDDINGS, "GRD407") == [(13, "GRD407")]
    assert findings(EMBEDDINGS.replace("freeze=True):", "freeze=False):"), "GRD407") == []


def test_embeddings_from_pretrained_are_frozen_unless_asked_not_to_be():
    # torch 2.13: nn.Embedding.from_pretrained(w)(x).requires_grad is False (freeze=True by default)
    source = """
import torch
import torch.nn as nn

emb = nn.Embedding.from_pretrained(torch.randn(10, 4)FREEZE)
total = 0
for x in [torch.tensor([1, 2])] * 3:
    total += emb(x).sum()
print(total)
"""
    assert findings(source.replace("FREEZE", ""), "GRD502") == []
    assert findings(source.replace("FREEZE", ", True"), "GRD502") == []
    assert findings(source.replace("FREEZE", ", freeze=False"), "GRD502") == [(8, "GRD502")]
