"""A branch test on a parameter bound to a literal number decides which arm runs in that call.

``def policy_action(net, z, std=0.0)``: the training step calls ``policy_action(net, z)`` and never
takes ``if std > 0: action += noise * std``, the in-place write on tanh's saved output; only the
exploration calls, under no_grad, pass a noise level (the shape of a GRD202 false alarm on lerobot's
TD-MPC policy). A call that passes a positive level with gradients on still takes the arm, and
backward() raises (each positive program raises under torch 2.13).
"""

import pytest

from snippets import findings

PROGRAM = """\
import torch
import torch.nn as nn


def policy_action(net, z, std=0.0):
    action = torch.tanh(net(z))
    if TEST:
        action += torch.randn_like(action) * std
    return action


def train_step(net, critic, opt, z):
    a = policy_action(net, z, TRAINING_STD)
    loss = -critic(torch.cat([z, a], -1)).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()


@torch.no_grad()
def explore(net, z, level):
    return policy_action(net, z, level)


net, critic = nn.Linear(4, 2), nn.Linear(6, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
train_step(net, critic, opt, torch.randn(3, 4))
print(explore(net, torch.randn(3, 4), 0.1))
"""


def _program(test: str, training_std: str = "") -> str:
    call_std = f", {training_std}" if training_std else ""
    return PROGRAM.replace("if TEST:", f"if {test}:").replace(", TRAINING_STD", call_std)


@pytest.mark.parametrize("test", ["std > 0", "0 < std", "std != 0", "std >= 0.01", "not std == 0"])
def test_an_arm_the_literal_default_never_takes_is_not_walked(test):
    assert findings(_program(test), "GRD202") == []


@pytest.mark.parametrize("training_std", ["0.5", "std=0.5", "1"])
def test_a_call_that_passes_a_level_with_gradients_on_takes_the_arm(training_std):
    assert [line for line, _ in findings(_program("std > 0", training_std), "GRD202")] == [8]


def test_an_arm_the_default_takes_is_walked():
    assert [line for line, _ in findings(_program("std == 0"), "GRD202")] == [8]


def test_a_parameter_rebound_in_the_function_is_not_decided_by_its_default():
    program = _program("std > 0").replace("    action = torch.tanh", "    std = std * 2 + 1\n    action = torch.tanh")
    assert [line for line, _ in findings(program, "GRD202")] == [9]
