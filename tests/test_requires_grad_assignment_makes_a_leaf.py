"""``X.requires_grad = True`` leaves ``X`` a leaf that requires grad (analysis/bindings.py ``_flagged``).

torch refuses the assignment on a non-leaf ("you can only change requires_grad flags of leaf
variables"), and a tensor computed by ops on tensors that require nothing is a leaf for torch
(``torch.rand(1, 3, 32, 32) / 10``). So once the assignment has run, in-place writes to ``X``
(``X[0] += d``, ``X += d``) raise "a leaf Variable that requires grad is being used in an in-place
operation" (checked, torch 2.13). ``requires_grad_()`` keeps a non-leaf that requires grad as it is
(no error), so only the assignment says so.
"""

import pytest

from snippets import findings

_NOISE_INPUT = """\
    import torch


    def dream(layers, filt, steps, mean):
        image = torch.rand(1, 3, 32, 32) / 10 + mean
        image.requires_grad = True
        opt = torch.optim.Adam([image], lr=0.1)
        for _ in range(steps):
            opt.zero_grad()
            loss = -layers(image)[0, filt].mean()
            loss.backward()
            opt.step()
        image[0] += mean
        return image
"""


def test_in_place_write_to_a_flagged_op_result_fires():
    assert findings(_NOISE_INPUT) == [(13, "GRD201")]


@pytest.mark.parametrize(
    "src",
    [
        pytest.param(
            _NOISE_INPUT.replace("        image[0] += mean\n", "        with torch.no_grad():\n            image[0] += mean\n"),
            id="written-under-no-grad",
        ),
        pytest.param(_NOISE_INPUT.replace("image.requires_grad = True", "image.requires_grad = False")
                     .replace("opt = torch.optim.Adam([image], lr=0.1)", "opt = torch.optim.Adam(layers.parameters(), lr=0.1)"),
                     id="flag-set-false"),
    ],
)
def test_writes_that_raise_nothing(src):
    assert findings(src) == []
