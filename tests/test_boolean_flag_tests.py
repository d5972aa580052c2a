"""``if keep is not None and keep:`` on parameters the call bound to literals: the ``and``/``or`` of
tests whose truth the walk knows in that context has a known truth too, so only that branch runs.
A forward that retains the gradients of its activations only when asked
(``model(x, keep=True)``) leaves them without ``retain_grad()`` for a plain ``model(x)`` call, whose
``a.grad`` reads are None (GRD301); the call that asks stays silent."""

from snippets import findings

NET = """\
import torch
import torch.nn as nn


class DeepNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])

    def forward(self, x, keep=None):
        acts = []
        for layer in self.layers:
            x = torch.tanh(layer(x))
            if TEST:
                x.retain_grad()
            acts.append(x)
        return x.sum(), acts


def grad_norms(model, x, keep):
    out, acts = model(x, keep=keep)
    out.backward()
    return [a.grad for a in acts]


net = DeepNet()
print(grad_norms(net, torch.randn(2, 4), KEEP))
"""


def _run(test, keep):
    return findings(NET.replace("TEST", test).replace("KEEP", keep))


def test_and_of_a_false_none_test_is_false():
    assert (23, "GRD301") in _run("keep is not None and keep", "None")


def test_and_of_known_true_tests_is_true():
    assert _run("keep is not None and keep", "True") == []


def test_or_with_a_known_true_side_is_true():
    assert _run("keep or x is None", "True") == []


def test_an_unknown_side_keeps_the_test_unknown():
    # `x.requires_grad`: not a flag the call fixes; the retain may happen, so nothing is reported
    assert _run("keep is None and x.requires_grad", "None") == []
