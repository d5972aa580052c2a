"""GRD509 for a clip a helper of the file runs first, called while the caller's gradients are scaled
(a precision plugin's clip hook called right after ``scaler.scale(loss).backward()``, Lightning #9599;
returnn's ``update_params``): a callee's walk starts unscaled, so the clip was judged on no scaled
gradients. An ``unscale_()`` first in the helper, or a caller whose backward is not scaled, stays silent."""

from snippets import case_maker, rule_tests

CODE = "GRD509"
case = case_maker(CODE)

_HOOKS = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Loop:
    def __init__(self, model, optimizer, clip=0.5):
        self.model = model
        self.optimizer = optimizer
        self.scaler = torch.cuda.amp.GradScaler()
        self.clip = clip

    def clip_gradients(self):
{first}        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip){mark}

    def run(self, batches):
        for x, y in batches:
            self.optimizer.zero_grad()
            loss = F.cross_entropy(self.model(x), y)
            {backward}
            self.clip_gradients()
            self.scaler.step(self.optimizer)
            self.scaler.update()


net = nn.Linear(4, 3)
Loop(net, torch.optim.SGD(net.parameters(), lr=0.1)).run([(torch.randn(2, 4), torch.tensor([0, 2]))])
"""

_MARK = "  # expect: GRD509"
_SCALED = "self.scaler.scale(loss).backward()"

POSITIVES = [
    case("clip-first-in-called-helper", _HOOKS.format(first="", mark=_MARK, backward=_SCALED), [14]),
]

NEGATIVES = [
    case(
        "helper-unscales-first",
        _HOOKS.format(first="        self.scaler.unscale_(self.optimizer)\n", mark="", backward=_SCALED),
    ),
    case("caller-not-scaled", _HOOKS.format(first="", mark="", backward="loss.backward()")),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
