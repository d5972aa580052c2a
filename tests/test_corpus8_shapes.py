"""Shapes from the corpus8 recall study (real training code nobody here wrote), as small programs.

- Integer and boolean results never require grad (only a floating point or complex tensor can):
  ``torch.multinomial(probs, 1)`` gives sampled indices, ``torch.isin``/``signbit``/``greater``
  give masks. A float sample from ``x.bernoulli()`` is tracked by autograd (zero gradient), so its
  ``.numpy()`` raises like any graph tensor's.
"""

import pytest

from snippets import findings

SAMPLER = """\
import torch
import torch.nn as nn


def sample(model, x):
    out = model(x)
    probs = torch.softmax(out, dim=1)
    picked = {expr}.cpu().numpy(){expect}
    return picked


sample(nn.Linear(3, 3), torch.randn(2, 3))
"""


@pytest.mark.parametrize(
    "expr",
    [
        "torch.multinomial(probs.view(-1), 1)[0]",
        "probs.multinomial(1)",
        "torch.isin(out, out)",
        "torch.signbit(out)",
        "out.signbit()",
        "torch.greater(out, 0.5)",
        "out.less_equal(0.5)",
        "out.logical_not()",
        "out.argwhere()",
    ],
)
def test_integer_and_boolean_results_never_require_grad(expr):
    assert findings(SAMPLER.format(expr=expr, expect=""), "GRD503") == []


@pytest.mark.parametrize("expr", ["probs.bernoulli()", "torch.softmax(out, 0)", "out.max(1)[0]"])
def test_float_results_of_a_graph_still_require_grad(expr):
    # x.bernoulli() has a grad_fn (BernoulliBackward0): its .numpy() raises
    src = SAMPLER.format(expr=expr, expect="  # expect: GRD503")
    assert findings(src, "GRD503") == [(8, "GRD503")]

