"""GRD504 through a graph joined with others in a list or tuple written in the call.

A conditional GAN pairs its input with the generator's output, ``torch.cat((self.real, self.fake), 1)``,
before each discriminator call. Without ``.detach()``, the critic's backward() frees the generator's
graph held by ``self.fake`` as surely as ``self.disc(self.fake)`` would, and the generator's step then
raises "Trying to backward through the graph a second time" (checked with torch 2.13). A detached
fake, a retained graph or parameters joined together (leaves) free nothing that is used again.
"""

from snippets import case_maker, rule_tests

case = case_maker("GRD504")

_GAN = """
import torch
import torch.nn as nn


class PairGAN:
    def __init__(self):
        self.gen = nn.Sequential(nn.Linear(5, 5), nn.Tanh())
        self.disc = nn.Linear(10, 1)
        self.opt_gen = torch.optim.Adam(self.gen.parameters())
        self.opt_disc = torch.optim.Adam(self.disc.parameters())

    def run_generator(self, cond):
        self.cond = cond
        self.fake = self.gen(cond)

    def critic_step(self):
        pair = torch.{join}((self.cond, self.fake{detach}), 1)
        critic_loss = self.disc(pair).mean()
        self.opt_disc.zero_grad()
        critic_loss.backward({retain})
        self.opt_disc.step()

    def generator_step(self):
        score = self.disc(torch.cat([self.cond, self.fake], 1))
        gen_loss = -score.mean()
        self.opt_gen.zero_grad()
        gen_loss.backward(){mark}
        self.opt_gen.step()


model = PairGAN()
for cond in [torch.randn(3, 5), torch.randn(3, 5)]:
    model.run_generator(cond)
    model.critic_step()
    model.generator_step()
"""

_LOCAL = """
import torch
import torch.nn as nn

encoder = nn.Linear(4, 4)
head = nn.Linear(8, 1)
x = torch.randn(2, 4)
code = encoder(x)
joined = torch.stack([code, {other}]).sum(0)
head(torch.cat([joined, x], 1)).sum().backward()
(code ** 2).mean().backward(){mark}
"""


def _gan(join="cat", detach="", retain="", mark=""):
    return _GAN.format(join=join, detach=detach, retain=retain, mark=mark)


POSITIVES = [
    case("critic_loss_on_the_undetached_pair", _gan(mark="  # expect: GRD504"), lines=(28,)),
    case("pair_stacked_instead", _gan(join="stack", mark="  # expect: GRD504").replace(
        "(self.cond, self.fake), 1)", "(self.cond, self.fake), 1).flatten(1)"), lines=(28,)),
    case("local_graph_joined_then_backpropagated_alone", _LOCAL.format(other="code * 2", mark="  # expect: GRD504"), lines=(11,)),
]

NEGATIVES = [
    case("fake_detached_in_the_pair", _gan(detach=".detach()")),
    case("critic_backward_retains_the_graph", _gan(retain="retain_graph=True")),
    case("joined_with_data_only_then_own_graph", _LOCAL.format(other="x", mark="").replace(
        "(code ** 2).mean().backward()", "(encoder(x) ** 2).mean().backward()")),
    case("parameters_joined", """
import torch
import torch.nn as nn

a = nn.Parameter(torch.randn(3))
b = nn.Parameter(torch.randn(3))
opt = torch.optim.SGD([a, b], lr=0.1)
for _ in range(2):
    opt.zero_grad()
    torch.stack([a, b]).pow(2).sum().backward()
    (a * b).sum().backward()
    opt.step()
"""),
]

test_fires, test_silent = rule_tests("GRD504", POSITIVES, NEGATIVES)
