"""GRD505 on held-out code (corpus27, an OCR project's CRNN demo.py): a loop over image files
that rebuilds the same model in each iteration (same class, same constant arguments, the same
checkpoint loaded), switches it to eval() and runs it without no_grad. The rule skipped every
model bound inside the loop, a rule made for tests over model classes (`for model_class in
classes: model = model_class(config)`), where each iteration runs a different model once. A
model rebuilt from nothing the iteration varies is one model evaluated over the data."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_MODEL = """
import os
import torch
import torch.nn as nn


class Recognizer(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.drop = nn.Dropout(0.1)
        self.fc = nn.Linear(n_in, n_out)

    def forward(self, x):
        return self.fc(self.drop(x))

"""

POSITIVES = [
    case(
        "same_model_rebuilt_for_every_file",
        _MODEL
        + """
for name in os.listdir("."):
    model = Recognizer(4, 2)
    if torch.cuda.is_available():
        model = model.cuda()
    model.load_state_dict(torch.load("weights.pth"))
    image = torch.randn(1, 4)
    model.eval()
    preds = model(image)  # expect: GRD505
    print(name, preds.argmax(1).item())
""",
        lines=(24,),
    ),
]

NEGATIVES = [
    case(
        "a_model_of_each_class_run_once",
        _MODEL
        + """
def check_outputs(model_classes, inputs):
    for model_class in model_classes:
        model = model_class(4, 2)
        model.eval()
        result = model(inputs)
        assert result is not None
""",
    ),
    case(
        "a_model_of_each_registered_name",
        _MODEL
        + """
REGISTRY = {"small": Recognizer}


def check_outputs(names, inputs):
    for name in names:
        cls = REGISTRY[name]
        model = cls(4, 2)
        model.eval()
        print(model(inputs).shape)
""",
    ),
    case(
        "rebuilt_model_run_under_no_grad",
        _MODEL
        + """
for name in os.listdir("."):
    model = Recognizer(4, 2)
    model.load_state_dict(torch.load("weights.pth"))
    model.eval()
    with torch.no_grad():
        preds = model(torch.randn(1, 4))
    print(name, preds.argmax(1).item())
""",
    ),
    case(
        "another_checkpoint_loaded_in_each_iteration",
        _MODEL
        + """
def compare(checkpoints, inputs):
    for path in checkpoints:
        model = Recognizer(4, 2)
        model.load_state_dict(torch.load(path))
        model.eval()
        print(path, model(inputs).argmax(1))
""",
    ),
    case(
        "rebuilt_model_unpacked_from_a_builder",
        _MODEL
        + """
def build():
    return Recognizer(4, 2), None


for name in os.listdir("."):
    model, _ = build()
    model.eval()
    print(name, model(torch.randn(1, 4)).argmax(1).item())
""",
    ),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
