"""GRD407 across functions: every parameter of a model frozen in one function (``main()``, or a helper
under ``if freeze:`` given a literal True), and the model handed to another function that trains it
(a backward of a loss computed only through it: raises "element 0 of tensors does not require grad"
under torch 2.13; or an optimizer over its parameters stepped: updates nothing). Reported at the
freeze. Silent when the callee unfreezes a part or places a new head, when the caller unfreezes a
part first, when the freeze is under a test the walk cannot decide, when the callee trains another
model beside the frozen one, and when the loss gets a graph from an input made to require grad."""

from snippets import case_maker, lint_path, rule_tests, write_project

case = case_maker("GRD407")

FIT = """\
def fit(model, signals, targets, steps=10):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for step in range(steps):
        optimizer.zero_grad()
        loss = (model(signals).mean(dim=1) - targets).pow(2).mean()
        loss.backward()
        optimizer.step()
    return model
"""

REVERSE = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def build_classifier(num_classes):
    return nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, num_classes))


def train(model, loader, epochs=2, lr=0.05):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    model.train()
    for epoch in range(epochs):
        for inputs, labels in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(inputs), labels)
            loss.backward()
            optimizer.step()


def main():
    model = build_classifier(5)
    for param in model.parameters():
        param.requires_grad = False  # expect: GRD407
    loader = [(torch.randn(8, 20), torch.randint(0, 5, (8,))) for _ in range(4)]
    train(model, loader)


if __name__ == "__main__":
    main()
"""
UNMARKED = REVERSE.replace("  # expect: GRD407", "")

POSITIVES = [
    case("reverse_shape_main_freezes_then_calls_train", REVERSE, lines=(24,)),
    case(
        "helper_freezes_under_a_literal_flag_then_fit",
        """\
import torch
import torch.nn as nn


def load_encoder(path=None, freeze=False):
    encoder = nn.Sequential(nn.Conv1d(1, 8, 5), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten())
    if path is not None:
        encoder.load_state_dict(torch.load(path))
    if freeze:
        encoder.requires_grad_(False)  # expect: GRD407
    return encoder


FIT


encoder = load_encoder(freeze=True)
fit(encoder, torch.randn(16, 1, 32), torch.randn(16))
""".replace("FIT\n", FIT),
        lines=(10,),
    ),
    case(
        "backward_two_calls_down",
        """\
import torch
import torch.nn as nn


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 32), nn.Tanh(), nn.Linear(32, 1))

    def forward(self, x):
        return self.body(x).squeeze(-1)


def train_step(model, batch, optimizer):
    x, y = batch
    optimizer.zero_grad()
    loss = nn.functional.smooth_l1_loss(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def run_epochs(model, batches, epochs):
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
    history = []
    for _ in range(epochs):
        history.append(sum(train_step(model, batch, optimizer) for batch in batches) / len(batches))
    return history


def main(finetune=True):
    model = Regressor()
    if finetune:
        model.requires_grad_(False)  # expect: GRD407
    batches = [(torch.randn(4, 6), torch.randn(4)) for _ in range(3)]
    print(run_epochs(model, batches, epochs=5))


main()
""",
        lines=(34,),
    ),
    case(
        "optimizer_over_the_frozen_model_stepped_by_the_callee",
        """\
import torch
import torch.nn as nn


def tune_prompt(model, inputs, labels, steps=20):
    prompt = torch.zeros(1, inputs.shape[1], requires_grad=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs + prompt), labels)
        loss.backward()
        optimizer.step()
    return prompt


def main():
    model = nn.Sequential(nn.Linear(12, 24), nn.GELU(), nn.Linear(24, 3))
    model.requires_grad_(False)  # expect: GRD407
    prompt = tune_prompt(model, torch.randn(10, 12), torch.randint(0, 3, (10,)))
    print(prompt.abs().sum().item())


main()
""",
        lines=(18,),
    ),
]

NEGATIVES = [
    case(
        "callee_unfreezes_the_last_layer",
        UNMARKED.replace(
            "    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)",
            "    for param in model[-1].parameters():\n        param.requires_grad = True\n"
            "    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr)",
        ),
    ),
    case(
        "callee_places_a_new_head",
        """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(20, 64), nn.ReLU())
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(self.features(x))


def finetune(model, loader, num_classes):
    model.fc = nn.Linear(64, num_classes)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for inputs, labels in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), labels)
        loss.backward()
        optimizer.step()


def main():
    model = Net()
    for param in model.parameters():
        param.requires_grad = False
    loader = [(torch.randn(8, 20), torch.randint(0, 5, (8,))) for _ in range(4)]
    finetune(model, loader, 5)


main()
""",
    ),
    case(
        "freeze_under_a_command_line_flag",
        """\
import argparse

import torch
import torch.nn as nn


FIT


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--freeze", action="store_true")
    args = parser.parse_args()
    encoder = nn.Sequential(nn.Linear(32, 16), nn.ReLU())
    if args.freeze:
        encoder.requires_grad_(False)
    fit(encoder, torch.randn(16, 32), torch.randn(16))


main()
""".replace("FIT\n", FIT),
    ),
    case(
        "frozen_teacher_trains_the_student",
        """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def distill(teacher, student, batches, temperature=2.0):
    optimizer = torch.optim.Adam(student.parameters(), lr=1e-3)
    for x in batches:
        optimizer.zero_grad()
        soft = F.softmax(teacher(x) / temperature, dim=-1)
        loss = F.kl_div(F.log_softmax(student(x) / temperature, dim=-1), soft, reduction="batchmean")
        loss.backward()
        optimizer.step()


def main():
    teacher = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 4))
    for p in teacher.parameters():
        p.requires_grad = False
    student = nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 4))
    distill(teacher, student, [torch.randn(32, 16) for _ in range(3)])


main()
""",
    ),
    case(
        "frozen_backbone_wrapped_with_a_head",
        """\
import torch
import torch.nn as nn


def train(model, batches, lr=0.01):
    optimizer = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=lr)
    for x, y in batches:
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x).squeeze(-1), y)
        loss.backward()
        optimizer.step()


def main():
    backbone = nn.Sequential(nn.Linear(10, 32), nn.ReLU())
    for p in backbone.parameters():
        p.requires_grad = False
    model = nn.Sequential(backbone, nn.Linear(32, 1))
    train(model, [(torch.randn(4, 10), torch.randn(4))])


main()
""",
    ),
    case(
        "caller_unfreezes_a_part_first",
        UNMARKED.replace(
            "    loader = [",
            "    for param in model[2].parameters():\n        param.requires_grad = True\n    loader = [",
        ),
    ),
    case(
        "flag_left_false",
        """\
import torch
import torch.nn as nn


def load_encoder(freeze=False):
    encoder = nn.Sequential(nn.Linear(32, 16), nn.ReLU())
    if freeze:
        encoder.requires_grad_(False)
    return encoder


FIT


fit(load_encoder(), torch.randn(16, 32), torch.randn(16))
encoder = load_encoder(freeze=False)
fit(encoder, torch.randn(16, 32), torch.randn(16))
frozen = load_encoder(freeze=True)
with torch.no_grad():
    print(frozen(torch.randn(2, 32)))
""".replace("FIT\n", FIT),
    ),
    case(
        "input_gradient_through_a_frozen_model",
        """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def fgsm(model, images, labels, eps=0.03):
    images = images.clone().requires_grad_(True)
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    return (images + eps * images.grad.sign()).detach()


def main():
    model = nn.Sequential(nn.Flatten(), nn.Linear(48, 10))
    model.eval()
    for p in model.parameters():
        p.requires_grad = False
    adversarial = fgsm(model, torch.rand(4, 3, 4, 4), torch.randint(0, 10, (4,)))
    print(adversarial.shape)


main()
""",
    ),
]

test_fires, test_silent = rule_tests("GRD407", POSITIVES, NEGATIVES)


ENGINE = """\
import torch
import torch.nn.functional as F


def fit(model, loader, epochs=1, lr=1e-3):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for images, labels in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
    return model
"""

MAIN = """\
import torch
import torch.nn as nn

from engine import fit


def main(linear_probe=True):
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
    if linear_probe:
        model.requires_grad_(False)  # expect: GRD407
    loader = [(torch.randn(2, 3, 16, 16), torch.tensor([0, 3]))]
    fit(model, loader)


if __name__ == "__main__":
    main()
"""


def test_the_training_function_of_another_file(tmp_path):
    write_project(tmp_path, {"engine.py": ENGINE, "main.py": MAIN})
    assert lint_path(tmp_path / "main.py", {"GRD407"}) == [(10, "GRD407")]
    assert lint_path(tmp_path / "engine.py", {"GRD407"}) == []


def test_a_head_the_other_file_places_trains(tmp_path):
    engine = ENGINE.replace("    optimizer =", "    model[-1] = torch.nn.Linear(8, 4)\n    optimizer =")
    write_project(tmp_path, {"engine.py": engine, "main.py": MAIN.replace("  # expect: GRD407", "")})
    assert lint_path(tmp_path / "main.py", {"GRD407"}) == []
