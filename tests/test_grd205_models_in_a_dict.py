"""A trainer that keeps its networks in a dict (``self.models = {"encoder": ..., "decoder": ...,
"discriminator": ...}``, monolayout) or an ``nn.ModuleDict``: ``self.models["decoder"](h)`` and
``self.models["decoder"].parameters()`` name the same module (``self.models.decoder``), so the
step of an optimizer over the encoder and decoder, taken before the adversarial loss built through
the decoder's output is backpropagated, is known to have changed weights that graph saved
(raises "modified by an inplace operation" under torch 2.13). Backpropagated before the step, or
with the decoder output detached for the discriminator, it is silent."""

from snippets import findings

TRAINER = """\
import torch
import torch.nn as nn


class Trainer:
    def __init__(self):
        self.models = CONTAINER
        self.parameters_to_train = list(self.models["encoder"].parameters()) + list(self.models["decoder"].parameters())
        self.model_optimizer = torch.optim.Adam(self.parameters_to_train, lr=1e-4)
        self.discr_optimizer = torch.optim.Adam(self.models["discriminator"].parameters(), lr=1e-5)

    def process_batch(self, image):
        outputs = {}
        outputs["topview"] = self.models["decoder"](self.models["encoder"](image))
        return outputs

    def train_step(self, image, layout):
        outputs = self.process_batch(image)
        loss = (outputs["topview"] - layout).pow(2).mean()
        fake_pred = self.models["discriminator"](outputs["topview"]FEED)
        loss_gan = nn.functional.softplus(-fake_pred).mean()
        ORDER


trainer = Trainer()
for _ in range(3):
    trainer.train_step(torch.randn(4, 16), torch.randn(4, 8))
"""

MEMBERS = '"encoder": nn.Linear(16, 32), "decoder": nn.Linear(32, 8), "discriminator": nn.Linear(8, 1)'

STEP_FIRST = """self.model_optimizer.zero_grad()
        loss.backward(retain_graph=True)
        self.model_optimizer.step()
        self.discr_optimizer.zero_grad()
        loss_gan.backward()
        self.discr_optimizer.step()"""

BACKWARD_FIRST = """self.model_optimizer.zero_grad()
        self.discr_optimizer.zero_grad()
        loss.backward(retain_graph=True)
        loss_gan.backward()
        self.model_optimizer.step()
        self.discr_optimizer.step()"""


def program(container, order, feed=""):
    return TRAINER.replace("CONTAINER", container).replace("ORDER", order).replace("FEED", feed)


def test_a_step_over_dict_members_before_the_backward_through_them():
    assert findings(program("{" + MEMBERS + "}", STEP_FIRST), "GRD205") == [(26, "GRD205")]
    assert findings(program("nn.ModuleDict({" + MEMBERS + "})", STEP_FIRST), "GRD205") == [(26, "GRD205")]


def test_backward_before_the_step_or_a_detached_feed_is_silent():
    assert findings(program("{" + MEMBERS + "}", BACKWARD_FIRST), "GRD205") == []
    assert findings(program("{" + MEMBERS + "}", STEP_FIRST, ".detach()"), "GRD205") == []
