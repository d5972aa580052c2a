"""GRD205 for losses held in a dict: a helper returns ``{"loss_netD": ..., "loss_netG": ...}``, the
discriminator's optimizer steps after the first backward, then the generator's loss, which went
through the discriminator, is backpropagated: "modified by an inplace operation" (Vid-ODE #6,
checked with torch 2.13). The dict's other losses, and losses recomputed after the step, are fine.
"""

from snippets import case_maker, rule_tests

CODE = "GRD205"
case = case_maker(CODE)

NETS = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def compute_losses(netG, netD, inputs):
    pred = netG(inputs)
    loss_d = F.softplus(netD(pred.detach())).mean()
    loss_g = F.softplus(-netD(pred)).mean() + (pred - inputs).abs().mean()
    return {"loss_netD": loss_d, "loss_netG": loss_g}


"""

POSITIVES = [
    case(
        "generator-loss-of-the-dict-after-the-discriminator-step",
        NETS
        + """\
def train(netG, netD, loader):
    opt_g = torch.optim.Adam(netG.parameters())
    opt_d = torch.optim.Adam(netD.parameters())
    for inputs in loader:
        losses = compute_losses(netG, netD, inputs)
        opt_d.zero_grad()
        losses["loss_netD"].backward()
        opt_d.step()
        opt_g.zero_grad()
        losses["loss_netG"].backward()  # expect: GRD205
        opt_g.step()


G = nn.Linear(3, 3)
D = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
train(G, D, [torch.randn(2, 3)])
""",
        [22],
    ),
]


NEGATIVES = [
    case(
        "generator-first-then-discriminator",
        NETS
        + """\
def train(netG, netD, loader):
    opt_g = torch.optim.Adam(netG.parameters())
    opt_d = torch.optim.Adam(netD.parameters())
    for inputs in loader:
        losses = compute_losses(netG, netD, inputs)
        opt_g.zero_grad()
        losses["loss_netG"].backward()
        opt_g.step()
        opt_d.zero_grad()
        losses["loss_netD"].backward()
        opt_d.step()


G = nn.Linear(3, 3)
D = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
train(G, D, [torch.randn(2, 3)])
""",
    ),
    case(
        "losses-recomputed-after-the-step",
        NETS
        + """\
def train(netG, netD, loader):
    opt_g = torch.optim.Adam(netG.parameters())
    opt_d = torch.optim.Adam(netD.parameters())
    for inputs in loader:
        losses = compute_losses(netG, netD, inputs)
        opt_d.zero_grad()
        losses["loss_netD"].backward()
        opt_d.step()
        losses = compute_losses(netG, netD, inputs)
        opt_g.zero_grad()
        losses["loss_netG"].backward()
        opt_g.step()


G = nn.Linear(3, 3)
D = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
train(G, D, [torch.randn(2, 3)])
""",
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
