"""GRD407 and a loss computed through a frozen model from what an opaque callable returned.

Optimising an input through a frozen network (a latent code fitted to a target, feature
inversion) freezes every parameter and backpropagates into the input. When the input comes from
a callable the walk cannot see into (a lambda sampler, a sampler handed in as an argument), it
may well require grad: ``lambda m, n: torch.rand(m, n).requires_grad_()`` does, and backward()
then runs (checked, torch 2.13: the input gets its gradient). Unknown stays unknown: silent.
The rule still reports the same loop fed by a known factory, or by data moved with ``.cuda()``.
"""

from snippets import case_maker, rule_tests

CODE = "GRD407"
case = case_maker(CODE)

_LAMBDA_SAMPLER = """\
    import torch
    import torch.nn as nn

    sample_latent = lambda batch, dim: torch.rand(batch, dim).requires_grad_()
    decoder = nn.Sequential(nn.Linear(16, 32), nn.Tanh(), nn.Linear(32, 8))
    for p in decoder.parameters():
        p.requires_grad_(False)  # FREEZE
    code = sample_latent(4, 16)
    opt = torch.optim.Adam([code], lr=0.05)
    code = code.to("cpu")
    target = torch.randn(4, 8)
    for it in range(50):
        opt.zero_grad()
        loss = ((decoder(code) - target) ** 2).mean()
        loss.backward()
        opt.step()
"""

_SAMPLER_HANDED_IN = """\
    import torch
    import torch.nn as nn


    def invert(target, sampler, steps=100):
        features = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 3))
        features.requires_grad_(False)  # FREEZE
        image = sampler(1, 3, 32, 32)
        for step in range(steps):
            distance = (features(image) - target).pow(2).sum()
            distance.backward()
            with torch.no_grad():
                image -= 0.01 * image.grad
                image.grad = None
        return image
"""


def _marked(src):
    return src.replace("# FREEZE", "# expect: GRD407")


POSITIVES = [
    case(
        "known-factory-without-grad",
        _marked(_LAMBDA_SAMPLER).replace("code = sample_latent(4, 16)", "code = torch.rand(4, 16)"),
        lines=(7,),
    ),
    case(
        "data-moved-by-a-method",
        _marked(_SAMPLER_HANDED_IN).replace("image = sampler(1, 3, 32, 32)", "image = target.cuda()"),
        lines=(7,),
    ),
]

NEGATIVES = [
    case("lambda-sampler", _LAMBDA_SAMPLER),
    case("sampler-handed-in", _SAMPLER_HANDED_IN),
    case(
        "opaque-value-backpropagated-inline",
        _LAMBDA_SAMPLER.replace(
            "loss = ((decoder(code) - target) ** 2).mean()\n        loss.backward()",
            "((decoder(code) - target) ** 2).mean().backward()",
        ),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
