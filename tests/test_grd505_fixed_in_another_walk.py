"""GRD505 drops a finding for a model that a training loop runs in eval mode outside every optimizer
(a fixed feature extractor, maybe frozen elsewhere: ``fixed_extractors``) once the file is walked, so
that the order of the functions does not decide it. A walk of the same function in another caller's
context says nothing of this walk's model: a distillation step called once with the student's
optimizer (the teacher is then a fixed extractor there) and once with an optimizer of unknown
parameters keeps the finding of the second call, whichever call comes first."""

from snippets import case_maker, rule_tests

case = case_maker("GRD505")

_PROGRAM = """
import torch
import torch.nn as nn
import torch.nn.functional as F


def run(teacher, student, loader, opt):
    for phase in ("train", "val"):
        for x, y in loader:
            target = teacher(x).detach(){mark}
            with torch.set_grad_enabled(phase == "train"):
                loss = F.mse_loss(student(x), target)
                if phase == "train":
                    opt.zero_grad()
                    loss.backward()
                    opt.step()


def main(build):
    loader = [(torch.randn(2, 4), torch.tensor([0, 1]))]
    teacher = nn.Linear(4, 4)
    teacher.eval()
    student = nn.Linear(4, 4)
{calls}
"""

_KNOWN = "    run(teacher, student, loader, torch.optim.SGD(student.parameters(), lr=0.1))"
_UNKNOWN = "    run(teacher, student, loader, build(student))"

POSITIVES = [
    case("known_optimizer_first", _PROGRAM.format(mark="  # expect: GRD505", calls=_KNOWN + "\n" + _UNKNOWN), lines=(10,)),
    case("unknown_optimizer_first", _PROGRAM.format(mark="  # expect: GRD505", calls=_UNKNOWN + "\n" + _KNOWN), lines=(10,)),
]

NEGATIVES = [
    case("only_the_known_optimizer", _PROGRAM.format(mark="", calls=_KNOWN)),
]

test_fires, test_silent = rule_tests("GRD505", POSITIVES, NEGATIVES)
