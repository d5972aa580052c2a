"""The parts of a model output of unknown structure (``loss_dict = detector(images, targets)``, a
dict of losses) were computed by that forward from its inputs: ``loss_dict.values()`` names the
graphs the output does, and so does ``sum(loss for loss in loss_dict.values())``, which the
following ``backward()`` proves to require grad. When the images come from a generator stepped in
between (a super-resolution network feeding a detector), that backward goes through the generator's
updated parameters: "one of the variables needed for gradient computation has been modified by an
inplace operation" (checked with torch 2.13 on a rewritten detector returning a dict of losses).
"""

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE

PIPELINE = """\
import torch
import torchvision

sr_net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3 * 8 * 8))
detector = torchvision.models.detection.fasterrcnn_resnet50_fpn(weights=None)
opt_sr = torch.optim.Adam(sr_net.parameters())
opt_det = torch.optim.SGD(detector.parameters(), lr=0.01)
targets = [{"boxes": torch.tensor([[0.0, 0.0, 4.0, 4.0]]), "labels": torch.tensor([1])}] * 2

for step in range(10):
    sr = sr_net(torch.randn(2, 4)).view(2, 3, 8, 8)
    sr_loss = sr.pow(2).mean()
    opt_sr.zero_grad()
    sr_loss.backward(retain_graph=True)
    opt_sr.step()
    loss_dict = detector([sr[i] for i in range(2)], targets)
    losses = sum(loss for loss in loss_dict.values())
    opt_det.zero_grad()
    losses.backward()
    opt_det.step()
"""


def lines(src):
    return [f.line for f in lint_text(src, "m.py", [BY_CODE["GRD205"]])]


def test_sum_of_a_detector_losses_goes_through_the_stepped_generator():
    assert lines(PIPELINE) == [19]


def test_detector_on_detached_images():
    src = PIPELINE.replace("detector([sr[i] for i in range(2)], targets)", "detector([sr[i].detach() for i in range(2)], targets)")
    assert lines(src) == []


def test_generator_stepped_after_the_detector_backward():
    src = PIPELINE.replace("    opt_sr.step()\n", "").replace("    opt_det.step()\n", "    opt_det.step()\n    opt_sr.step()\n")
    assert lines(src) == []
