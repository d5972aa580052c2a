"""``if use_gpu: centers = nn.Parameter(torch.randn(k, d)).cuda() else: centers =
nn.Parameter(torch.randn(k, d))`` then ``self.centers = centers``: on the GPU path the attribute
holds a copy, not a Parameter, and the optimizer over the loss module's parameters gets an empty
list (pytorch-center-loss). The other branch making a Parameter is not a value computed from
others (the fallback exemption for ``loss = torch.zeros([], requires_grad=True).cuda()`` beside
``loss = sum(losses) / n``), which stays silent."""

from snippets import findings

CENTER_LOSS = """\
import torch
import torch.nn as nn


class CenterLoss(nn.Module):
    def __init__(self, num_classes, feat_dim, use_gpu=True):
        super().__init__()
        if use_gpu:
            centers = nn.Parameter(torch.randn(num_classes, feat_dim)).MOVE
        else:
            centers = OTHER
        self.centers = centers

    def forward(self, x, labels):
        dist = torch.cdist(x, self.centers).pow(2)
        mask = labels.unsqueeze(1) == torch.arange(self.centers.size(0)).unsqueeze(0)
        return (dist * mask.float()).sum() / x.size(0)


criterion = CenterLoss(10, 2)
optimizer = torch.optim.SGD(criterion.parameters(), lr=0.5)
"""


def program(move, other):
    return CENTER_LOSS.replace("MOVE", move).replace("OTHER", other)


def test_a_parameter_moved_on_one_branch_is_lost_there():
    expected = [(9, "GRD302")]
    assert findings(program("cuda()", "nn.Parameter(torch.randn(num_classes, feat_dim))"), "GRD302") == expected
    assert findings(program("double()", "nn.Parameter(torch.randn(num_classes, feat_dim))"), "GRD302") == expected


PLACEHOLDER = """\
import torch


def batch_loss(losses, n):
    if not losses:
        loss = torch.zeros([], requires_grad=True).cuda()
    else:
        loss = sum(losses) / n
    return loss
"""


def test_a_placeholder_beside_a_computed_value_stays_silent():
    assert findings(PLACEHOLDER, "GRD302") == []
