"""A flag field a method sets to a literal before calling another method that tests it: a DQN
agent's ``train()`` sets ``self.is_test = False`` and its loop calls ``self.select_action(state)``,
which switches the network to ``eval()`` only ``if self.is_test:`` (the agent's test run). Walked
for that call, only the arm the literal chooses runs (``flag_fields``), so the switch is not one of
the training loop (GRD510). A flag that the loop turns on (itself, or through a method it calls)
and never off still switches the model inside the training loop."""

from snippets import case_maker, rule_tests

CODE = "GRD510"
case = case_maker(CODE)

_AGENT = """\
    import torch
    from torch import nn


    class Agent:
        def __init__(self):
            self.dqn = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.1), nn.Linear(16, 2))
            self.optimizer = torch.optim.Adam(self.dqn.parameters())
            self.is_test = False

        def select_action(self, state):
            if self.is_test:
                self.dqn.eval()  # SWITCH
            return self.dqn(state).argmax().item()

        def update_model(self, state):
            loss = self.dqn(state).pow(2).mean()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            return loss.item()

        def train(self, frames):
            self.is_test = False
            for frame in range(frames):
                state = torch.randn(4)
                action = self.select_action(state)
                self.update_model(state)

        def test(self):
            self.is_test = True
            with torch.no_grad():
                return self.select_action(torch.randn(4))


    agent = Agent()
    agent.train(10)
    agent.test()
"""


def _marked(src: str) -> str:
    return src.replace("# SWITCH", "# expect: GRD510")


POSITIVES = [
    case(
        "a-flag-the-training-loop-turns-on-and-never-off",
        _marked(_AGENT).replace(
            """                state = torch.randn(4)
                action""",
            """                state = torch.randn(4)
                if frame % 100 == 0:
                    self.is_test = True
                action""",
        ),
        lines=(13,),
    ),
    case(
        "a-flag-turned-on-by-a-method-the-training-loop-calls",
        _marked(_AGENT).replace(
            """                self.update_model(state)""",
            """                self.update_model(state)
                if frame % 100 == 0:
                    self.evaluate()""",
        ).replace(
            "        def test(self):",
            """        def evaluate(self):
            self.is_test = True
            return self.select_action(torch.randn(4))

        def test(self):""",
        ),
        lines=(13,),
    ),
]

NEGATIVES = [
    case("a-flag-set-off-by-the-training-method-before-its-loop", _AGENT),
    case(
        "a-negated-flag-set-on-by-the-training-method",
        _AGENT.replace("self.is_test = False", "self.learning = True")
        .replace("self.is_test = True", "self.learning = False")
        .replace("if self.is_test:", "if not self.learning:"),
    ),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
