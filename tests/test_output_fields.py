"""Fields of a model output of unknown structure, proven differentiable by the file's own backward().

A model whose class is not visible (a Hugging Face model, a class from a missing file)
returns a tensor, a tuple, a dict or a ``ModelOutput``: its fields are unknown until a
``backward()`` through one of them proves that field requires grad.
"""

import textwrap

import pytest

from gradlint.analysis.output_fields import proven_callables, proven_fields
from gradlint.engine import lint_text
from gradlint.rules import ALL_RULES

import libcst as cst

TRAIN_WITH_FIELD = """\
    def train(model, loader, optimizer):
        model.train()
        for batch in loader:
            optimizer.zero_grad()
            outputs = model(**batch)
            loss = outputs.loss
            loss.backward()
            optimizer.step()
"""


def default_findings(src: str):
    rules = [rule for rule in ALL_RULES if rule.default_enabled()]
    return sorted((f.line, f.code) for f in lint_text(textwrap.dedent(src), "program.py", rules))


def evaluate(body: str, train: str = TRAIN_WITH_FIELD) -> str:
    return "import torch\n\n" + textwrap.dedent(train) + "\n\n" + textwrap.dedent(body)


def test_an_attribute_backpropagated_in_training_is_a_grad_tensor_in_evaluation():
    src = evaluate(
        """\
        def evaluate(model, loader):
            model.eval()
            total = 0
            for batch in loader:
                outputs = model(**batch)
                total += outputs.loss
            return total
        """
    )
    line = src.splitlines().index("        total += outputs.loss") + 1
    assert (line, "GRD502") in default_findings(src)


@pytest.mark.parametrize(
    "train, read",
    [
        ('loss = out["loss"]\n            loss.backward()', 'out["loss"]'),
        ('out["loss"].backward()', 'out["loss"]'),
        ("loss = out[0]\n            loss.backward()", "out[0]"),
        ("accelerator.backward(out.loss)", "out.loss"),
        ("scaler.scale(out.loss.mean()).backward()", "out.loss"),
        ("self.manual_backward(out.loss)", "out.loss"),
    ],
)
def test_each_form_of_proof(train, read):
    src = f"""\
        import torch

        def train(model, loader, accelerator, scaler, self):
            for batch in loader:
                out = model(batch)
                {train}

        def evaluate(model, loader):
            model.eval()
            history = []
            for batch in loader:
                out = model(batch)
                history.append({read})
            return history
        """
    src = textwrap.dedent(src)
    line = next(i for i, text in enumerate(src.splitlines(), 1) if "history.append" in text)
    assert (line, "GRD502") in default_findings(src)


@pytest.mark.parametrize(
    "body",
    [
        # a field the file never backpropagates
        """\
        def evaluate(model, loader):
            model.eval()
            total = 0
            for batch in loader:
                total += model(**batch).aux_loss
            return total
        """,
        # evaluated under no_grad
        """\
        def evaluate(model, loader):
            model.eval()
            total = 0
            with torch.no_grad():
                for batch in loader:
                    total += model(**batch).loss
            return total
        """,
        # accumulated as a number
        """\
        def evaluate(model, loader):
            model.eval()
            total = 0
            for batch in loader:
                total += model(**batch).loss.item()
            return total
        """,
        # detached
        """\
        def evaluate(model, loader):
            history = []
            for batch in loader:
                history.append(model(**batch).loss.detach())
            return history
        """,
    ],
)
def test_unproven_or_cut_fields_stay_silent(body):
    src = evaluate(body)
    assert [f for f in default_findings(src) if f[1] == "GRD502"] == []


def test_what_does_not_prove_a_field():
    src = textwrap.dedent(
        """\
        def step(self, model, batch):
            self.loss.backward()          # the object's own field, not an output's
            total = out["loss"] + out["aux"]
            total.backward()              # either operand may be the one with grad
            out.data.backward()           # a tensor attribute, not a field
        """
    )
    assert proven_fields(cst.parse_module(src), src) == frozenset()


def test_proofs_read_every_assignment_of_the_backpropagated_name():
    src = textwrap.dedent(
        """\
        def step(model, batch, mode):
            out = model(batch)
            if mode:
                loss = out.loss
            else:
                loss = out["ce"].mean()
            loss.backward()

        loss = model(x)[1]
        loss.backward()
        """
    )
    assert proven_fields(cst.parse_module(src), src) == frozenset({"loss", "ce", 1})


TRAIN_WITH_CRITERION = """\
    def train(model, loader, criterion, optimizer):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
"""


def test_a_callable_backpropagated_in_training_returns_a_grad_tensor_in_evaluation():
    src = evaluate(
        """\
        def validate(model, loader, criterion, metric):
            model.eval()
            val_loss, scores = 0, 0
            for x, y in loader:
                out = model(x)
                val_loss += criterion(out, y)
                scores += metric(out, y)
            return val_loss, scores
        """,
        train=TRAIN_WITH_CRITERION,
    )
    line = src.splitlines().index("        val_loss += criterion(out, y)") + 1
    assert [f for f in default_findings(src) if f[1] == "GRD502"] == [(line, "GRD502")]


def test_a_proven_callable_on_values_without_grad_claims_nothing():
    src = evaluate(
        """\
        def validate(model, loader, criterion):
            model.eval()
            val_loss = 0
            with torch.no_grad():
                for x, y in loader:
                    val_loss += criterion(model(x), y)
            return val_loss

        def baseline(loader, criterion):
            total = 0
            for x, y in loader:
                total += criterion(x, y)
            return total
        """,
        train=TRAIN_WITH_CRITERION,
    )
    assert [f for f in default_findings(src) if f[1] == "GRD502"] == []


def test_callables_a_backward_proves():
    src = textwrap.dedent(
        """\
        def step(self, model, x, y, criterion):
            loss = criterion(model(x), y)
            loss.backward()
            self.loss_fn(model(x), y).mean().backward()
            (criterion2(model(x), y) + 1).backward()   # an operand of a sum: no proof
        """
    )
    assert proven_callables(cst.parse_module(src), src) == frozenset({"criterion", "self.loss_fn"})


def test_a_backpropagated_sum_of_one_callables_results_proves_that_callable():
    src = textwrap.dedent(
        """\
        def train(netD, real, fake, crit, mse, opt):
            loss_real = crit(netD(real), True)
            loss_fake = crit(netD(fake.detach()), False)
            loss_d = (loss_real + loss_fake) * 0.5
            loss_d.backward()
            (0.5 * crit(netD(real), True) - crit(netD(fake), False) / 2).backward()
            loss_g = crit(netD(fake), True) + mse(fake, real)   # two callables: neither is proven
            loss_g.backward(retain_graph=True)
            twice = helper(real)
            twice = helper(fake)
            (twice + helper(real)).backward()   # a name assigned twice: no proof
        """
    )
    assert proven_callables(cst.parse_module(src), src) == frozenset({"crit"})


def test_a_gan_loss_from_an_unseen_file_carries_the_stale_generator_graph():
    # simple_CycleGAN: models and GANLoss come from model.py, which the linter is not given
    src = """\
        import itertools
        import torch
        from model import Generator, Discriminator, GANLoss

        netG, netD = Generator(), Discriminator()
        optimizer_g = torch.optim.Adam(netG.parameters())
        optimizer_d = torch.optim.Adam(netD.parameters())
        criterionGAN = GANLoss("lsgan")
        for real_x, real_y in loader:
            optimizer_g.zero_grad()
            fake_y = netG(real_x)
            loss_g = criterionGAN(netD(fake_y), True)
            loss_g.backward(retain_graph=True)
            optimizer_g.step()
            optimizer_d.zero_grad()
            loss_real = criterionGAN(netD(real_y), True)
            loss_fake = criterionGAN(netD(fake_y), False)
            loss_d = (loss_real + loss_fake) * 0.5
            loss_d.backward()
            optimizer_d.step()
        """
    assert default_findings(src) == [(19, "GRD205")]
    fixed = src.replace("netD(fake_y), False", "netD(fake_y.detach()), False")
    assert default_findings(fixed) == []
