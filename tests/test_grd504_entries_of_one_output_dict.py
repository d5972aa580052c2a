"""GRD504 for two losses read from the entries of one model output dict (``out = model(x)``, then
``out["a"]`` and ``out["b"]``, both computed from the model's trunk) and backpropagated one after
the other (the multi-task question of discuss.pytorch.org #28162 without ``retain_graph``): the
first backward frees the trunk's graph the second needs. Heads over separate inputs share no
graph; ``retain_graph=True``, one backward of the sum, or a frozen trunk over data stay silent.
"""

from snippets import case_maker, rule_tests

CODE = "GRD504"
case = case_maker(CODE)


def script(forward, steps, init=""):
    return (
        """\
import torch
import torch.nn as nn


class Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Linear(8, 16)
        self.task_a = nn.Linear(16, 1)
        self.task_b = nn.Linear(16, 1)
"""
        + init
        + """
    def forward(self, x):
"""
        + forward
        + """

model = Shared()
x = torch.randn(4, 8)
out = model(x)
loss1 = out["a"].pow(2).mean()
loss2 = out["b"].pow(2).mean()
"""
        + steps
    )


SHARED = """\
        c = torch.tanh(self.trunk(x))
        return {"a": self.task_a(c), "b": self.task_b(c)}
"""
SEPARATE = """\
        return {"a": self.task_a(self.trunk(x)), "b": self.task_b(torch.randn(4, 16))}
"""

POSITIVES = [
    case("two-backwards-through-the-trunk", script(SHARED, "loss1.backward()\nloss2.backward()  # expect: GRD504\n"), [23]),
]

NEGATIVES = [
    case("retain-graph-first", script(SHARED, "loss1.backward(retain_graph=True)\nloss2.backward()\n")),
    case("one-backward-of-the-sum", script(SHARED, "(loss1 + loss2).backward()\n")),
    case("heads-over-separate-inputs", script(SEPARATE, "loss1.backward()\nloss2.backward()\n")),
    case(
        "frozen-trunk-over-data",
        script(SHARED, "loss1.backward()\nloss2.backward()\n", init="        self.trunk.requires_grad_(False)\n"),
    ),
]


test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
