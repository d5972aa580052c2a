"""GRD202 and ops whose backward keeps nothing of their tensor input: ``torch.cumsum`` (its
backward is a reversed cumulative sum of the gradient), and ``torch.sort`` / ``torch.topk`` /
``torch.kthvalue``, which keep only the indices they computed (checked with torch 2.13: the
grad_fn's only saved tensor is ``_saved_indices``). Nucleus sampling sorts the probabilities,
takes their cumulative sum, then zeroes the sorted values in place and divides them by the total:
nothing had saved them, so a backward through them runs. An op that does save its input (``torch.cumprod``,
``torch.logcumsumexp``) still reports.
"""

from snippets import case_maker, rule_tests

CODE = "GRD202"
case = case_maker(CODE)

SAMPLER = """\
import torch
from torch import nn


class Head(nn.Module):
    def __init__(self, dim, vocab):
        super().__init__()
        self.proj = nn.Linear(dim, vocab)

    def forward(self, h):
        return self.proj(h)


def top_p_weights(logits, p):
    probs = torch.softmax(logits, dim=-1)
    ranked, order = {ranking}
    running = {running}
    ranked[running - ranked > p] = 0.0  # MARK
    return ranked / running[..., -1:], order


head = Head(16, 50)
weights, order = top_p_weights(head(torch.randn(4, 16)), 0.9)
(weights * torch.randn_like(weights)).sum().backward()
"""


def _sampler(ranking="torch.sort(probs, dim=-1, descending=True)", running="torch.cumsum(ranked, dim=-1)", marked=False):
    src = SAMPLER.replace("{ranking}", ranking).replace("{running}", running)
    return src.replace("  # MARK", "  # expect: GRD202" if marked else "")


POSITIVES = [
    case("cumprod-saves-its-input", _sampler(running="torch.cumprod(ranked, dim=-1)", marked=True), [18]),
    case("logcumsumexp-saves-its-input", _sampler(running="torch.logcumsumexp(ranked, dim=-1)", marked=True), [18]),
]

NEGATIVES = [
    case("sorted-then-summed", _sampler()),
    case("topk-then-summed", _sampler(ranking="torch.topk(probs, 10, dim=-1)")),
    case("sorted-method-then-cumsum-method", _sampler(ranking="probs.sort(dim=-1, descending=True)", running="ranked.cumsum(-1)")),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
