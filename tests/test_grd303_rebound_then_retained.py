"""GRD303 and a leaf rebound to a graph result that keeps its gradient: a virtual adversarial
loss estimates its perturbation by power iteration, ``noise.requires_grad = True``, then
``noise = xi * normalize(noise)`` and at once ``noise.retain_grad()``; backward fills the
non-leaf's ``.grad`` and the loop reads it (``noise = noise.grad.detach()``). No update sees None.
The same loop without ``retain_grad()``, or with it called on another name, still reports.
"""

from snippets import case_maker, rule_tests

CODE = "GRD303"
case = case_maker(CODE)

VAT = """\
import torch
import torch.nn.functional as F


def normalize(d):
    return d / (d.flatten(1).norm(dim=1).view(-1, 1) + 1e-8)


def perturbation(model, x, logits, xi=1e-6, eps=2.0, steps=1):
    noise = torch.randn_like(x)
    target = F.softmax(logits.detach(), dim=1)
    for _ in range(steps):
        noise.requires_grad = True
        noise = xi * normalize(noise)  # MARK
        RETAIN
        dist = F.kl_div(F.log_softmax(model(x + noise), dim=1), target, reduction="batchmean")
        dist.backward()
        noise = noise.grad.detach()
        model.zero_grad()
    return eps * normalize(noise)
"""


def _vat(retain="noise.retain_grad()", marked=False):
    text = VAT.replace("RETAIN", retain)
    return text.replace("  # MARK", "  # expect: GRD303" if marked else "")


POSITIVES = [
    case("not-retained", _vat(retain="pass", marked=True), [14]),
    case("other-name-retained", _vat(retain="target.retain_grad()", marked=True), [14]),
]

NEGATIVES = [
    case("retained-right-after", _vat()),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
