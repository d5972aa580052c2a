"""GRD302 and a field the project differentiates only with ``torch.autograd.grad`` in another file
(realprec8, learn2learn's CAVIA policy): the policy keeps a context vector
``self.context = torch.zeros(n, requires_grad=True).to(device)``; the training script adapts it
functionally, ``grads = autograd.grad(loss, clone.context)`` then ``clone.context = clone.context -
lr * grads[0]``. ``.to`` makes a non-leaf, but ``autograd.grad`` differentiates it all the same and
nobody reads its ``.grad``: nothing is lost. A field whose ``.grad`` a constructing file reads, one an
optimizer is given, an ``nn.Parameter`` (its registration is what is lost), or a script that never
differentiates the field still fire."""

import pytest


POLICY = """\
import torch
import torch.nn as nn


class ContextPolicy(nn.Module):
    def __init__(self, n_in, n_out, n_context=2, device="cpu"):
        super().__init__()
        self.device = device
        self.context = {creation}.to(self.device)
        self.body = nn.Sequential(nn.Linear(n_in + n_context, 32), nn.Tanh(), nn.Linear(32, n_out)).to(device)

    def forward(self, state):
        context = self.context.expand(state.shape[:-1] + self.context.shape)
        return self.body(torch.cat((state, context), dim=-1))
"""

LEAF = "torch.zeros(n_context, requires_grad=True)"

TRAIN = """\
import copy

import torch
from torch import autograd

from policy import ContextPolicy


def adapt(clone, states, targets, lr):
    loss = ((clone(states) - targets) ** 2).mean()
    grads = autograd.grad({grad_args}, create_graph=True)
    clone.context = clone.context - lr * grads[0]
    return clone


def main():
    policy = ContextPolicy(4, 2, device="cuda" if torch.cuda.is_available() else "cpu")
    opt = torch.optim.Adam(policy.parameters(), lr=1e-3)
    for _ in range(10):
        clone = adapt(copy.deepcopy(policy), torch.randn(16, 4), torch.randn(16, 2), 0.5)
        loss = ((clone(torch.randn(16, 4)) - torch.randn(16, 2)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
{extra}

if __name__ == "__main__":
    main()
"""


def _lint(tmp_path, creation=LEAF, grad_args="loss, clone.context", extra=""):
    from gradlint.analysis.project import forget_projects
    from gradlint.engine import lint_bytes
    from gradlint.rules import BY_CODE

    policy = POLICY.format(creation=creation)
    (tmp_path / "policy.py").write_text(policy)
    (tmp_path / "train.py").write_text(TRAIN.format(grad_args=grad_args, extra=extra))
    forget_projects()
    found = lint_bytes(policy.encode(), str(tmp_path / "policy.py"), [BY_CODE["GRD302"]])
    return [(f.line, f.code) for f in found]


@pytest.mark.parametrize("grad_args", ["loss, clone.context", "loss, [clone.context]", "outputs=loss, inputs=(clone.context,)"])
def test_a_field_only_autograd_grad_differentiates(tmp_path, grad_args):
    assert _lint(tmp_path, grad_args=grad_args) == []


def test_a_field_whose_grad_is_read(tmp_path):
    assert _lint(tmp_path, extra="        print(policy.context.grad)\n") == [(9, "GRD302")]


def test_a_field_given_to_an_optimizer(tmp_path):
    extra = "        ctx_opt = torch.optim.SGD([policy.context], lr=0.1)\n"
    assert _lint(tmp_path, extra=extra) == [(9, "GRD302")]


def test_a_parameter_moved_after_its_creation(tmp_path):
    assert _lint(tmp_path, creation="nn.Parameter(torch.zeros(n_context))") == [(9, "GRD302")]


def test_a_script_differentiating_another_field(tmp_path):
    assert _lint(tmp_path, grad_args="loss, list(clone.body.parameters())") == [(9, "GRD302")]


def test_alone_it_fires(tmp_path):
    from gradlint.analysis.project import forget_projects
    from gradlint.engine import lint_bytes
    from gradlint.rules import BY_CODE

    policy = POLICY.format(creation=LEAF)
    (tmp_path / "policy.py").write_text(policy)
    forget_projects()
    found = lint_bytes(policy.encode(), str(tmp_path / "policy.py"), [BY_CODE["GRD302"]])
    assert [(f.line, f.code) for f in found] == [(9, "GRD302")]
