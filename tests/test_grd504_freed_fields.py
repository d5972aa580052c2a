"""GRD504 through the fields of an object across its methods (pix2pix / CycleGAN trainers):
``forward()`` stores ``self.fake_B``, ``backward_D()`` backpropagates through it without
``.detach()``, and ``backward_G()``'s backward then goes through the generator's graph the first
one freed (checked with torch 2.13: "Trying to backward through the graph a second time").
Detached, retained, recomputed, or run on alternate steps, nothing is freed twice."""

from snippets import case_maker, lint_path, rule_tests, write_project

case = case_maker("GRD504")

_CLASS = """
import torch
import torch.nn as nn


class Pix2Pix:
    def __init__(self, netG, netD):
        self.netG = netG
        self.netD = netD
        self.criterion = nn.BCEWithLogitsLoss()
        self.opt_G = torch.optim.Adam(netG.parameters())
        self.opt_D = torch.optim.Adam(netD.parameters())
        self.step_d = True

    def set_input(self, batch):
        self.real_A, self.real_B = batch

    def forward(self):
        self.fake_B = self.netG(self.real_A)

    def backward_D(self):
        pred_fake = self.netD(self.fake_B{detach})
        loss_fake = self.criterion(pred_fake, torch.zeros_like(pred_fake))
        pred_real = self.netD(self.real_B)
        loss_real = self.criterion(pred_real, torch.ones_like(pred_real))
        self.loss_D = (loss_fake + loss_real) * 0.5
        self.loss_D.backward({retain}){mark_d}

    def backward_G(self):
        pred_fake = self.netD(self.fake_B)
        self.loss_G = self.criterion(pred_fake, torch.ones_like(pred_fake))
        self.loss_G.backward(){mark_g}

    def optimize_parameters(self):
{steps}
"""

_MAIN = """

def train(model, loader, epochs):
    for epoch in range(epochs):
        for batch in loader:
            model.set_input(batch)
            model.optimize_parameters()


G = nn.Sequential(nn.Linear(4, 4), nn.Tanh())
D = nn.Sequential(nn.Linear(4, 1))
train(Pix2Pix(G, D), [(torch.randn(2, 4), torch.randn(2, 4))], 2)
"""

_D_THEN_G = """        self.forward()
        self.opt_D.zero_grad()
        self.backward_D()
        self.opt_D.step()
        self.opt_G.zero_grad()
        self.backward_G()
        self.opt_G.step()"""

_G_THEN_D = """        self.forward()
        self.opt_G.zero_grad()
        self.backward_G()
        self.opt_G.step()
        self.opt_D.zero_grad()
        self.backward_D()
        self.opt_D.step()"""


def _program(steps, detach="", retain="", mark_d="", mark_g=""):
    return _CLASS.format(steps=steps, detach=detach, retain=retain, mark_d=mark_d, mark_g=mark_g) + _MAIN


POSITIVES = [
    case("discriminator_step_frees_the_generators_graph", _program(_D_THEN_G, mark_g="  # expect: GRD504"), lines=(32,)),
    case("generator_step_first_then_discriminator_without_detach", _program(_G_THEN_D, mark_d="  # expect: GRD504"), lines=(27,)),
    case(
        "the_training_function_calls_the_steps_itself",
        _CLASS.format(steps="        pass", detach="", retain="", mark_d="", mark_g="  # expect: GRD504")
        + """

def train(model, loader):
    for batch in loader:
        model.set_input(batch)
        model.forward()
        model.backward_D()
        model.opt_D.step()
        model.backward_G()
        model.opt_G.step()


G = nn.Sequential(nn.Linear(4, 4), nn.Tanh())
D = nn.Sequential(nn.Linear(4, 1))
train(Pix2Pix(G, D), [(torch.randn(2, 4), torch.randn(2, 4))])
""",
        lines=(32,),
    ),
    case(
        "the_discriminator_step_returns_its_loss",
        _program(_D_THEN_G, mark_g="  # expect: GRD504")
        .replace("        self.loss_D.backward()\n", "        self.loss_D.backward()\n        return self.loss_D.detach()\n")
        .replace("        self.backward_D()\n", "        if self.backward_D() is None:\n            return\n"),
        lines=(33,),
    ),
]

NEGATIVES = [
    case("fake_detached_for_the_discriminator", _program(_D_THEN_G, detach=".detach()")),
    case("discriminator_backward_retains_the_graph", _program(_D_THEN_G, retain="retain_graph=True")),
    # CycleGAN's order: the generator's step first, then the discriminator's on the detached fake
    case("generator_first_then_discriminator_on_the_detached_fake", _program(_G_THEN_D, detach=".detach()")),
    case(
        "generator_output_computed_again_before_its_step",
        _program(_D_THEN_G.replace("        self.opt_G.zero_grad()", "        self.forward()\n        self.opt_G.zero_grad()")),
    ),
    case(
        "discriminator_and_generator_on_alternate_calls",
        _program(
            """        self.forward()
        if self.step_d:
            self.opt_D.zero_grad()
            self.backward_D()
            self.opt_D.step()
        else:
            self.opt_G.zero_grad()
            self.backward_G()
            self.opt_G.step()
        self.step_d = not self.step_d"""
        ),
    ),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)


def test_reported_in_the_model_file_when_the_trainer_is_another_file(tmp_path):
    model = _CLASS.format(steps=_D_THEN_G, detach="", retain="", mark_d="", mark_g="")
    write_project(
        tmp_path,
        {
            "pix2pix.py": model,
            "train.py": """
            import torch
            import torch.nn as nn
            from pix2pix import Pix2Pix

            G = nn.Sequential(nn.Linear(4, 4), nn.Tanh())
            D = nn.Sequential(nn.Linear(4, 1))
            model = Pix2Pix(G, D)
            for batch in [(torch.randn(2, 4), torch.randn(2, 4))]:
                model.set_input(batch)
                model.optimize_parameters()
            """,
        },
    )
    assert lint_path(tmp_path / "pix2pix.py", select={"GRD504"}) == [(32, "GRD504")]


def test_the_message_names_the_field_and_the_detach_fix():
    from gradlint.engine import lint_text
    from gradlint.rules import ALL_RULES

    rules = [rule for rule in ALL_RULES if rule.code == "GRD504"]
    (finding,) = lint_text(_program(_D_THEN_G), "<snippet>", rules)
    assert finding.line == 32
    assert "`self.fake_B` holds a graph that a backward() run before `backward_G()` was called already freed" in finding.message
    assert "`self.fake_B.detach()`" in finding.message
