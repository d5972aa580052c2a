"""GRD505 and a model's method handed to a helper as a function (corpus37, an RL repository scoring
a trained policy): ``policy.eval()``, then ``run_episode(policy.act, env)`` whose loop calls
``choose_action(state)`` each step. The bound method runs ``act`` on that object, in eval mode,
with gradients on: every step's forward records a graph nothing backpropagates. Silent when the
helper's loop runs under no_grad, when the model was not switched to eval(), or when the loop
trains (a backward each step)."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_SCORE = """
import torch
import torch.nn as nn


class Policy(nn.Module):
    def __init__(self, n_actions):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, n_actions))

    def act(self, state):
        logits = self.body(torch.as_tensor(state, dtype=torch.float32)){mark}
        return torch.distributions.Categorical(logits=logits).sample().item()


def run_episode(choose_action, env, optimizer=None):
    state, done, total = env.reset(), False, 0.0
    while not done:
{step}        state, reward, done, _ = env.step(action)
        total += reward
    return total


def average_score(env, trials):
    policy = Policy(env.action_space.n)
    policy.load_state_dict(torch.load("policy.pth"))
{switch}    return sum(run_episode(policy.act, env) for _ in range(trials)) / trials
"""

_CALL = "        action = choose_action(state)\n"
_QUIET = "        with torch.no_grad():\n            action = choose_action(state)\n"
_TRAINING = _CALL + "        optimizer.zero_grad()\n        torch.tensor(float(action), requires_grad=True).backward()\n        optimizer.step()\n"


def _score(step=_CALL, switch="    policy.eval()\n", mark=""):
    return _SCORE.format(step=step, switch=switch, mark=mark)


POSITIVES = [
    case("handed_over_after_eval", _score(mark="  # expect: GRD505"), lines=(12,)),
]

NEGATIVES = [
    case("helper_loop_under_no_grad", _score(step=_QUIET)),
    case("not_switched", _score(switch="")),
    case("switched_back_to_train", _score(switch="    policy.eval()\n    policy.train()\n")),
    case("helper_loop_trains", _score(step=_TRAINING)),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
