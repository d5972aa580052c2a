"""GRD510 on held-out code (corpus26, LHY homework TrainFunction.py): a training function that calls
its validation helper once before the loop (`loss_record = [valid(loader, model)]`) and again in
each step, and never model.train(). The training forward always sees the model in eval mode, which
the rule left alone as a model kept in eval mode on purpose (a frozen batch-norm, a teacher). A
model kept so on purpose is switched by a statement of its own (`model.eval()`); one switched only
by the validation helper the loop calls, run first before the loop or earlier in each iteration,
trains with dropout off by mistake."""

from snippets import case_maker, rule_tests

case = case_maker("GRD510")

_HELPER = """
import torch
import torch.nn as nn


def valid(loader, model):
    model.eval(){mark}
    total = 0.0
    with torch.no_grad():
        for x, y in loader:
            total += nn.functional.cross_entropy(model(x), y).item()
    return total
"""

_VALIDATED_FIRST = """

def train(loader, model, epochs):
    optimizer = torch.optim.Adam(model.parameters())
    {before}record = [valid(loader, model)]
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        record.append(valid(loader, model))
    return record


model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 2))
train([(torch.randn(2, 4), torch.tensor([0, 1]))], model, 3)
"""

_VALIDATED_EACH_STEP = """

def train(loader, model, steps):
    optimizer = torch.optim.Adam(model.parameters())
    record = []
    for step in range(steps):
        record.append(valid(loader, model))
        x, y = loader[step % len(loader)]
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    return record


model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 2))
train([(torch.randn(2, 4), torch.tensor([0, 1]))], model, 3)
"""

POSITIVES = [
    case(
        "initial_validation_before_the_loop",
        _HELPER.format(mark="  # expect: GRD510") + _VALIDATED_FIRST.format(before=""),
        lines=(7,),
    ),
    case(
        "validation_at_the_top_of_each_step",
        _HELPER.format(mark="  # expect: GRD510") + _VALIDATED_EACH_STEP,
        lines=(7,),
    ),
]

NEGATIVES = [
    case(
        "kept_in_eval_mode_by_a_statement_of_its_own",
        _HELPER.format(mark="") + _VALIDATED_FIRST.format(before="model.eval()  # frozen batch-norm statistics\n    "),
    ),
    case(
        "train_mode_restored_after_the_initial_validation",
        _HELPER.format(mark="")
        + _VALIDATED_FIRST.format(before="").replace(
            "        for x, y in loader:\n", "        model.train()\n        for x, y in loader:\n", 1
        ),
    ),
]

NEGATIVES.append(
    case(
        "training_forward_in_a_helper_whose_inner_function_restores_train_mode",
        """
        import torch
        import torch.nn as nn


        class Server:
            def __init__(self):
                self.generator = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 4))
                self.optimizer = torch.optim.Adam(self.generator.parameters())

            def train_generator(self, steps):
                def update(n):
                    self.generator.train()
                    for i in range(n):
                        self.optimizer.zero_grad()
                        self.generator(torch.randn(4, 4)).pow(2).mean().backward()
                        self.optimizer.step()

                update(steps)

            def visualize(self, generator):
                generator.eval()
                return generator(torch.randn(4, 4)).detach()

            def train(self, rounds):
                for r in range(rounds):
                    self.train_generator(2)
                    if r % 2 == 1:
                        self.visualize(self.generator)


        Server().train(4)
        """,
    )
)

test_fires, test_silent = rule_tests("GRD510", POSITIVES, NEGATIVES)
