"""``t.requires_grad_()`` on a tensor that already requires grad changes nothing: a non-leaf keeps
its graph. A WGAN-GP critic interpolates between real and generated samples and calls
``interp.requires_grad_(True)`` before ``torch.autograd.grad``; with the generated batch not
detached, the critic's backward() frees the generator's graph, and the generator's own backward()
then raises "Trying to backward through the graph a second time" (checked with torch 2.13). On a
detached batch the interpolation is data, ``requires_grad_()`` makes it a leaf: nothing is freed twice.
"""

from snippets import case_maker, rule_tests

case = case_maker("GRD504")

_GAN = """
import torch
import torch.nn as nn

gen = nn.Sequential(nn.Linear(4, 6), nn.Tanh())
critic = nn.Sequential(nn.Linear(6, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
opt_g = torch.optim.Adam(gen.parameters())
opt_c = torch.optim.Adam(critic.parameters())


def penalty(real, fake):
    alpha = torch.rand(real.size(0), 1)
{interp}
    out = critic(mixed)
    grads = torch.autograd.grad(out, mixed, torch.ones_like(out), create_graph=True)[0]
    return ((grads.norm(2, dim=1) - 1) ** 2).mean()


for real in [torch.randn(3, 6), torch.randn(3, 6)]:
    fake = gen(torch.randn(3, 4))
    critic_loss = critic(fake.detach()).mean() - critic(real).mean() + 10.0 * penalty(real, fake{detach})
    opt_c.zero_grad()
    critic_loss.backward()
    opt_c.step()
    gen_loss = -critic(fake).mean()
    opt_g.zero_grad()
    gen_loss.backward(){mark}
    opt_g.step()
"""

_STATEMENT = """    mixed = alpha * real + (1 - alpha) * fake
    mixed.requires_grad_(True)"""
_INLINE = """    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_()"""


def _gan(interp, detach="", mark=""):
    return _GAN.format(interp=interp, detach=detach, mark=mark)


POSITIVES = [
    case("penalty_on_the_undetached_fake", _gan(_STATEMENT, mark="  # expect: GRD504"), lines=(28,)),
    case("penalty_on_the_undetached_fake_inline", _gan(_INLINE, mark="  # expect: GRD504"), lines=(27,)),
]

NEGATIVES = [
    case("penalty_on_the_detached_fake", _gan(_STATEMENT, detach=".detach()")),
    case("penalty_on_the_detached_fake_inline", _gan(_INLINE, detach=".detach()")),
    case("adversarial_input_made_a_leaf_each_step", """
import torch
import torch.nn as nn

model = nn.Linear(4, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for x, y in [(torch.randn(3, 4), torch.tensor([0, 1, 0]))] * 2:
    x_adv = x.clone().detach().requires_grad_(True)
    nn.functional.cross_entropy(model(x_adv), y).backward()
    x_adv = (x_adv + 0.1 * x_adv.grad.sign()).detach()
    opt.zero_grad()
    nn.functional.cross_entropy(model(x_adv), y).backward()
    opt.step()
"""),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)
