"""GRD504 and a list of graphs one arm of an ``if`` makes anew: an EWC penalty built only from the
second task on (``if task > 0: penalties = []``, one term per parameter, ``total = loss + lam *
sum(penalties)``, ``else: total = loss``), then ``total.backward()`` each iteration. The path that
skips the arm keeps last iteration's list, whose graphs that iteration's backward() freed, but
``total`` reads the list only on the path that rebuilt it: the backward runs (checked with torch
2.13). A list reset on one arm only and read after the ``if`` still reports: on the other path
its old graphs are backpropagated again, which raises.
"""

from snippets import case_maker, rule_tests

CODE = "GRD504"
case = case_maker(CODE)

EWC = """\
import torch
import torch.nn.functional as F


def train_task(model, batches, task, means, fisher, lam=100.0):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        if task > 0:
            penalties = []
            for name, p in model.named_parameters():
                penalties.append((fisher[name] * (p - means[name]) ** 2).sum())
            total = loss + lam * sum(penalties)
        else:
            total = loss
        total.backward()
        optimizer.step()
"""

REINFORCE = """\
import torch


def reinforce(policy, env, episodes):
    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-3)
    log_probs = []
    for episode in range(episodes):
        dist = torch.distributions.Categorical(logits=policy(env.reset()))
        log_probs.append(dist.log_prob(dist.sample()))
        if episode % 10 == 0:
            log_probs = []
            log_probs.append(dist.log_prob(dist.sample()))
        loss = -torch.stack(log_probs).sum()
        optimizer.zero_grad()
        loss.backward()  # expect: GRD504
        optimizer.step()
"""

POSITIVES = [
    case("list-reset-on-one-arm-read-after-the-if", REINFORCE, [15]),
]

NEGATIVES = [
    case("ewc-penalty-list-made-anew-in-its-arm", EWC),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
