"""GRD505 and an evaluation that sets its images to require grad with an assignment: a distillation
test loop for a Jacobian-matching loss (``imgs.requires_grad = True``, then ``out_s = student(imgs)``,
``out_t = teacher(imgs)`` and ``criterion_kd(out_s, out_t, imgs, labels)``, which takes
``autograd.grad`` of both outputs with respect to the images). ``imgs.requires_grad_(True)``
already told a forward run for its input gradients; the assignment says the same. A forward given
other tensors still reports, and so does one when the flag is set to False.
"""

from snippets import case_maker, rule_tests

CODE = "GRD505"
case = case_maker(CODE)

TEST_LOOP = """\
import torch


def test_epoch(loader, student, teacher, criterion_kd, criterion_cls):
    student.eval()
    teacher.eval()
    total = 0.0
    for imgs, labels in loader:
        imgs.requires_grad = {flag}
        out_s = student({given})  # MARK
        out_t = teacher(imgs)  # MARK_T
        kd_loss = criterion_kd(out_s, out_t, imgs, labels)
        total += (criterion_cls(out_s, labels) + kd_loss).item()
    return total
"""


def _loop(flag="True", given="imgs", marked=False, teacher_marked=False):
    src = TEST_LOOP.replace("{flag}", flag).replace("{given}", given)
    src = src.replace("  # MARK_T", "  # expect: GRD505" if teacher_marked else "")
    return src.replace("  # MARK", "  # expect: GRD505" if marked else "")


POSITIVES = [
    case("a-forward-given-other-tensors", _loop(given="imgs.detach()", marked=True), [10]),
    case("flag-set-to-false", _loop(flag="False", marked=True, teacher_marked=True), [10, 11]),
]

NEGATIVES = [
    case("images-set-to-require-grad", _loop()),
]

test_fires, test_silent = rule_tests(CODE, POSITIVES, NEGATIVES)
