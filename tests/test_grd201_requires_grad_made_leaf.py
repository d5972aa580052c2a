"""GRD201 on a tensor made to require grad with ``requires_grad_()`` after ops on data: ``x =
image.reshape(28, 28); x.requires_grad_()`` makes ``x`` a leaf (a tensor that requires nothing is
a leaf for torch, checked with 2.13), so a saliency attack writing ``x_adv[i][j] += theta`` into it,
or into a ``copy.deepcopy`` of it, raises "a view of a leaf Variable that requires grad is being
used in an in-place operation" (corpus36 zhangjiahui-buaa/adversarial-example's JSMA crafting, where
GRD202 was reported instead: the leaf error comes first). A non-leaf that already requires grad
stays a non-leaf after ``requires_grad_()``; writes under ``no_grad`` are fine."""

from snippets import case_maker, rule_tests

case = case_maker("GRD201")

_JSMA = """
import copy
import torch
import torch.nn as nn

net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
loader = torch.utils.data.DataLoader([(torch.rand(1, 28, 28), 3)] * 4, batch_size=1)


def saliency(out, x):
    grads = []
    for k in range(out.shape[0]):
        out[k].backward(retain_graph=True)
        grads.append(x.grad.clone())
        x.grad.zero_()
    return torch.stack(grads)


def craft(x, target, theta, steps):
    x_adv = {start}
    out = net(x_adv.reshape(1, 1, 28, 28))[0]
    for step in range(steps):
        grads = saliency(out, x_adv)
        i, j = divmod(int(grads[target].argmax()), 28)
        {write}
        x_adv = x_adv.detach()
        x_adv.requires_grad_()
        out = net(x_adv.reshape(1, 1, 28, 28))[0]
    return x_adv


for image, label in loader:
    break
x = image.reshape(28, 28)
x.requires_grad_()
adversarial = craft(x, 7, 1.0, 5)
"""

POSITIVES = [
    case("aliased_leaf_indexed", _JSMA.format(start="x", write="x_adv[i][j] += theta  # expect: GRD201"), lines=(25,)),
    case(
        "deep_copy_of_the_leaf",
        _JSMA.format(start="copy.deepcopy(x)", write="x_adv[i][j] = x_adv[i][j] + theta  # expect: GRD201"),
        lines=(25,),
    ),
]

NEGATIVES = [
    case(
        "written_under_no_grad",
        _JSMA.format(start="x", write="with torch.no_grad():\n            x_adv[i][j] += theta"),
    ),
    case(
        "non_leaf_made_to_require_grad",
        """
import torch
import torch.nn as nn

net = nn.Linear(4, 4)
h = net(torch.randn(2, 4))
h.requires_grad_()
h[0] += 1.0
""",
    ),
]

test_fires, test_silent = rule_tests("GRD201", POSITIVES, NEGATIVES)
