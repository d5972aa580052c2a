"""GRD502: a history a training loop keeps is no leak when it is started afresh in the loop, also
by a tuple assignment (``logps, values = [], []`` after each update), or when a backward() after
the loop goes through the graphs it keeps (a meta-loss: ``torch.stack(per_task).mean().backward()``).
The same history kept across the whole loop, and backpropagated by nothing, is reported."""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

ROLLOUT = """\
import torch
import torch.nn as nn

actor = nn.Linear(4, 2)
critic = nn.Linear(4, 1)
opt = torch.optim.Adam(actor.parameters())


def run(stream, batch_size):
    logps, values = [], []
    for s, a, r in stream:
        logps.append(torch.log_softmax(actor(s), -1)[a])
        values.append(critic(s))
        if len(values) < batch_size:
            continue
        advantage = r - torch.cat(values).detach()
        loss = -(advantage * torch.stack(logps)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        logps, values = [], []
"""

META = """\
import torch
import torch.nn as nn

net = nn.Sequential(nn.Linear(6, 3), nn.Tanh(), nn.Linear(3, 1))
outer_opt = torch.optim.SGD(net.parameters(), lr=0.01)


def adapt(tasks, rounds):
    for r in range(rounds):
        outer_opt.zero_grad()
        per_task = []
        for xs, ys in tasks:
            pred = net(xs)
            task_loss = (pred - ys).pow(2).mean()
            per_task.append(task_loss)
            task_loss.backward(retain_graph=True)
        total = torch.stack(per_task).mean()
        total.backward()
        outer_opt.step()
"""


def lines(src):
    return [f.line for f in lint_text(src, "m.py", [BY_CODE["GRD502"]])]


def test_history_reset_by_a_tuple_assignment_in_the_loop():
    assert lines(ROLLOUT) == []


def test_history_reset_only_before_the_loop_is_reported():
    src = ROLLOUT.replace("        logps, values = [], []\n", "        pass\n")
    assert lines(src) == [12, 13]


def test_tuple_assignment_that_grows_the_history_is_no_reset():
    src = ROLLOUT.replace("        logps, values = [], []\n", "        logps, values = logps + [], values\n")
    assert lines(src) == [12, 13]


def test_history_backpropagated_after_the_loop():
    assert lines(META) == []


def test_history_of_a_loop_nothing_backpropagates_afterwards():
    src = META.replace("        total = torch.stack(per_task).mean()\n        total.backward()\n", "")
    assert lines(src) == [15]


def test_unrelated_backward_after_the_loop_does_not_excuse_it():
    src = META.replace(
        "        total = torch.stack(per_task).mean()\n",
        "        total = net(tasks[0][0]).sum()\n",
    )
    assert lines(src) == [15]


EPOCHS = """\
import torch
import torch.nn as nn

net = nn.Linear(6, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.01)
batches = [(torch.randn(4, 6), torch.randn(4, 1)) for _ in range(3)]

for epoch in range(5):
    running_loss = 0.0
    for x, y in batches:
        opt.zero_grad()
        loss = (net(x) - y).pow(2).mean()
        loss.backward()
        opt.step()
        running_loss += loss
    print(running_loss.item())

for step in range(10):  # fine-tuning, later: a new `loss`, backpropagated under the same name
    opt.zero_grad()
    loss = net(batches[0][0]).pow(2).mean()
    loss.backward()
    opt.step()
"""


def test_a_later_backward_of_the_same_name_does_not_excuse_it():
    # a later loop's `loss.backward()` goes through a new graph under the same name
    assert lines(EPOCHS) == [15]
