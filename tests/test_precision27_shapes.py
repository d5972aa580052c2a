"""Shapes met on the libraries of /work/libs (session 27): each false positive's shape stays
silent, and a true positive of the nearby shape still fires. Our own minimal snippets."""

from snippets import findings

# --- a field set in a helper the constructor calls on one path, then switched and called -------

POST_PROCESSOR = """\
from copy import deepcopy

import torch
from torch import nn


class Calibrator(nn.Module):
    def __init__(self, model=None):
        super().__init__()
        if model is not None:
            self._setup(model)

    def _setup(self, model):
        self.model = deepcopy(model)
        self.model = self.model.eval()

    def fit(self, loader):
        for x, _ in loader:
            {forward}
"""


def test_constructor_set_field_evaluated_over_batches_fires():
    # the constructor's helper made a trainable model in eval mode; `fit()` runs it over every batch
    # in grad mode: a graph per batch for nothing (a field some method switches with `.eval()` and
    # some method calls was taken, at the entry of `__init__` too, for a module of unknown
    # parameters, which erased what the constructor made)
    src = POST_PROCESSOR.format(forward="self.model(x)")
    assert findings(src, "GRD505") == [(19, "GRD505")]


def test_constructor_set_field_evaluated_under_no_grad_is_silent():
    src = POST_PROCESSOR.format(forward="with torch.no_grad():\n                self.model(x)")
    assert findings(src, "GRD505") == []


def test_field_frozen_by_the_constructor_helper_stays_silent():
    src = POST_PROCESSOR.replace(
        "self.model = self.model.eval()", "self.model = self.model.eval()\n        self.model.requires_grad_(False)"
    ).format(forward="self.model(x)")
    assert findings(src, "GRD505") == []


# --- a field that is a Parameter on one path and a registered buffer on the other --------------

CODEBOOK = """\
import torch
from torch import nn


class Codebook(nn.Module):
    def __init__(self, n, learnable=False):
        super().__init__()
        embed = torch.randn(n, 4)
        {bind}

    def set_codes(self, codes):
        self.embed.copy_(codes)
"""


def test_parameter_or_buffer_field_written_in_place_is_silent():
    # `register_buffer("embed", e)` binds `self.embed` as `self.embed = e` does: on that path the
    # field requires no grad, so the in-place write is not known to raise
    bind = 'if learnable:\n            self.embed = nn.Parameter(embed)\n        else:\n            self.register_buffer("embed", embed)'
    assert findings(CODEBOOK.format(bind=bind), "GRD201") == []


def test_non_persistent_buffer_or_parameter_field_is_silent():
    bind = (
        'if learnable:\n            self.embed = nn.Parameter(embed)\n'
        '        else:\n            self.register_buffer("embed", embed, persistent=False)'
    )
    assert findings(CODEBOOK.format(bind=bind), "GRD201") == []


def test_parameter_field_written_in_place_still_fires():
    assert findings(CODEBOOK.format(bind="self.embed = nn.Parameter(embed)"), "GRD201") == [(12, "GRD201")]


def test_buffer_field_moved_without_assignment_is_a_discarded_result():
    src = CODEBOOK.format(bind='self.register_buffer("embed", embed)').replace(
        "self.embed.copy_(codes)", "self.embed.to(codes.device)"
    )
    assert findings(src, "GRD507") == [(12, "GRD507")]


# --- a loop over models calling a helper that evaluates a copy it makes -------------------------

MODELS_LOOP = """\
import copy

import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


class Checker:
    def __init__(self, model, loader):
        self.model = model
        self.loader = loader

    def check_all(self):
        for m in [Net(), Net()]:
            self.compare(m)

    def compare(self, module):
        x = torch.rand(10, 4)
        {make}
        {name}.eval()
        module.eval()
        return torch.equal({name}(x), module(x))

    def evaluate(self):
        for x, _ in self.loader:
            self.predict(x)

    def predict(self, x):
        {predict}
"""


def _models_loop(make="copied = copy.deepcopy(module)", name="copied", predict="return None"):
    return MODELS_LOOP.format(make=make, name=name, predict=predict)


def test_copy_made_in_each_call_of_a_loop_over_models_is_silent():
    # each iteration compares one more model, once: no evaluation loop over batches
    assert findings(_models_loop(), "GRD505") == []


def test_copy_moved_to_a_device_is_still_made_in_the_call():
    make = "copied = copy.deepcopy(module)\n        copied = copied.to(x.device)"
    assert findings(_models_loop(make=make), "GRD505") == []


def test_helper_running_the_persistent_model_per_batch_fires():
    predict = "self.model.eval()\n        return self.model(x).argmax(1)"
    assert findings(_models_loop(predict=predict), "GRD505") == [(38, "GRD505")]


def test_helper_running_a_local_alias_of_the_model_per_batch_fires():
    predict = "model = self.model\n        model.eval()\n        return model(x).argmax(1)"
    assert findings(_models_loop(predict=predict), "GRD505") == [(39, "GRD505")]


def test_helper_running_a_looked_up_model_per_batch_fires():
    predict = 'model = getattr(self, "model")\n        model.eval()\n        return model(x).argmax(1)'
    assert findings(_models_loop(predict=predict), "GRD505") == [(39, "GRD505")]


def test_model_made_by_a_helper_and_run_over_its_own_loop_fires():
    src = _models_loop().replace(
        "    def evaluate(self):\n",
        "    def evaluate_fresh(self):\n        net = Net()\n        net.eval()\n"
        "        for x, _ in self.loader:\n            net(x)\n\n    def evaluate(self):\n",
    )
    assert findings(src, "GRD505") == [(36, "GRD505")]


# --- a misspelled `requires_grad = True` on a Parameter just made ------------------------------

SLOPE = """\
import torch
from torch import nn


class Slope(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.slope = {make}
        self.slope.requiresGrad = {flag}

    def forward(self, x):
        return x * self.slope
"""


def test_misspelled_true_on_a_new_parameter_is_silent():
    # an nn.Parameter requires grad already: the misspelling changes nothing the author meant
    assert findings(SLOPE.format(make="nn.Parameter(torch.ones(n))", flag="True"), "GRD402") == []


def test_misspelled_false_on_a_new_parameter_fires():
    assert findings(SLOPE.format(make="nn.Parameter(torch.ones(n))", flag="False"), "GRD402") == [(9, "GRD402")]


def test_misspelled_true_on_a_frozen_parameter_fires():
    make = "nn.Parameter(torch.ones(n), requires_grad=False)"
    assert findings(SLOPE.format(make=make, flag="True"), "GRD402") == [(9, "GRD402")]


def test_misspelled_true_on_a_plain_tensor_fires():
    assert findings(SLOPE.format(make="torch.ones(n)", flag="True"), "GRD402") == [(9, "GRD402")]


def test_misspelled_true_in_an_unfreeze_loop_fires():
    src = """\
import torch
from torch import nn

model = nn.Linear(3, 1)
for p in model.parameters():
    p.requires_grad = False
for p in model.parameters():
    p.requiresGrad = True
"""
    assert findings(src, "GRD402") == [(8, "GRD402")]


def test_model_made_as_the_argument_of_each_call_is_silent():
    # `for config in configs: self.check(Net(), config)`: each call evaluates a new model once
    src = _models_loop(make="pass", name="module").replace(
        "for m in [Net(), Net()]:\n            self.compare(m)", "for size in [1, 2]:\n            self.compare(Net())"
    )
    assert "self.compare(Net())" in src
    assert findings(src, "GRD505") == []


def test_persistent_model_handed_to_a_helper_per_batch_fires():
    src = _models_loop(predict="model.eval()\n        return model(x).argmax(1)").replace(
        "self.predict(x)\n\n    def predict(self, x):", "self.predict(self.model, x)\n\n    def predict(self, model, x):"
    )
    assert "def predict(self, model, x)" in src
    assert findings(src, "GRD505") == [(38, "GRD505")]


def test_made_argument_rebound_to_a_persistent_model_fires():
    src = _models_loop(predict="model = self.model\n        model.eval()\n        return model(x).argmax(1)").replace(
        "self.predict(x)\n\n    def predict(self, x):", "self.predict(Net(), x)\n\n    def predict(self, model, x):"
    )
    assert findings(src, "GRD505") == [(39, "GRD505")]


# --- `.to(float32)` of a new Parameter: `.float()` spelt another way ----------------------------

RANGE = """\
import torch
from torch import nn


class Quantizer(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant_dtype = torch.float32

    def learn_range(self, scale):
        self.scale = nn.Parameter({data}, requires_grad=True).to({dtype})
"""


def test_parameter_converted_to_float32_through_a_field_is_silent():
    assert findings(RANGE.format(data="scale", dtype="self.quant_dtype"), "GRD302") == []


def test_parameter_converted_to_float32_is_silent():
    assert findings(RANGE.format(data="scale", dtype="torch.float32"), "GRD302") == []


def test_parameter_converted_to_float64_fires():
    assert findings(RANGE.format(data="scale", dtype="torch.float64"), "GRD302") == [(11, "GRD302")]


def test_float64_parameter_converted_to_float32_fires():
    src = RANGE.format(data="scale.double()", dtype="self.quant_dtype")
    assert findings(src, "GRD302") == [(11, "GRD302")]


def test_misspelled_false_on_a_tensor_that_requires_no_grad_is_silent():
    src = """\
import torch

pe = torch.zeros(50, 8).float()
pe.require_grad = False
"""
    assert findings(src, "GRD402") == []


def test_misspelled_false_on_a_tensor_made_to_require_grad_fires():
    src = """\
import torch

pe = torch.zeros(50, 8, requires_grad=True)
pe.require_grad = False
"""
    assert findings(src, "GRD402") == [(4, "GRD402")]
