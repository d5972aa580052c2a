"""``copy.deepcopy`` (or ``copy.copy``) of a leaf that requires grad is a leaf that requires grad
(analysis/copied_leaves.py).

A feature-visualisation helper optimises an input image (``img.requires_grad = True``, Adam over
``[img]``), then "un-normalises" a copy of it for saving: ``out = copy.deepcopy(img)`` and
``out[ch] *= std[ch]``. deepcopy copies the tensor with its ``requires_grad`` as a new graph leaf,
so the write raises "a view of a leaf Variable that requires grad is being used in an in-place
operation" (checked, torch 2.13; ``copy.copy`` gives a leaf that requires grad too). Under
``torch.no_grad()``, or on a copy of a tensor that requires nothing, the write is fine.
"""

import pytest

from snippets import findings

_VISUALISER = """\
    import copy

    import torch


    class FilterVisualiser:
        def __init__(self, layers, mean, std):
            self.layers = layers
            self.mean = mean
            self.std = std

        def run(self, filt, steps):
            self.image = torch.rand(1, 3, 32, 32)
            self.image.requires_grad = True
            opt = torch.optim.Adam([self.image], lr=0.1)
            for _ in range(steps):
                opt.zero_grad()
                loss = -self.layers(self.image)[0, filt].mean()
                loss.backward()
                opt.step()
            return self.unnormalise(self.image)

        def unnormalise(self, img):
            out = copy.deepcopy(img)
            for ch in range(3):
                out[ch] *= self.std[ch]
                out[ch] += self.mean[ch]
            return out.clamp(-1, 1)
"""


def test_in_place_write_to_a_deep_copy_of_an_optimised_image_fires():
    assert findings(_VISUALISER) == [(26, "GRD201"), (27, "GRD201")]


_LOCAL = """\
    import copy

    import torch


    def shifted(offset):
        w = torch.zeros(4, requires_grad=True)
        v = COPY(w)
        v[0] += offset
        return v
"""


@pytest.mark.parametrize("copy_call", ["copy.deepcopy", "copy.copy"])
def test_copy_of_a_local_leaf_written_in_place_fires(copy_call):
    assert findings(_LOCAL.replace("COPY", copy_call)) == [(9, "GRD201")]


@pytest.mark.parametrize(
    "src",
    [
        pytest.param(_VISUALISER.replace("        def unnormalise(self, img):\n            out =",
                                         "        @torch.no_grad()\n        def unnormalise(self, img):\n            out ="),
                     id="written-under-no-grad"),
        pytest.param(_LOCAL.replace("COPY", "copy.deepcopy").replace(", requires_grad=True", ""),
                     id="copy-of-a-plain-tensor"),
        pytest.param(_LOCAL.replace("COPY", "copy.deepcopy").replace("v = copy.deepcopy(w)", "v = copy.deepcopy(w.detach())"),
                     id="copy-of-a-detached-tensor"),
    ],
)
def test_copies_that_may_be_written(src):
    assert findings(src) == []
