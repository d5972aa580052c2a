"""Loops over string literals walked once per string: the fine-tuning tutorials' phase loop.

``for phase in ["train", "val"]:`` with ``torch.set_grad_enabled(phase == "train")`` and a backward
only ``if phase == "train":``. Walked as one iteration with ``phase`` unknown, the grad mode and
the backward were unknown, and the training phase's ``running_loss += loss`` (no ``.item()``) went
unreported; the evaluation phase, run without ``no_grad`` after ``model.eval()``, too.
"""

import pytest

from snippets import findings

TUTORIAL = """\
import torch
import torch.nn as nn


def train_model(model, dataloaders, criterion, optimizer, num_epochs=25):
    for epoch in range(num_epochs):
        for phase in PHASES:
            if phase == "train":
                model.train()
            else:
                model.eval()
            running_loss = 0.0
            for inputs, labels in dataloaders[phase]:
                optimizer.zero_grad()
                with torch.set_grad_enabled(phase == "train"):
                    outputs = model(inputs)
                    loss = criterion(outputs, labels)
                    if phase == "train":
                        loss.backward()
                        optimizer.step()
                running_loss += ACCUMULATED * inputs.size(0)
            print(phase, running_loss / len(dataloaders[phase].dataset))
"""


def lint(phases='["train", "val"]', accumulated="loss", source=TUTORIAL):
    return findings(source.replace("PHASES", phases).replace("ACCUMULATED", accumulated))


def test_training_phase_accumulating_the_loss_keeps_its_graphs():
    assert lint() == [(21, "GRD502")]
    assert lint(phases='("train", "valid")'.replace("valid", "val")) == [(21, "GRD502")]


def test_item_and_evaluation_phase_only_are_silent():
    assert lint(accumulated="loss.item()") == []
    # only the evaluation phase, under set_grad_enabled(False): no graph to keep
    assert lint(phases='["val", "test"]') == []


def test_phase_loop_at_module_level():
    module_level = "\n".join(
        line[4:] if line.startswith("    ") else line
        for line in TUTORIAL.replace("def train_model(model, dataloaders, criterion, optimizer, num_epochs=25):\n", "").splitlines()
    )
    module_level = module_level.replace("import torch.nn as nn\n", "import torch.nn as nn\n\nmodel = nn.Linear(4, 2)\n"
                                        "criterion = nn.CrossEntropyLoss()\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
                                        "dataloaders = {'train': [], 'val': []}\nnum_epochs = 3\n")
    assert [code for _, code in lint(source=module_level)] == ["GRD502"]


def test_evaluation_phase_without_grad_switch_is_an_evaluation_loop():
    source = TUTORIAL.replace('                with torch.set_grad_enabled(phase == "train"):\n', "                if True:\n")
    assert lint(source=source, accumulated="loss.item()") == [(16, "GRD505")]


def test_evaluation_phase_first_is_an_evaluation_loop_too():
    # the training pass's backward() comes after the evaluation pass, in a pass of its own: it
    # backpropagates the training batches, not what the evaluation pass ran in eval mode
    source = TUTORIAL.replace('                with torch.set_grad_enabled(phase == "train"):\n', "                if True:\n")
    assert lint(phases='["val", "train"]', source=source, accumulated="loss.item()") == [(16, "GRD505")]
    assert lint(phases='("valid", "train", "test")', source=source, accumulated="loss.item()") == [(16, "GRD505")]
    # under set_grad_enabled(phase == "train"), the evaluation pass records no graph
    assert lint(phases='["val", "train"]', accumulated="loss.item()") == []


@pytest.mark.parametrize(
    "spelling",
    ['"train" == phase', 'phase is "train"', 'not phase == "val"', 'phase in ("train", "trn")', 'phase not in ["val"]', 'not phase is not "train"'],
)
def test_other_spellings_of_the_phase_test_are_decided(spelling):
    source = TUTORIAL.replace('phase == "train"', spelling)
    assert source.count(spelling) == 3
    assert lint(source=source) == [(21, "GRD502")]
    assert lint(source=source, accumulated="loss.item()") == []
    unswitched = source.replace('                with torch.set_grad_enabled(' + spelling + '):\n', "                if True:\n")
    assert lint(phases='["val", "train"]', source=unswitched, accumulated="loss.item()") == [(16, "GRD505")]


def test_identity_with_a_string_that_need_not_be_interned_is_not_decided():
    # `phase is "train set"`: equal strings that are not identifier-like may be two objects
    source = TUTORIAL.replace('phase == "train"', 'phase is "train set"')
    assert lint(phases='["train set", "val"]', source=source, accumulated="loss.item()") == []
    assert lint(phases='["train set", "val"]', source=source) == []


def test_eval_mode_kept_on_purpose_within_one_pass_is_silent():
    # a pass that runs the model in eval mode (batch-norm frozen) and backpropagates in that same
    # pass: the outputs are trained on
    source = """\
import torch


def fit(model, loaders, criterion, optimizer):
    for phase in ["source", "target"]:
        model.eval()
        losses = []
        for x, y in loaders[phase]:
            losses.append(criterion(model(x), y))
        optimizer.zero_grad()
        torch.stack(losses).mean().backward()
        optimizer.step()
"""
    assert findings(source) == []


def test_a_phase_name_the_body_rebinds_is_not_walked_per_string():
    source = TUTORIAL.replace("            running_loss = 0.0\n", "            running_loss = 0.0\n            phase = phase.strip()\n")
    assert lint(source=source) == []


def test_a_display_holding_other_than_strings_is_one_iteration():
    assert lint(phases='["train", VAL]') == []


RUN_EPOCH = """\
import torch
import torch.nn as nn


def run_epoch(model, loader, criterion, optimizer, phase):
    total = 0.0
    for x, y in loader:
        with torch.set_grad_enabled(phase == "train"):
            loss = criterion(model(x), y)
            if phase == "train":
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        total += loss
    return total


def main():
    model = nn.Linear(4, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(3):
        CALLS
"""


def test_a_phase_parameter_bound_to_a_literal_decides_the_grad_switch():
    both = 'run_epoch(model, [], nn.CrossEntropyLoss(), opt, "train")\n        run_epoch(model, [], None, opt, "val")'
    assert findings(RUN_EPOCH.replace("CALLS", both)) == [(14, "GRD502")]
    # called only for evaluation: set_grad_enabled(False), no graph is kept
    assert findings(RUN_EPOCH.replace("CALLS", 'run_epoch(model, [], None, opt, "val")')) == []


def test_each_string_runs_once_in_order():
    # the second string's backward frees the graph the first kept: there is no iteration after it
    source = """\
import torch

w = torch.randn(3, requires_grad=True)
loss = (w * 2).sum()
for part in ["first", "second"]:
    if part == "first":
        loss.backward(retain_graph=True)
    else:
        loss.backward()
"""
    assert findings(source) == []
    assert findings(source.replace('["first", "second"]', '["first", "second", "third"]')) == [(9, "GRD504")]


def test_the_message_names_a_train_false_switch():
    from textwrap import dedent

    from gradlint.engine import lint_text
    from gradlint.rules import BY_CODE

    source = TUTORIAL.replace("PHASES", '["train", "val"]').replace("ACCUMULATED", "loss.item()")
    source = source.replace("model.train()", "model.train(True)").replace("model.eval()", "model.train(False)")
    source = source.replace('                with torch.set_grad_enabled(phase == "train"):\n', "                if True:\n")
    [finding] = lint_text(dedent(source), "snippet.py", [BY_CODE["GRD505"]])
    assert finding.line == 16 and "runs after `model.train(False)` with gradients enabled" in finding.message


def test_a_local_flag_bound_from_the_phase_is_decided_too():
    # `is_train = phase == "train"`, then `if is_train: model.train() else: model.eval()`: the
    # evaluation phase runs its forward after eval() with gradients on (no grad switch)
    source = TUTORIAL.replace("            if phase == \"train\":\n                model.train()", "            is_train = phase == \"train\"\n            if is_train:\n                model.train()")
    source = source.replace('                with torch.set_grad_enabled(phase == "train"):\n', "                if True:\n")
    source = source.replace('                    if phase == "train":\n', "                    if is_train:\n")
    assert findings(source.replace("PHASES", '["train", "val"]').replace("ACCUMULATED", "loss.item()")) == [(17, "GRD505")]


def test_the_fix_in_a_phase_loop_switches_grad_by_phase():
    from textwrap import dedent

    from gradlint.engine import lint_text
    from gradlint.rules import BY_CODE

    source = TUTORIAL.replace("ACCUMULATED", "loss.item()")
    source = source.replace('                with torch.set_grad_enabled(phase == "train"):\n', "                if True:\n")
    for phases, trained in (('["train", "val"]', '"train"'), ("('Train', 'Validation')", "'Train'")):
        program = source.replace("PHASES", phases).replace('"train"', trained)
        [finding] = lint_text(dedent(program), "snippet.py", [BY_CODE["GRD505"]])
        assert finding.message.endswith(f"Run the forward under `with torch.set_grad_enabled(phase == {trained}):`.")
    # phases of which none trains: the evaluation loop's own fix
    program = source.replace("PHASES", '["val", "test"]').replace('if phase == "train":', 'if phase == "val":')
    program = program.replace("                model.train()\n", "                model.eval()\n")
    [finding] = lint_text(dedent(program), "snippet.py", [BY_CODE["GRD505"]])
    assert finding.message.endswith("Wrap the evaluation loop in `with torch.no_grad():` (or `torch.inference_mode()`).")
