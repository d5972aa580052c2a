"""A tensor filled by index assignment (``targets = torch.zeros_like(rewards)``, then
``targets[t] = next_return`` in a loop) is part of the graph of every value written into it, with the
parameters that graph saved: a lambda-return helper filling its returns from a value model's outputs
gives an actor loss built on the value model, and a step of the value model's optimizer before that
loss's backward() makes it raise "one of the variables needed for gradient computation has been
modified by an inplace operation" under torch 2.13 (GRD205). A buffer filled with detached values, or
with numbers, holds no graph; a loss backpropagated before the step is fine."""

from snippets import case_maker, rule_tests

case = case_maker("GRD205")

HELPER = """\
import torch
import torch.nn as nn


def discounted_returns(rewards, values, gamma):
    returns = torch.zeros_like(rewards)
    running = values[-1]
    for t in reversed(range(rewards.shape[0])):
        running = rewards[t] + gamma * running
        returns[t] = running
    return returns


def update(critic, actor, critic_opt, actor_opt, states, rewards):
    values = critic(states).squeeze(1)
    returns = discounted_returns(rewards, values, 0.99)
    critic_loss = (critic(states.detach()).squeeze(1) - returns.detach()).pow(2).mean()
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()
    actor_loss = -returns.mean()
    actor_opt.zero_grad()
    actor_loss.backward()  # expect: GRD205
    actor_opt.step()


def main():
    critic, actor = nn.Linear(4, 1), nn.Linear(4, 4)
    critic_opt = torch.optim.Adam(critic.parameters())
    actor_opt = torch.optim.Adam(actor.parameters())
    states = torch.tanh(actor(torch.randn(8, 4)))
    update(critic, actor, critic_opt, actor_opt, states, torch.randn(8))


main()
"""

INLINE = """\
import torch
import torch.nn as nn

critic, actor = nn.Linear(4, 1), nn.Linear(4, 4)
critic_opt = torch.optim.Adam(critic.parameters())
actor_opt = torch.optim.Adam(actor.parameters())
for episode in range(3):
    states = torch.tanh(actor(torch.randn(8, 4)))
    values = critic(states)
    bootstrap = torch.zeros(8, 1)
    bootstrap[:4] = values[4:] * 0.9
    critic_loss = (critic(states.detach()) - 1.0).pow(2).mean()
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()
    actor_opt.zero_grad()
    (-bootstrap.mean()).backward()  # expect: GRD205
    actor_opt.step()
"""

POSITIVES = [case("helper_fills_returns_from_value_outputs", HELPER, (23,)), case("inline_slice_written_from_values", INLINE, (17,))]

NEGATIVES = [
    case("returns_filled_from_detached_values", HELPER.replace("values = critic(states).squeeze(1)", "values = critic(states).squeeze(1).detach()").replace("actor_loss = -returns.mean()", "actor_loss = -(returns * states.sum(1)).mean()").replace("  # expect: GRD205", "")),
    case(
        "actor_backward_before_critic_step",
        HELPER.replace(
            """    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()
    actor_loss = -returns.mean()
    actor_opt.zero_grad()
    actor_loss.backward()  # expect: GRD205
    actor_opt.step()
""",
            """    actor_loss = -returns.mean()
    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()
""",
        ),
    ),
    case("buffer_filled_with_numbers", INLINE.replace("bootstrap[:4] = values[4:] * 0.9", "bootstrap[:4] = 0.9").replace("(-bootstrap.mean()).backward()  # expect: GRD205", "(-(bootstrap * actor(states)).mean()).backward()")),
]

test_fires, test_silent = rule_tests("GRD205", POSITIVES, NEGATIVES)
