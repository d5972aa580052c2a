"""Shapes of the false alarms found on packages never linted before (pkgs8, session 26), each with
a guard that the true pitfall next to it is still reported.

- GRD302: deepinv's implicit-backward test ``gamma = torch.rand(n, requires_grad=True) + 0.1`` then
  ``gamma.retain_grad()``; deepinv's Jacobian regulariser ``eta = torch.rand(..., requires_grad=True)
  .to(device)`` used only as an operand of arithmetic; lycoris / snorkel ``nn.Parameter(t).float()``
  with ``t`` float32 (``.float()`` returns the same Parameter).
- GRD504: a second backward() through ``gamma = leaf + 0.1``, whose graph saves no tensor.
- GRD103: ``out = torch.zeros_like(x)`` filled in place by ``strategy.reduce_patches(out, patches)``.
- GRD201: llmcompressor's ``GptOssExpertMLP.copy_from_experts_module`` overrides the base's method,
  which the base's module calls under ``@torch.no_grad()``.
- GRD505: deepinv's solvers run ``with torch.no_grad() if not self.unfold else nullcontext():``;
  torchmd-net's calculator evaluates a model loaded from a checkpoint whose forward takes
  ``grad(...)`` of the energy.
- GRD505 (vissl): `model.eval(); model.freeze_head_and_trunk()` on a model of unknown class.
- GRD502: physicsnemo's ``_cubed_conv_wrapper`` appends each face's convolution and ``return output``.
"""

import textwrap

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES

from snippets import findings

DEFAULT = [rule for rule in ALL_RULES if rule.default_enabled()]


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def lint(path):
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), DEFAULT)]


RETAINED = """\
import torch


def check(x):
    gamma = torch.rand(3, dtype=torch.float64, requires_grad=True) + 0.1
    gamma.retain_grad()
    (gamma * x).sum().backward()
    return gamma.grad
"""


def test_grd302_silent_when_the_non_leaf_retains_its_grad():
    assert findings(RETAINED, "GRD302") == []


def test_grd302_still_reports_a_lost_leaf_whose_grad_is_read():
    assert findings(RETAINED.replace("    gamma.retain_grad()\n", ""), "GRD302") == [(5, "GRD302")]


OPERAND = """\
import torch


def mix(y_in, x_in):
    eta = torch.rand((y_in.size(0), 1), requires_grad=True).to(y_in.device)
    x = eta * y_in.detach() + (1 - eta) * x_in.detach()
    return x
"""


def test_grd302_silent_on_a_name_used_only_as_an_operand():
    assert findings(OPERAND, "GRD302") == []


def test_grd302_still_reports_a_lost_leaf_that_leaves_the_function():
    returned = OPERAND.replace("    return x\n", "    return x, eta\n")
    assert findings(returned, "GRD302") == [(5, "GRD302")]
    optimized = OPERAND.replace("    return x\n", "    opt = torch.optim.SGD([eta], lr=0.1)\n    return x\n")
    assert findings(optimized, "GRD302") == [(5, "GRD302")]


FLOAT_PARAMETER = """\
import torch
from torch import nn


class Adapter(nn.Module):
    def __init__(self, org_module):
        super().__init__()
        org_weight = org_module.weight.cpu().clone().float()
        self.dora_scale = nn.Parameter(torch.norm(org_weight.reshape(org_weight.shape[0], -1), dim=1, keepdim=True)).float()
"""


def test_grd302_silent_on_float_of_a_parameter_of_unknown_dtype():
    assert findings(FLOAT_PARAMETER, "GRD302") == []


def test_grd302_still_reports_float_of_a_float64_parameter():
    float64 = FLOAT_PARAMETER.replace(
        "torch.norm(org_weight.reshape(org_weight.shape[0], -1), dim=1, keepdim=True)",
        "torch.zeros(4, dtype=torch.float64)",
    )
    assert findings(float64, "GRD302") == [(9, "GRD302")]
    doubled = FLOAT_PARAMETER.replace("keepdim=True))", "keepdim=True).double())")
    assert findings(doubled, "GRD302") == [(9, "GRD302")]


TWICE = """\
import torch


def check(x):
    gamma = torch.rand(3, requires_grad=True) + 0.1
    gamma.retain_grad()
    (gamma * x).sum().backward()
    (gamma * 2 * x).sum().backward()
    return gamma.grad
"""


def test_grd504_silent_when_the_shared_graph_saves_no_tensor():
    assert findings(TWICE, "GRD504") == []


def test_grd504_still_reports_a_shared_graph_that_saved_a_tensor():
    assert findings(TWICE.replace("+ 0.1", "* 2.0"), "GRD504") == [(8, "GRD504")]
    assert findings(TWICE.replace("+ 0.1", "+ 0.1\n    gamma = gamma.exp()"), "GRD504") == [(9, "GRD504")]


FILLED = """\
import torch
from somewhere import create_strategy


def reference(model):
    x = torch.randn(2, 3, requires_grad=True)
    strategy = create_strategy(x.shape)
    processed = [model(p) for p in strategy.patches(x)]
    out = torch.zeros_like(x)
    strategy.reduce_patches(out, list(zip(range(4), processed)))
    loss = out.sum()
    loss.backward()
"""


def test_grd103_silent_on_a_tensor_an_unknown_method_may_fill():
    assert findings(FILLED, "GRD103") == []


def test_grd103_still_reports_a_tensor_only_shown():
    shown = FILLED.replace("strategy.reduce_patches(out, list(zip(range(4), processed)))", 'writer.add_image("out", out)')
    assert findings(shown, "GRD103") == [(12, "GRD103")]


BASE = """\
import torch
from torch import nn

from .helpers import skip_weights_initialize


class ExpertMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.up_proj = nn.Linear(4, 4)

    def copy_from_experts_module(self, experts, index):
        self.up_proj.weight.copy_(experts.up[index])


class LinearExperts(nn.ModuleList):
    @classmethod
    @torch.no_grad()
    def from_experts_module(
        cls, experts, n
    ):
        self = cls([ExpertMLP() for _ in range(n)])
        for index in range(n):
            self[index].copy_from_experts_module(experts, index)
        return self
"""

HELPERS = """\
def skip_weights_initialize():
    return None
"""

SUBCLASS = """\
from .linear_experts import ExpertMLP


class GptOssExpertMLP(ExpertMLP):
    def copy_from_experts_module(self, experts, index):
        self.up_proj.weight.copy_(experts.gate_up[index, 1::2].T)
"""


def test_grd201_silent_in_an_override_the_base_module_calls_under_no_grad(tmp_path):
    write(tmp_path, {"moe/__init__.py": "", "moe/helpers.py": HELPERS, "moe/linear_experts.py": BASE, "moe/gpt_oss.py": SUBCLASS})
    forget_projects()
    assert lint(tmp_path / "moe" / "linear_experts.py") == []
    assert lint(tmp_path / "moe" / "gpt_oss.py") == []


def test_grd201_still_reported_when_the_base_module_calls_it_with_gradients(tmp_path):
    write(
        tmp_path,
        {
            "moe/__init__.py": "",
            "moe/helpers.py": HELPERS,
            "moe/linear_experts.py": BASE.replace("    @torch.no_grad()\n", ""),
            "moe/gpt_oss.py": SUBCLASS,
        },
    )
    forget_projects()
    assert lint(tmp_path / "moe" / "gpt_oss.py") == [(6, "GRD201")]


SOLVER = """\
from contextlib import nullcontext

import torch
from torch import nn


class Solver(nn.Module):
    def __init__(self, unfold=False):
        super().__init__()
        self.net = nn.Linear(4, 4)
        self.unfold = unfold

    def forward(self, y):
        train_context = torch.no_grad() if not self.unfold else nullcontext()
        with train_context:
            x = y
            for _ in range(5):
                x = self.net(x)
        return x


model = Solver()
model.eval()
outs = []
for y in [torch.randn(2, 4) for _ in range(3)]:
    outs.append(model(y))
"""


def test_grd505_silent_on_a_forward_that_may_run_under_no_grad():
    assert findings(SOLVER, "GRD505") == []


def test_grd505_still_reports_a_forward_whose_no_grad_covers_only_a_backbone():
    partial = SOLVER.replace(
        "            for _ in range(5):\n                x = self.net(x)\n        return x",
        "            x = self.net(x)\n        return self.net(x)",
    )
    assert findings(partial, "GRD505") == [(25, "GRD505")]


POTENTIAL = """\
import torch
from torch import nn
from torch.autograd import grad


class Potential(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 1)

    def forward(self, pos):
        pos.requires_grad_(True)
        energy = self.fc(pos).sum()
        forces = -grad(
            [energy], [pos], create_graph=self.training
        )[0]
        return energy, forces


def load_model(path):
    return torch.load(path, weights_only=False)
"""

CALCULATOR = """\
import torch
from mdnet.model import load_model


class Calculator:
    def __init__(self, path):
        self.model = load_model(path)
        self.model.eval()

    def warmup(self, pos, steps):
        for _ in range(steps):
            self.energy, self.forces = self.model(pos)
"""


def test_grd505_silent_on_a_model_of_unknown_class_when_the_imported_forwards_differentiate(tmp_path):
    write(tmp_path, {"mdnet/__init__.py": "", "mdnet/model.py": POTENTIAL, "mdnet/calculators.py": CALCULATOR})
    forget_projects()
    assert lint(tmp_path / "mdnet" / "calculators.py") == []


def test_grd505_silent_on_a_model_whose_forward_takes_grad_imported_from_autograd(tmp_path):
    # the class is visible here: `grad([energy], [pos], ...)` is torch.autograd.grad, imported by name
    built = POTENTIAL.replace(
        "    return torch.load(path, weights_only=False)\n",
        "    model = Potential()\n    model.load_state_dict(torch.load(path))\n    return model\n",
    )
    write(tmp_path, {"mdnet/__init__.py": "", "mdnet/model.py": built, "mdnet/calculators.py": CALCULATOR})
    forget_projects()
    assert lint(tmp_path / "mdnet" / "calculators.py") == []


def test_grd505_still_reports_a_model_of_unknown_class_when_no_imported_forward_differentiates(tmp_path):
    plain = POTENTIAL.replace("from torch.autograd import grad\n", "").replace(
        "        forces = -grad(\n            [energy], [pos], create_graph=self.training\n        )[0]\n",
        "        forces = -pos\n",
    )
    write(tmp_path, {"mdnet/__init__.py": "", "mdnet/model.py": plain, "mdnet/calculators.py": CALCULATOR})
    forget_projects()
    assert lint(tmp_path / "mdnet" / "calculators.py") == [(12, "GRD505")]


CUBED = """\
import torch
from torch import nn


def cubed_conv(faces, equator_conv, polar_conv):
    output = []
    for i in range(6):
        if i < 4:
            output.append(equator_conv(faces[i]))
        else:
            output.append(polar_conv(faces[i]))
    return output


class Cubed(nn.Module):
    def __init__(self):
        super().__init__()
        self.equator = nn.Conv2d(2, 2, 3)
        self.polar = nn.Conv2d(2, 2, 3)

    def forward(self, faces):
        faces = cubed_conv(faces, self.equator, self.polar)
        return torch.stack(faces)
"""


def test_grd502_silent_on_a_list_of_outputs_the_function_returns():
    assert findings(CUBED, "GRD502") == []


def test_grd502_still_reports_an_evaluation_history_kept_in_the_function():
    kept = CUBED.replace("    return output\n", "    return len(output)\n")
    assert findings(kept, "GRD502") == [(9, "GRD502"), (11, "GRD502")]


FROZEN = """\
import torch
from somewhere import build_model


def extract(img, model, scales):
    maps = []
    for s in scales:
        feats = model(img * s)[0].cpu()
        maps.append(feats)
    return maps


def main(cfg, images):
    model = build_model(cfg)
    model.eval()
    model.freeze_head_and_trunk()
    for img in images:
        extract(img, model, [1.0, 0.5])
"""


def test_grd505_silent_after_a_freeze_method_of_a_model_of_unknown_class():
    # vissl tools/instance_retrieval_test.py: `model.eval(); model.freeze_head_and_trunk()`
    assert findings(FROZEN, "GRD505") == []


def test_grd505_still_reports_a_model_of_unknown_class_not_frozen():
    assert findings(FROZEN.replace("    model.freeze_head_and_trunk()\n", "    model.summary()\n"), "GRD505") == [(8, "GRD505")]


def test_grd505_still_reports_when_only_an_indirect_import_has_a_differentiating_forward(tmp_path):
    # deepchem hf_models.py:446: `from deepchem.models.torch_models import TorchModel`, whose package
    # __init__ imports every model module, one of which differentiates in its forward: the model this
    # file evaluates (a HuggingFace model) is not that one
    indirect = CALCULATOR.replace("from mdnet.model import load_model", "from mdnet import load_model")
    # the package __init__ is read (it mentions torch, as deepchem's does): a torch-free one that only
    # re-exports leaves `load_model` unread, and nothing is claimed (test_unread_project_code)
    write(
        tmp_path,
        {
            "mdnet/__init__.py": "import torch\n\nfrom .model import load_model\n",
            "mdnet/model.py": POTENTIAL,
            "mdnet/calculators.py": indirect,
        },
    )
    forget_projects()
    assert lint(tmp_path / "mdnet" / "calculators.py") == [(12, "GRD505")]
