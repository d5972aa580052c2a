"""``param = getattr(module, name)`` with ``name`` bound to ``"weight"`` and ``module`` a torch layer
(compressed-tensors #580's offload helper): the layer's trainable weight, as ``module.weight`` is, so
``param.copy_(data)`` outside ``no_grad`` writes in place to a leaf that requires grad (GRD201). The
helper's update under ``torch.no_grad()`` is silent."""

from snippets import findings

HELPER = """\
import torch
import torch.nn as nn


def update_parameter(module, name, data):
    param = getattr(module, name)
    WRITE


layer = nn.Linear(4, 4)
update_parameter(layer, "weight", torch.zeros(4, 4))
"""


def test_a_copy_into_the_layers_weight_by_getattr():
    assert (7, "GRD201") in findings(HELPER.replace("WRITE", "param.copy_(data)"))


def test_the_copy_under_no_grad_is_silent():
    write = "with torch.no_grad():\n        param.copy_(data)"
    assert "GRD201" not in [code for _, code in findings(HELPER.replace("WRITE", write))]
