"""GRD501 and an optimizer over two models that the loop's other optimizers clear.

infoGAN's third optimizer steps the generator and the discriminator together
(``Adam(itertools.chain(G.parameters(), D.parameters()))``) for the information loss; it has no
``zero_grad()`` of its own, but ``opt_d.zero_grad()`` and ``opt_g.zero_grad()`` run in every
iteration and between them empty every gradient it steps with: nothing adds up from one
iteration to the next. When a model it covers is cleared by nobody (a third model ``Q``), that model's gradients do grow, and the rule still fires.
"""

from snippets import case_maker, rule_tests

CODE = "GRD501"
case = case_maker(CODE)

_INFO_GAN = """\
    import itertools

    import torch
    from torch import nn

    G = nn.Linear(4, 4)
    D = nn.Linear(4, 1)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3)
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3)
    opt_info = torch.optim.Adam(itertools.chain(G.parameters(), D.parameters()), lr=1e-3)

    for step in range(10):
        x = torch.randn(8, 4)
        opt_d.zero_grad()
        d_loss = D(x).mean() - D(G(torch.randn(8, 4)).detach()).mean()
        d_loss.backward()
        opt_d.step()

        opt_g.zero_grad()
        g_loss = -D(G(torch.randn(8, 4))).mean()
        g_loss.backward()
        opt_g.step()

        info_loss = D(G(torch.randn(8, 4))).pow(2).mean()
        info_loss.backward()
        opt_info.step()  # STEP
"""


def _marked(src):
    return src.replace("# STEP", "# expect: GRD501")


POSITIVES = [
    case(
        "a-third-model-no-clear-reaches",
        _marked(_INFO_GAN)
        .replace("D = nn.Linear(4, 1)", "D = nn.Linear(4, 1)\n    Q = nn.Linear(4, 2)")
        .replace("itertools.chain(G.parameters(), D.parameters())", "itertools.chain(G.parameters(), Q.parameters())")
        .replace("D(G(torch.randn(8, 4))).pow(2).mean()", "Q(G(torch.randn(8, 4))).pow(2).mean()"),
        lines=(27,),
    ),
]

NEGATIVES = [
    case("both-models-cleared-by-their-own-optimizers", _INFO_GAN),
    case(
        "parameters-summed-as-lists",
        _INFO_GAN.replace(
            "itertools.chain(G.parameters(), D.parameters())", "list(G.parameters()) + list(D.parameters())"
        ),
    ),
    case("cleared-through-the-models", _INFO_GAN.replace("opt_d.zero_grad()", "D.zero_grad()").replace("opt_g.zero_grad()", "G.zero_grad()")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
