"""Shapes from the session-22 precision work (code nobody here wrote), as small programs.

- A warm-up forward whose statement drops the output (``_ = model(img) if cuda else None  # run
  once``, or ``model(x)`` alone in a timing loop) frees its graph at once: it is no evaluation loop
  that keeps activations (yolov5 test.py, no GRD505). The same forward whose output is kept, or
  whose activations a forward hook of the file stores (LSUV initialisation), still reports. So is
  one dropped after conversions (``model(x).detach().cpu().numpy()[0]`` alone: agilerl probe_envs).
- A module whose ``__init__`` replaces its layer's weight and bias by
  ``nn.Parameter(..., requires_grad=False)`` (a fixed random feature extractor) is not known to
  train: evaluating it over a dataset with gradients on keeps nothing (randomCNN vctk_identify.py,
  no GRD505/GRD502), in the model's file or another. Replacing only the weight of a layer with a
  bias leaves a trainable parameter: still reported.
- ``if args.fp16: scaler.step(opt) else: opt.step(); opt.zero_grad()`` in a repeat loop, with
  ``args`` bound once and ``args.fp16`` never assigned: the flag takes one side on every pass, so
  the plain side's step is never preceded by the scaled side's uncleared one (simpletransformers
  retrieval_model.py:994, no GRD501); the scaled side's own repeat still reports (:991). A flag
  assigned in the function, or bound in the loop, still joins both sides.
- ``Variable(x + delta, requires_grad=False)``: the author asks for a constant (TRADES' adversarial
  example, deeprobust trades.py), no GRD101; ``Variable(x + delta)`` still reports.
- ``x_orig = x`` before a chain rebinds ``x``, and only ``x_orig.grad`` read: the leaf is kept under
  another name (ART's estimators/pytorch.py, no GRD303); reading ``x.grad`` still reports.
- A model whose ``forward`` calls a function of the file that runs ``torch.autograd.grad`` (ART's
  gradient matching) needs grad mode to run: its eval-mode loop is no evaluation that forgot
  no_grad (no GRD505); a plain forward still reports.
- ``model.freeze()`` on a model of no class of the file (a LightningModule's freeze() stops every
  parameter requiring grad), even under ``if hasattr(model, "freeze"):``: its outputs are not
  known to keep a graph (ART's GOTURN tracker, no GRD505/GRD502).
- ``if not isinstance(x, torch.Tensor): x = torch.FloatTensor(np.array(x))``: in that branch ``x``
  is no tensor, whatever a caller gave (agilerl modules/gpt.py, no GRD503).
- ``for proto in self.prototypes:`` freezing every member's parameters in ``__init__``: the
  container's members are frozen in every method (solo-learn DeepClusterV2, no GRD201 on
  ``proto.weight.copy_(centro)``); a freeze of some members only still reports.
- A caller's ``if mask is None:`` around a call is no test of the callee's parameter of the same
  name: the callee proves nothing of it, and the caller's ``None`` stays None (ART's TensorFlow
  adversarial patch, no GRD503).
"""

from gradlint.engine import lint_bytes
from gradlint.rules import BY_CODE
from snippets import findings

WARM_UP = """\
import torch
import torch.nn as nn


def evaluate(model, batches, device):
    model.eval()
    {warm}
    total = 0.0
    with torch.no_grad():
        for x in batches:
            total += model(x).sum().item()
    return total


model = nn.Linear(4, 2)
data = [torch.randn(3, 4) for _ in range(2)]
results = []
for size in (1, 2, 3):
    results.append(evaluate(model, data, "cpu"))
"""


def _warm_up(line):
    source = WARM_UP.format(warm=line)
    return [(source.splitlines()[n - 1].strip(), code) for n, code in findings(source, "GRD505")]


def test_a_warm_up_forward_assigned_to_underscore_is_not_reported():
    assert _warm_up('_ = model(torch.zeros(1, 4)) if device != "cpu" else None  # run once') == []


def test_a_warm_up_forward_alone_is_not_reported():
    assert _warm_up("model(torch.zeros(1, 4))") == []


def test_a_kept_warm_up_output_still_reports():
    line = "first = model(torch.zeros(1, 4)); results.append(first)"
    assert _warm_up(line) == [(line, "GRD505")]


TIMING = """\
import torch
import torch.nn as nn

store = []
model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
{hook}
model.eval()
for step in range(10):
    model(torch.randn(8, 4))
"""


def test_a_timing_loop_that_drops_every_output_is_not_reported():
    assert findings(TIMING.format(hook=""), "GRD505") == []


def test_a_loop_whose_outputs_a_forward_hook_stores_still_reports():
    hook = "model[0].register_forward_hook(lambda m, i, o: store.append(o))"
    assert findings(TIMING.format(hook=hook), "GRD505") == [(9, "GRD505")]


RANDOM_NET = """\
import torch
import torch.nn as nn


class RandomFeatures(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, kernel_size=3)
        self.act = nn.LeakyReLU(0.2)
        self.conv.weight = nn.Parameter(torch.randn(self.conv.weight.shape), requires_grad=False)
{bias}
    def forward(self, x):
        return self.act(self.conv(x))
"""

FROZEN_BIAS = "        self.conv.bias = nn.Parameter(torch.zeros(8), requires_grad=False)\n"

FEATURES = """\
import torch
{header}

net = RandomFeatures()
net.eval()
grams = []
for i in range(4):
    out = net(torch.randn(1, 1, 16, 16))
    grams.append(out.flatten(1) @ out.flatten(1).t())
"""


def _features(tmp_path, bias, own_file):
    """GRD505 and GRD502 findings on the extraction loop, the model's class in the file or in another."""
    net = RANDOM_NET.format(bias=bias)
    header = "\n" + net if own_file else "from nets import RandomFeatures\n"
    src = FEATURES.format(header=header)
    (tmp_path / "nets.py").write_text(net)
    path = tmp_path / "extract.py"
    path.write_text(src)
    rules = [BY_CODE["GRD505"], BY_CODE["GRD502"]]
    lines = src.splitlines()
    return sorted((lines[f.line - 1].strip(), f.code) for f in lint_bytes(path.read_bytes(), str(path), rules))


def test_a_model_whose_layer_parameters_are_replaced_by_frozen_ones_keeps_nothing(tmp_path):
    assert _features(tmp_path, FROZEN_BIAS, own_file=True) == []
    assert _features(tmp_path, FROZEN_BIAS, own_file=False) == []


def test_a_model_whose_layer_keeps_a_trainable_bias_still_reports(tmp_path):
    found = _features(tmp_path, "", own_file=True)
    assert ("out = net(torch.randn(1, 1, 16, 16))", "GRD505") in found
    assert found == _features(tmp_path, "", own_file=False)


REPEATS = """\
import torch
import torch.nn as nn


def train(model, loader, args):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.cuda.amp.GradScaler(enabled=args.fp16)
    {setup}
    for epoch in range(args.epochs):
        for x, y in loader:
            while True:
                loss = nn.functional.mse_loss(model(x), y)
                if loss.item() < args.threshold:
                    break
                if args.fp16:
                    scaler.scale(loss).backward()
                else:
                    loss.backward()
                if args.fp16:
                    scaler.step(optimizer)
                    scaler.update()
                    {fp16_clear}
                else:
                    optimizer.step()
                    optimizer.zero_grad()
"""

PLAIN_STEP = "optimizer.step()"


def _repeats(setup="pass", fp16_clear="pass"):
    source = REPEATS.format(setup=setup, fp16_clear=fp16_clear)
    return [(source.splitlines()[n - 1].strip(), code) for n, code in findings(source, "GRD501")]


def test_a_flag_fixed_for_the_function_does_not_join_its_two_sides():
    # the side that clears after its step is never preceded by the side that does not
    assert _repeats(fp16_clear="optimizer.zero_grad()") == []
    assert ("scaler.step(optimizer)", "GRD501") in _repeats()
    assert (PLAIN_STEP, "GRD501") not in _repeats()


def test_a_flag_assigned_in_the_function_still_joins_its_sides():
    assert (PLAIN_STEP, "GRD501") in _repeats(setup="args.fp16 = torch.cuda.is_available()")


def test_a_flag_bound_in_the_loop_still_joins_its_sides():
    source = REPEATS.format(setup="pass", fp16_clear="pass").replace(
        "            while True:\n", "            while True:\n                args = next(settings)\n"
    )
    assert (PLAIN_STEP, "GRD501") in [(source.splitlines()[n - 1].strip(), code) for n, code in findings(source, "GRD501")]


ADVERSARIAL = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

model = nn.Linear(4, 2)
x = torch.rand(8, 4)
y = torch.randint(0, 2, (8,))
delta = (0.01 * torch.randn(8, 4)).requires_grad_()
loss = F.cross_entropy(model(x + delta), y)
loss.backward()
x_adv = {wrap}
F.cross_entropy(model(x_adv), y).backward()
"""


def test_a_variable_asked_not_to_require_grad_is_a_constant_on_purpose():
    # TRADES' adversarial example: `Variable(x_natural + delta, requires_grad=False)` (deeprobust)
    assert findings(ADVERSARIAL.format(wrap="Variable(x + delta, requires_grad=False)"), "GRD101") == []
    assert findings(ADVERSARIAL.format(wrap="Variable(x + delta)"), "GRD101") == [(12, "GRD101")]


CHAIN = """\
import torch


def chain_gradients(x, gradients, steps):
    x = torch.tensor(x, requires_grad=True)
    {keep}
    for step in steps:
        x = step.estimate_forward(x)
    x.backward(torch.tensor(gradients))
    return {read}.grad.numpy()
"""


def test_a_leaf_kept_under_another_name_loses_nothing_when_rebound():
    # ART's PyTorch estimator: `x_orig = x`, the defences' chain rebinds `x`, `x_orig.grad` is read
    assert findings(CHAIN.format(keep="x_orig = x", read="x_orig"), "GRD303") == []
    assert findings(CHAIN.format(keep="pass", read="x"), "GRD303") == [(8, "GRD303")]


MATCHING = """\
import torch
import torch.nn as nn


def weight_grad(classifier, x):
    loss = classifier(x).square().mean()
    grads = torch.autograd.grad(loss, list(classifier.parameters()), create_graph=True)
    return torch.cat([g.flatten() for g in grads])


class Matcher(nn.Module):
    def __init__(self, classifier):
        super().__init__()
        self.classifier = classifier
        self.noise = nn.Parameter(torch.zeros(4))

    def forward(self, x, target):
        {body}


matcher = Matcher(nn.Linear(4, 2))
target = torch.randn(10)
matcher.eval()
scores = []
for x in [torch.randn(3, 4) for _ in range(5)]:
    score = matcher(x, target)
    scores.append(score.detach())
"""


def test_a_model_whose_forward_takes_gradients_needs_grad_mode():
    # ART's gradient matching poisoning: the backdoor model's forward runs autograd.grad itself
    body = "return 1 - torch.cosine_similarity(weight_grad(self.classifier, x + self.noise), target, dim=0)"
    assert findings(MATCHING.format(body=body), "GRD505") == []
    plain = "return torch.cosine_similarity(self.classifier(x + self.noise).flatten()[:10], target, dim=0)"
    assert findings(MATCHING.format(body=plain), "GRD505") == [(26, "GRD505")]


TRACKER = """\
import torch


class Tracker:
    def __init__(self, model):
        self._model = model

    def predict(self, frames):
        self._model.eval()
        {freeze}
        boxes = []
        for frame in frames:
            boxes.append(self._model(frame))
        return torch.stack(boxes).detach().numpy()
"""


def test_a_model_frozen_by_its_own_freeze_method_keeps_no_graph():
    # ART's GOTURN tracker: `if hasattr(self._model, "freeze"): self._model.freeze()` (Lightning)
    frozen = TRACKER.format(freeze='if hasattr(self._model, "freeze"):\n            self._model.freeze()')
    assert findings(frozen, "GRD505", "GRD502") == []
    assert findings(TRACKER.format(freeze="pass"), "GRD505", "GRD502") != []


def test_a_dropped_forward_converted_on_the_way_is_not_reported():
    # agilerl's probe checks: `agent.critic(state, action).detach().cpu().numpy()[0]` alone
    assert _warm_up("model(torch.zeros(1, 4)).detach().cpu().numpy()[0]") == []
    line = "first = model(torch.zeros(1, 4)).detach().cpu().numpy()[0]; results.append(first)"
    assert _warm_up(line) == [(line, "GRD505")]


CONVERTING = """\
import numpy as np
import torch
import torch.nn as nn


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        if {test}:
            x = torch.FloatTensor(np.array(x))
        return self.fc(x)


encoder = nn.Linear(4, 4)
head = Head()
out = head(encoder(torch.randn(3, 4)))
out.sum().backward()
"""


def test_a_branch_for_what_is_not_a_tensor_converts_no_grad_tensor():
    # agilerl's GPT MLP: `if not isinstance(x, torch.Tensor): x = torch.FloatTensor(np.array(x))`
    assert findings(CONVERTING.format(test="not isinstance(x, torch.Tensor)"), "GRD503") == []
    assert findings(CONVERTING.format(test="x.dim() == 2"), "GRD503") == [(13, "GRD503")]


PROTOTYPES = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Clusterer(nn.Module):
    def __init__(self, dim, counts):
        super().__init__()
        self.head = nn.Linear(dim, dim)
        self.prototypes = nn.ModuleList([nn.Linear(dim, n, bias=False) for n in counts])
        for proto in self.prototypes:
            {freeze}

    def start_epoch(self, centroids):
        for proto, centro in zip(self.prototypes, centroids):
            proto.weight.copy_(centro)

    def forward(self, x):
        z = F.normalize(self.head(x), dim=-1)
        return [proto(z) for proto in self.prototypes]
"""


def test_members_of_a_container_frozen_one_by_one_are_frozen_in_other_methods():
    # solo-learn DeepClusterV2: prototypes frozen member by member in __init__, refilled each epoch
    frozen = "for params in proto.parameters():\n                params.requires_grad = False"
    assert _prototypes(frozen) == []
    assert _prototypes("pass") == [("proto.weight.copy_(centro)", "GRD201")]
    some = "if proto.out_features > 2:\n                proto.requires_grad_(False)"
    assert _prototypes(some) == [("proto.weight.copy_(centro)", "GRD201")]


def _prototypes(freeze):
    source = PROTOTYPES.format(freeze=freeze)
    return [(source.splitlines()[n - 1].strip(), code) for n, code in findings(source, "GRD201")]


NONE_MASK = """\
import numpy as np


def positions(mask):
    return np.argwhere(mask).shape[0]


def score(images, mask):
    if mask is not None:
        return positions(mask)
    return images.sum()


def generate(batches, mask=None):
    total = 0
    if mask is None:
        for images in batches:
            total += score(images, None)
    else:
        for images in batches:
            total += score(images, mask)
    return total
"""


def test_a_callers_none_test_proves_nothing_about_the_callee():
    # ART's TensorFlow patch attack: the caller's `if mask is None:` was taken for a test of the
    # callee's own `mask`, which then "proved" the argument `None` a grad tensor
    assert findings(NONE_MASK, "GRD503") == []



def test_a_tensor_set_on_a_layer_is_no_parameter_replaced():
    # only `nn.Parameter(..., requires_grad=False)` replaces a parameter: a mask tensor stored on
    # the layer leaves it training, and the history of its outputs still reports
    source = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.fc.mask = torch.ones(2, 4)

    def forward(self, x):
        return self.fc(x)


net = Net()
history = []
for step in range(5):
    history.append(net(torch.randn(3, 4)))
"""
    assert findings(source, "GRD502") == [(18, "GRD502")]
