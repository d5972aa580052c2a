"""GRD504 after a loop: the graphs its last iteration's backward() freed stay freed.

A name the loop body binds holds, after the loop, the last iteration's value (only a loop running
zero times would leave it the value from before). So a backward() after the loop through a graph
each iteration already backpropagated (a sum of the per-task losses kept in a list) goes through
freed graphs and raises "Trying to backward through the graph a second time" (checked with torch
2.13). A graph computed afresh after the loop, or kept with ``retain_graph=True``, is not freed.
"""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

SUM_OF_BACKPROPAGATED = """\
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
            task_loss.backward()
        total = torch.stack(per_task).mean()
        total.backward()
        outer_opt.step()
"""


def findings(src, code="GRD504"):
    return [(f.line, f.message) for f in lint_text(src, "m.py", [BY_CODE[code]])]


def test_backward_of_losses_each_backpropagated_in_the_loop():
    [(line, message)] = findings(SUM_OF_BACKPROPAGATED)
    assert line == 18
    assert "already freed" in message


def test_retained_graphs_may_be_backpropagated_again():
    src = SUM_OF_BACKPROPAGATED.replace("task_loss.backward()", "task_loss.backward(retain_graph=True)")
    assert findings(src) == []


def test_graph_computed_after_the_loop_is_fresh():
    src = """\
import torch
import torch.nn as nn

net = nn.Linear(6, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.01)


def fit(batches, xs_val, ys_val):
    for xs, ys in batches:
        opt.zero_grad()
        pred = net(xs)
        loss = (pred - ys).pow(2).mean()
        loss.backward()
        opt.step()
    pred = net(xs_val)
    loss = (pred - ys_val).pow(2).mean()
    loss.backward()
    return loss.item()
"""
    assert findings(src) == []


def test_kept_losses_not_backpropagated_inside_the_loop():
    # REINFORCE: the log-probabilities are kept for the one backward() after the episode
    src = """\
import torch
import torch.nn as nn

policy = nn.Linear(4, 2)
opt = torch.optim.Adam(policy.parameters())


def episode(states, rewards):
    picked = []
    for s in states:
        logits = policy(s)
        picked.append(torch.log_softmax(logits, -1)[0])
    loss = -(torch.stack(picked) * rewards).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""
    assert findings(src) == []


def test_detached_history_after_the_loop():
    src = """\
import torch
import torch.nn as nn

net = nn.Linear(6, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.01)


def fit(batches, anchor):
    kept = []
    for xs, ys in batches:
        opt.zero_grad()
        pred = net(xs)
        loss = (pred - ys).pow(2).mean()
        loss.backward()
        opt.step()
        kept.append(pred.detach())
    drift = (torch.cat(kept) - anchor).pow(2).mean()
    return drift.item()
"""
    assert findings(src) == []
