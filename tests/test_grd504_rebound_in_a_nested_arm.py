"""GRD504 and a name recomputed in one arm of an ``if / elif / else`` inside a training loop.

A mutual-information critic (MINE) trained with one of three estimators recomputes, in the arm it
takes, every graph its loss goes through; the other arms compute other names. From the second
iteration on, ``et`` (or ``tbar``) still names the graph the previous backward() freed on the arms
that do not recompute it, but the loss of those arms does not go through it (checked, torch 2.13:
each estimator runs for many iterations). ``elif`` is an ``if`` nested in the ``else``: the name
rebound in one inner arm must stay rebound after the inner join, as it is after a two-arm ``if``.
A graph built once before the loop and backpropagated every iteration is still reported.
"""

from snippets import case_maker, rule_tests

CODE = "GRD504"
case = case_maker(CODE)

_MINE = """\
    import torch
    import torch.nn as nn

    critic = nn.Linear(6, 1)  # a linear critic of the joint features
    optimizer = torch.optim.Adam(critic.parameters(), lr=1e-3)


    def train_critic(batches, estimator, steps):
        for joint, marginal in batches:
            for _ in range(steps):
                if estimator == "nwj":
                    mi = torch.mean(critic(joint)) - torch.mean(torch.exp(critic(marginal))) + 1
                elif estimator == "dv":
                    tbar = critic(marginal)
                    mi = torch.mean(critic(joint)) - torch.log(torch.mean(torch.exp(tbar)))
                else:
                    et = torch.mean(torch.exp(critic(marginal)))
                    mi = torch.mean(critic(joint)) - torch.log(et) * et.detach()
                loss = -mi
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
"""

_BUILT_ONCE = """\
    import torch
    import torch.nn as nn

    critic = nn.Linear(6, 1)  # a linear critic of the joint features
    optimizer = torch.optim.Adam(critic.parameters(), lr=1e-3)


    def train_critic(joint, marginal, estimator, steps):
        et = torch.mean(torch.exp(critic(marginal)))
        for _ in range(steps):
            if estimator == "nwj":
                mi = torch.mean(critic(joint)) - torch.mean(torch.exp(critic(marginal))) + 1
            elif estimator == "dv":
                tbar = critic(marginal)
                mi = torch.mean(critic(joint)) - torch.log(torch.mean(torch.exp(tbar)))
            else:
                mi = torch.mean(critic(joint)) - torch.log(et) * et.detach()
            loss = -mi
            optimizer.zero_grad()
            loss.backward()  # expect: GRD504
            optimizer.step()
"""

POSITIVES = [case("graph-built-once-before-the-loop", _BUILT_ONCE, lines=(20,))]

NEGATIVES = [
    case("three-estimators-each-recomputed", _MINE),
    case(
        "else-if-written-out",
        _MINE.replace('                elif estimator == "dv":', '                else:\n                  if estimator == "dv":')
        .replace("                else:\n                    et =", "                  else:\n                    et ="),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
