"""Shapes of code found in real projects (transformers, timm, lightning, ...).

Each false positive found there became a negative case here before it was fixed;
each true pitfall found there is kept as a positive case.
"""

from snippets import findings

# transformers (wav2vec2 & co): a private flag that forward() reads back, not a typo.
PRIVATE_REQUIRES_GRAD_FLAG = """
import torch.nn as nn

class FeatureEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 4, 3)
        self._requires_grad = True

    def _freeze_parameters(self):
        for param in self.parameters():
            param.requires_grad = False
        self._requires_grad = False

    def forward(self, x):
        if self._requires_grad and self.training:
            x.requires_grad = True
        return self.conv(x)
"""

# a user attribute spelled like a typo but read back elsewhere
READ_BACK_ATTRIBUTE = """
import torch.nn as nn

model = nn.Linear(2, 2)
model.require_grad = False
if model.require_grad:
    print("frozen flag set")
"""

# lightning demos: the optimizer covers the only submodule, so nothing is left unfrozen
OPTIMIZER_OVER_ONLY_CHILD = """
import torch
import torch.nn as nn

class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(4, 4)

    def forward(self, x):
        return self.encoder(x)

class Wrapper(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = Transformer()

    def forward(self, x):
        return self.model(x)

    def training_step(self, x):
        return self(x).sum()

    def configure_optimizers(self):
        return torch.optim.SGD(self.model.parameters(), lr=0.1)
"""

# timm pvt_v2 (true pitfall): a plain attribute set on a submodule freezes nothing
TIMM_FREEZE_PATCH_EMB = """
import torch.nn as nn

class PatchEmbed(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(3, 8, 4)

class PyramidVisionTransformerV2(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embed = PatchEmbed()

    def freeze_patch_emb(self):
        self.patch_embed.requires_grad = False
"""

# transformers unispeech_sat (true pitfall): requires_grad set on an nn.LayerNorm instance
UNISPEECH_LAYER_NORM = """
import torch.nn as nn

class ForPreTraining(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer_norm_for_extract = nn.LayerNorm(config.hidden_size)
        if config.do_stable_layer_norm:
            self.layer_norm_for_extract.requires_grad = False
"""


# transformers dac / groupvit / moshi, diffusers prior_transformer: a local name for a
# module's parameter, transformed in forward(), is not a leaf being rebound
PARAMETER_ALIAS_TRANSFORMED_IN_FORWARD = """
import torch
import torch.nn as nn
import torch.nn.functional as F

class Quantizer(nn.Module):
    def __init__(self):
        super().__init__()
        self.codebook = nn.Embedding(16, 4)
        self.pos = nn.Parameter(torch.zeros(1, 8, 4))

    def forward(self, x):
        codebook = self.codebook.weight
        codebook = F.normalize(codebook)
        pos = self.pos
        pos = pos.reshape(8, 4)
        return x @ codebook.t() + pos.sum()
"""

# transformers esmfold: new_zeros() makes a fresh tensor; it saves nothing of its receiver
NEW_ZEROS_IS_NOT_AN_OP_ON_THE_RECEIVER = """
import torch
import torch.nn as nn

mlp = nn.Linear(4, 4)
embedding = nn.Embedding(10, 4)
s = mlp(torch.randn(2, 4))
z = s.new_zeros(2, 2, 4)
s += embedding(torch.tensor([1, 2]))
(s.sum() + z.sum()).backward()
"""


def test_parameter_alias_transformed_in_forward_is_not_a_rebound_leaf():
    assert findings(PARAMETER_ALIAS_TRANSFORMED_IN_FORWARD) == []


def test_new_zeros_does_not_save_its_receiver():
    assert findings(NEW_ZEROS_IS_NOT_AN_OP_ON_THE_RECEIVER) == []


def test_private_requires_grad_flag_is_not_a_typo():
    assert findings(PRIVATE_REQUIRES_GRAD_FLAG) == []


def test_misspelled_attribute_read_back_is_a_real_attribute():
    assert findings(READ_BACK_ATTRIBUTE) == []


def test_optimizer_over_the_only_child_module():
    assert findings(OPTIMIZER_OVER_ONLY_CHILD) == []


def test_timm_freeze_patch_emb_is_reported():
    assert findings(TIMM_FREEZE_PATCH_EMB) == [(15, "GRD401")]


def test_unispeech_layer_norm_is_reported():
    assert findings(UNISPEECH_LAYER_NORM) == [(9, "GRD401")]


# transformers tests and utils: `if is_torch_available(): import torch` and
# `try: import torch except ImportError: torch = None` still name torch where used
CONDITIONAL_TORCH_IMPORT = """
from utils import is_torch_available

if is_torch_available():
    import torch

try:
    import torch.nn as nn
except ImportError:
    nn = None


def test_save_load(model_class, config, inputs):
    for _ in range(2):
        model = model_class(config)
        model.eval()
        with torch.no_grad():
            first = model(**inputs)[0]
        print(first)


def test_conditional_import_still_resolves():
    layer = nn.Linear(2, 2)
    layer.requires_grad = False
"""


def test_conditional_imports_resolve():
    assert findings(CONDITIONAL_TORCH_IMPORT) == [(24, "GRD401")]


# transformers tests: a fresh model and optimizer in every iteration accumulate nothing,
# and a model built per iteration is not an evaluation loop
FRESH_MODEL_PER_ITERATION = """
import torch


def test_training_gradient_checkpointing(model_classes, config, inputs):
    for model_class in model_classes:
        model = model_class(config)
        model.train()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        loss = model(**inputs).loss
        loss.backward()
        optimizer.step()


def test_create_from_modified_config(model_classes, config, inputs):
    for model_class in model_classes:
        model = model_class(config)
        model.eval()
        result = model(**inputs)
        assert result is not None
"""


def test_fresh_model_per_iteration():
    assert findings(FRESH_MODEL_PER_ITERATION) == []


# ---- training scripts (false alarms found on a corpus of public training code)

# a helpers module that never imports torch itself: `torch.no_grad()` still means no_grad
NO_GRAD_WITHOUT_IMPORT = """
def validate(model, loader, criterion):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for inputs, targets in loader:
            total += criterion(model(inputs), targets).item()
    return total
"""

# a tensor filled element by element through nested subscripts joins the graph
NESTED_SUBSCRIPT_FILL = """
import torch

x = torch.randn(3, 3).requires_grad_()
fx = torch.zeros_like(x)
for i in range(3):
    for j in range(3):
        fx[i][j] = torch.exp(-x[i][j])
fx.sum().backward()
"""

# an EMA copy whose parameters another method froze, reached through a getter
EMA_COPY_FROZEN_ELSEWHERE = """
import copy
import torch
import torch.nn as nn

class GAN:
    def __init__(self):
        self.netG = nn.Linear(4, 4)

    def build_average(self):
        self.avgG = copy.deepcopy(self.netG)
        for param in self.avgG.parameters():
            param.requires_grad = False

    def average_model(self):
        return self.avgG

    def step(self):
        for p, avg_p in zip(self.netG.parameters(), self.average_model().parameters()):
            avg_p.mul_(0.999).add_(0.001 * p.detach())
"""

# a loss bound on one branch only; the other branch builds the total without it
LOSS_BOUND_ON_ONE_BRANCH = """
import torch
import torch.nn as nn

D = nn.Linear(4, 1)
opt = torch.optim.SGD(D.parameters(), lr=0.1)
bce = nn.BCEWithLogitsLoss()
for step, real in enumerate(torch.randn(5, 2, 4)):
    opt.zero_grad()
    out = D(real)
    if step % 2:
        d_loss = out.mean()
    else:
        fake_loss = bce(out, torch.zeros(2, 1))
        d_loss = fake_loss / 2
    d_loss.backward()
    opt.step()
"""

# names local to an inlined forward() do not leak into the caller's freed graphs
FORWARD_LOCAL_NAMES = """
import torch
import torch.nn as nn

class D(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 1)
        self.aux = nn.Linear(4, 2)

    def forward(self, input):
        x = input * 2
        return self.fc(x), self.aux(x)

d = D()
opt = torch.optim.SGD(d.parameters(), lr=0.1)
for real in torch.randn(3, 2, 4):
    opt.zero_grad()
    score, _ = d(real)
    score.mean().backward()
    score2, aux = d(real + 1)
    aux.mean().backward()
    opt.step()
"""


def test_no_grad_named_without_import_is_no_grad():
    assert findings(NO_GRAD_WITHOUT_IMPORT) == []


def test_nested_subscript_fill_joins_the_graph():
    assert findings(NESTED_SUBSCRIPT_FILL) == []


def test_parameters_of_an_unknown_object_may_be_frozen():
    assert findings(EMA_COPY_FROZEN_ELSEWHERE) == []


def test_freed_graph_of_a_name_rebound_on_one_branch():
    assert findings(LOSS_BOUND_ON_ONE_BRANCH) == []


def test_inlined_forward_does_not_leak_its_names():
    assert findings(FORWARD_LOCAL_NAMES) == []


# ignite's EMA handler: parameters detached in place in __init__, updated in place later
EMA_PARAMETERS_DETACHED_IN_INIT = """
import copy
import torch.nn as nn

class EMA:
    def __init__(self, model: nn.Module):
        self.model = model
        self.ema_model = copy.deepcopy(model)
        for param in self.ema_model.parameters():
            param.detach_()
        self.ema_model.eval()

    def update(self, momentum):
        for ema_p, model_p in zip(self.ema_model.parameters(), self.model.parameters()):
            ema_p.mul_(1.0 - momentum).add_(model_p.detach(), alpha=momentum)
"""


def test_parameters_detached_in_place_are_frozen():
    assert findings(EMA_PARAMETERS_DETACHED_IN_INIT) == []


# diffusers ControlNetModel.forward: the model's base class comes from a module that is not
# resolved, and forward() collects each control block's output in a tuple (6f63c7f)
FORWARD_OF_UNRESOLVED_MODEL_BASE = """
from torch import nn

from .modeling_utils import ModelMixin


class ControlNet(ModelMixin):
    def __init__(self, channels):
        super().__init__()
        self.conv_in = nn.Conv2d(4, channels, 3)
        self.control_blocks = nn.ModuleList([])
        for _ in range(3):
            self.control_blocks.append(nn.Conv2d(channels, channels, 1))

    def forward(self, sample):
        sample = self.conv_in(sample)
        residuals = (sample, sample)
        outputs = ()
        for residual, block in zip(residuals, self.control_blocks):
            residual = block(residual)
            outputs = outputs + (residual,)
        return outputs
"""


def test_forward_of_a_model_with_an_unresolved_base_is_not_an_evaluation_loop():
    assert findings(FORWARD_OF_UNRESOLVED_MODEL_BASE) == []


# avalanche ffcv_transform_utils.py: a wrapper of a transform declared `module: torch.nn.Module`
# (callers pass torchvision transforms, modules without trainable parameters)
TRANSFORM_DECLARED_AS_A_MODULE = """
import torch


class SmartModuleWrapper:
    def __init__(self, module: torch.nn.Module):
        self.module = module

    def apply_convert(self, inp):
        res = self.module(torch.from_numpy(inp))
        return res.numpy()
"""

# the same declaration on a model the function trains: its output carries a graph
MODEL_DECLARED_AS_A_MODULE = """
import torch


def predict_all(model: torch.nn.Module, batches):
    model.train()
    return [model(torch.from_numpy(b)).numpy() for b in batches]
"""


def test_a_module_declared_by_annotation_owns_parameters_only_when_its_use_says_so():
    assert findings(TRANSFORM_DECLARED_AS_A_MODULE) == []
    assert findings(MODEL_DECLARED_AS_A_MODULE) == [(7, "GRD503")]
