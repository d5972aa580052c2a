"""GRD505 and an evaluation helper of another file run on each model a loop loads: ``model =
load(name)`` in each iteration, ``clean_accuracy(model, ...)`` switching it to eval mode (under
no_grad), then ``l2_distance(model, images, adv_images)`` running ``model(adv_images)`` with gradients
on. The helper's forward is replayed at the call without a path, its module known in eval mode; it
was taken for a submodule of the caller's ``model`` (bound in the loop) and skipped, once such
forwards were named after the caller's model to take its mode (75149a9). They are named so only
when their own mode is not known."""

from snippets import lint_path, write_project

UTILS = """\
import torch


def clean_accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        return (model(images).argmax(1) == labels).float().mean().item()


def l2_distance(model, images, adv_images, labels):
    outputs = model(adv_images)
    wrong = outputs.argmax(1) != labels
    delta = (adv_images - images).flatten(1)
    return delta[wrong].norm(dim=1).mean()
"""

SCRIPT = """\
import torch
import torch.nn as nn

from utils import clean_accuracy, l2_distance


def load(name):
    layers = [nn.Flatten(), nn.Linear(12, 16), nn.Dropout(0.2), nn.Linear(16, 3)]
    return nn.Sequential(*layers)


images = torch.rand(8, 3, 2, 2)
labels = torch.randint(0, 3, (8,))
adv_images = (images + 0.03 * torch.randn_like(images)).clamp(0, 1)
for name in ["small", "wide"]:
    model = load(name)
    acc = clean_accuracy(model, adv_images, labels)
    l2 = l2_distance(model, images, adv_images, labels)
    print(name, acc, l2.item())
"""


def _lint(root, files):
    write_project(root, files)
    return lint_path(root / "script.py", select={"GRD505"})


def test_helper_forward_on_each_loaded_model_reported(tmp_path):
    assert _lint(tmp_path, {"utils.py": UTILS, "script.py": SCRIPT}) == [(18, "GRD505")]


def test_helper_under_no_grad_silent(tmp_path):
    guarded = SCRIPT.replace("    l2 = l2_distance(", "    with torch.no_grad():\n        l2 = l2_distance(")
    assert _lint(tmp_path, {"utils.py": UTILS, "script.py": guarded}) == []
