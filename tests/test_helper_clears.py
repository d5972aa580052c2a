"""GRD508 when a helper clears the gradients: ``def reset(opt): opt.zero_grad()`` called between
``loss.backward()`` and ``optimizer.step()`` leaves the step nothing to apply. Reported at the call
of the helper (the helper's own clear is right where it is used elsewhere); established only when
the helper clears on every way through it, runs no backward, and returns only at its end.

Our own snippets, shaped like training scripts with small optimizer helpers; the negatives are the
correct look-alikes.
"""

from snippets import _marked, case_maker, rule_tests

_case = case_maker("GRD508")


def case(case_id, src):
    return _case(case_id, src, _marked(src, "GRD508"))


HEAD = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

"""

POSITIVES = [
    case(
        "reset-helper-between-backward-and-step",
        HEAD
        + """
def reset(opt):
    opt.zero_grad()


def main(loader):
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        reset(optimizer)  # expect: GRD508
        optimizer.step()
""",
    ),
    case(
        "model-zero-grad-helper",
        HEAD
        + """
def clear_gradients(net):
    net.zero_grad(set_to_none=True)


def main(loader):
    model = nn.Linear(4, 2)
    optimizer = torch.optim.Adam(model.parameters())
    for x, y in loader:
        F.cross_entropy(model(x), y).backward()
        clear_gradients(model)  # expect: GRD508
        optimizer.step()
""",
    ),
    case(
        "trainer-method-helper",
        HEAD
        + """
class Trainer:
    def __init__(self):
        self.model = nn.Linear(4, 2)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)

    def reset_grad(self):
        self.optimizer.zero_grad()

    def train_step(self, x, y):
        loss = F.cross_entropy(self.model(x), y)
        loss.backward()
        self.reset_grad()  # expect: GRD508
        self.optimizer.step()
        return loss.item()
""",
    ),
]

NEGATIVES = [
    case(
        "helper-clears-before-backward",
        HEAD
        + """
def reset(opt):
    opt.zero_grad()


def main(loader):
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        reset(optimizer)
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
""",
    ),
    case(
        "helper-clears-and-backpropagates",
        HEAD
        + """
def backward_step(model, opt, x, y):
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    return loss


def main(loader):
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        F.mse_loss(model(x), torch.zeros(len(x), 2)).backward()
        backward_step(model, optimizer, x, y)
        optimizer.step()
""",
    ),
    case(
        "helper-clears-on-some-calls-only",
        HEAD
        + """
def maybe_reset(opt, step, every):
    if step % every == 0:
        opt.zero_grad()


def main(loader):
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for i, (x, y) in enumerate(loader):
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
        maybe_reset(optimizer, i, 4)
""",
    ),
    case(
        "helper-returns-early",
        HEAD
        + """
def reset(opt, keep):
    if keep:
        return
    opt.zero_grad()


def main(loader):
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        F.cross_entropy(model(x), y).backward()
        reset(optimizer, True)
        optimizer.step()
""",
    ),
    case(
        "helper-clears-the-other-optimizer",
        HEAD
        + """
def reset(opt):
    opt.zero_grad()


def main(loader, netG, netD):
    opt_g = torch.optim.Adam(netG.parameters())
    opt_d = torch.optim.Adam(netD.parameters())
    for z, real in loader:
        fake = netG(z)
        loss_d = F.softplus(netD(fake.detach())).mean() + F.softplus(-netD(real)).mean()
        loss_d.backward()
        reset(opt_g)
        opt_d.step()
        reset(opt_d)
        F.softplus(-netD(fake)).mean().backward()
        opt_g.step()
""",
    ),
    case(
        "helper-clears-after-the-step",
        HEAD
        + """
def reset(opt):
    opt.zero_grad()


def main(loader):
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
        reset(optimizer)
""",
    ),
    case(
        "helper-clears-in-a-loop-that-may-not-run",
        HEAD
        + """
def reset_all(optimizers):
    for opt in optimizers:
        opt.zero_grad()


def main(loader):
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        F.cross_entropy(model(x), y).backward()
        reset_all([])
        optimizer.step()
""",
    ),
]

test_fires, test_silent = rule_tests("GRD508", POSITIVES, NEGATIVES)
