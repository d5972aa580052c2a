"""A helper that takes one tensor or several (``listify``) returns its argument or wraps it.

``x if isinstance(x, (list, tuple)) else [x]`` on a tuple of a generator's outputs returns the
tuple: the elements keep their graph (through the generator), so a value network's loss computed
from them, backpropagated after the generator's step(), raises "one of the variables needed for
gradient computation has been modified by an inplace operation" (checked with torch 2.13). Joining
both arms lost the elements. On a tensor the helper wraps it; a test naming only ``list`` stays
undecided (the walk does not tell a list from a tuple).
"""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

SOLVER = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

gen = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 6))
critic = nn.Linear(6, 1)
g_opt = torch.optim.RMSprop(gen.parameters())
c_opt = torch.optim.RMSprop(critic.parameters())


def relax(outputs, tau=1.0):
    def as_list(x):
        return x if TEST else [x]

    return [F.softmax(o / tau, -1) for o in as_list(outputs)]


for step in range(100):
    logits = gen(torch.randn(8, 4))
    (probs,) = relax((logits,))
    g_loss = -critic(probs).mean()
    c_loss = critic(probs).pow(2).mean()
    g_opt.zero_grad()
    c_opt.zero_grad()
    g_loss.backward(retain_graph=True)
    g_opt.step()
    c_loss.backward()
    c_opt.step()
"""


def lines(src):
    return [f.line for f in lint_text(src, "m.py", [BY_CODE["GRD205"]])]


def test_isinstance_of_list_or_tuple_keeps_the_elements():
    assert lines(SOLVER.replace("TEST", "isinstance(x, (list, tuple))")) == [27]


def test_type_is_list_or_type_is_tuple_keeps_the_elements():
    assert lines(SOLVER.replace("TEST", "type(x) == list or type(x) == tuple")) == [27]


def test_negated_test_picks_the_other_arm():
    src = SOLVER.replace("return x if TEST else [x]", "return [x] if not isinstance(x, (list, tuple)) else x")
    assert lines(src) == [27]


def test_backward_before_the_step_is_fine():
    src = SOLVER.replace("TEST", "isinstance(x, (list, tuple))").replace(
        "    g_opt.step()\n    c_loss.backward()\n", "    c_loss.backward()\n    g_opt.step()\n"
    )
    assert lines(src) == []


def test_one_class_named_stays_undecided():
    # `(logits,)` is a tuple: `isinstance(x, list)` is false at run time, and the helper wraps it
    # (iterating the wrapped tuple yields no tensor); the walk cannot tell, so it concludes nothing
    assert lines(SOLVER.replace("TEST", "isinstance(x, list)")) == []
