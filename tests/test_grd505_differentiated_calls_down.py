"""GRD505 and an evaluation whose outputs a helper differentiates a few calls down.

FROMP (a continual-learning optimizer) estimates its Fisher matrix after each task:
``self.model.eval()``, then for each batch ``logits = self.model(data)`` and
``jac = self.cac_jacobian(logits, params)``, whose loop calls ``self.cac_grad(...)``, which takes
``torch.autograd.grad`` of each output. The forward runs with gradients on purpose: under
``no_grad`` the Jacobian could not be taken. The helpers the loop calls, and the ones they call
(functions of the file, methods of the helper's class on ``self``), are read for it; a chain that
never differentiates still reports.
"""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

_FISHER = """\
    import torch
    from torch import nn


    class Fromp:
        def __init__(self, model):
            self.model = model
            self.fisher = 0.0

        def cac_grad(self, loss, params, retain_graph=None):
            grads = torch.autograd.grad(loss, params, retain_graph=retain_graph)
            return torch.cat([g.reshape(-1) for g in grads])

        def cac_jacobian(self, output, params):
            rows = []
            for i in range(output.shape[1]):
                rows.append(self.cac_grad(output[:, i].sum(), params, retain_graph=True))
            return torch.stack(rows)

        def update_fisher(self, loader):
            self.model.eval()
            params = list(self.model.parameters())
            for data in loader:
                logits = self.model(data)  # EVAL
                jac = self.cac_jacobian(logits, params).detach()
                self.fisher += (jac ** 2).sum()


    Fromp(nn.Linear(4, 3)).update_fisher([torch.randn(2, 4) for _ in range(3)])
"""


def _marked(src):
    return src.replace("# EVAL", "# expect: GRD505")


POSITIVES = [
    case(
        "helpers-never-differentiate",
        _marked(_FISHER).replace(
            "grads = torch.autograd.grad(loss, params, retain_graph=retain_graph)",
            "grads = [loss.detach().expand(p.shape) for p in params]",
        ),
        lines=(24,),
    ),
]

NEGATIVES = [
    case("jacobian-two-calls-down", _FISHER),
    case(
        "jacobian-through-a-function-of-the-file",
        _FISHER.replace("self.cac_grad(output[:, i].sum(), params, retain_graph=True)", "row_grad(output[:, i].sum(), params)")
        .replace(
            "class Fromp:",
            "def row_grad(loss, params):\n"
            "        return torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss, params, retain_graph=True)])\n\n\n"
            "    class Fromp:",
        ),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
