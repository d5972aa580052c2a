"""A local module stored into a field (``self.add_module("d", d)``, ``self.d = d``) is another name
of that field also when a module wrapper may rebind it first (``if n_gpu > 1: d =
nn.DataParallel(d)``): an optimizer built over ``d.parameters()`` trains ``self.d``, so its step()
before a backward through ``self.d``'s graph breaks that backward ("one of the variables needed
for gradient computation has been modified by an inplace operation", checked with torch 2.13).
"""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

MODEL = """\
import torch
import torch.nn as nn


class GanModel(nn.Module):
    def __init__(self, gpus=()):
        super().__init__()
        generator = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4))
        discriminator = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        if len(gpus) > 1:
            generator = nn.DataParallel(generator, gpus)
            discriminator = nn.DataParallel(discriminator, gpus)
        self.add_module("generator", generator)
        self.add_module("discriminator", discriminator)
        self.gen_optimizer = torch.optim.Adam(params=generator.parameters())
        self.dis_optimizer = torch.optim.Adam(params=discriminator.parameters())

    def process(self, real):
        self.gen_optimizer.zero_grad()
        self.dis_optimizer.zero_grad()
        fake = self.generator(torch.randn(real.size(0), 4))
        dis_loss = self.discriminator(real).mean() - self.discriminator(fake.detach()).mean()
        gen_loss = -self.discriminator(fake).mean()
        return gen_loss, dis_loss

    def backward(self, gen_loss, dis_loss):
        dis_loss.backward()
        self.dis_optimizer.step()
        gen_loss.backward()
        self.gen_optimizer.step()


model = GanModel()
for step in range(10):
    gen_loss, dis_loss = model.process(torch.randn(16, 4))
    model.backward(gen_loss, dis_loss)
"""


def lines(src):
    return [f.line for f in lint_text(src, "m.py", [BY_CODE["GRD205"]])]


def test_optimizer_over_a_maybe_wrapped_local_trains_the_field():
    assert lines(MODEL) == [29]


def test_backward_before_the_step_is_fine():
    src = MODEL.replace(
        "        dis_loss.backward()\n        self.dis_optimizer.step()\n        gen_loss.backward()\n",
        "        dis_loss.backward()\n        gen_loss.backward()\n        self.dis_optimizer.step()\n",
    )
    assert lines(src) == []


def test_a_local_rebound_otherwise_is_no_other_name():
    # `discriminator = make_other()` on one path: the optimizer's module is not known to be the field's
    src = MODEL.replace("discriminator = nn.DataParallel(discriminator, gpus)", "discriminator = nn.Linear(4, 1)")
    assert lines(src) == []
