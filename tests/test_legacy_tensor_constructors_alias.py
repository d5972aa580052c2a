"""A legacy tensor constructor given one tensor (``torch.FloatTensor(t)``, ``torch.Tensor(t)``,
``torch.DoubleTensor(t)``) returns an alias of ``t`` that keeps its graph (``AliasBackward0``, checked
with torch 2.13; a dtype other than the tensor's raises instead), unlike ``torch.tensor(t)``, which
copies without it. A loss computed from ``torch.FloatTensor(critic(states))`` backpropagates into
the critic: GRD103 claimed it was cut and that backward() raises.

Still reported: ``torch.tensor(model output)`` (GRD101 at the copy, GRD103 at the backward of a loss
made only from it), and the alias of a model output converted with ``.numpy()`` (GRD503), since it
requires grad.
"""

import textwrap

from snippets import findings

CRITIC = """\
import torch
import torch.nn as nn

critic = nn.Linear(4, 1)
optimizer = torch.optim.SGD(critic.parameters(), lr=0.1)
for step in range(3):
    states = torch.randn(8, 4)
"""


def test_float_tensor_of_an_output_keeps_its_graph():
    src = CRITIC + textwrap.indent(
        textwrap.dedent(
            """\
            values = torch.FloatTensor(critic(states))
            loss = (values ** 2).mean() + (torch.Tensor(critic(states)) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            """
        ),
        "    ",
    )
    assert findings(src, "GRD103", "GRD101") == []


def test_copy_with_torch_tensor_is_still_cut():
    src = CRITIC + textwrap.indent(
        textwrap.dedent(
            """\
            values = torch.tensor(critic(states))
            loss = (values ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            """
        ),
        "    ",
    )
    assert findings(src, "GRD103", "GRD101") == [(8, "GRD101"), (11, "GRD103")]


def test_alias_still_requires_grad_for_numpy():
    src = CRITIC + "    print(torch.DoubleTensor(critic(states).double()).numpy())\n"
    assert findings(src, "GRD503") == [(8, "GRD503")]
