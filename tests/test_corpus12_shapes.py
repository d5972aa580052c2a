"""Shapes of corpus12 (held-out training code from tutorials, course material and research
repositories, many taken at the commit before a public fix) that the analysis misjudged.

Our own snippets, each a complete program: positives carry ``# expect: CODE``, negatives are the
correct look-alikes.
"""

import pytest

from snippets import case_maker, findings

case501 = case_maker("GRD501")
case505 = case_maker("GRD505")
case203 = case_maker("GRD203")

# ---- GRD501: a step reached again with no backward() since it last ran adds no new gradients.
# A WGAN's generator update: clear and backward in an inner loop of `gen_iters` iterations, then one
# step. On the path where that inner loop runs no iteration nothing was cleared, but nothing was
# backpropagated into the generator either (the critic's backward after the generator's step does
# not reach it): the step does not add new gradients to old ones.

GAN_INNER_LOOPS = """\
import torch
import torch.nn as nn


def train(batches, iters, gen_iters, critic_iters):
    gen = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 3))
    critic = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1))
    opt_g = torch.optim.Adam(gen.parameters(), lr=1e-3)
    opt_c = torch.optim.Adam(critic.parameters(), lr=1e-3)
    for it in range(iters):
        for p in critic.parameters():
            p.requires_grad_(False)
        for i in range(gen_iters):
            {gen_clear}
            g_cost = critic(gen(torch.randn(4, 3))).mean()
            g_cost.backward()
        opt_g.step(){mark}
        for p in critic.parameters():
            p.requires_grad_(True)
        for i in range(critic_iters):
            critic.zero_grad()
            with torch.no_grad():
                fake = gen(torch.randn(4, 3))
            c_cost = critic(fake).mean() - critic(batches[i]).mean() + {penalty}
            c_cost.backward()
            opt_c.step()


train([torch.randn(4, 3)] * 3, 2, 1, 3)
"""


def _gan(gen_clear="gen.zero_grad()", penalty="0.0", mark=""):
    return GAN_INNER_LOOPS.format(gen_clear=gen_clear, penalty=penalty, mark=mark)


# the generator's gradients come from backward()s of a loss through `gen`, cleared only in the
# warm-up iterations: the next step adds them to the old ones (still reported)
CONDITIONAL_CLEAR_THROUGH_MODEL = """\
import torch
import torch.nn as nn

model = nn.Linear(4, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(6):
    x, y = torch.randn(2, 4), torch.randn(2, 1)
    if step < 3:
        opt.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    opt.step()  # expect: GRD501
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        case501("conditional-clear-then-backward-through-the-model", CONDITIONAL_CLEAR_THROUGH_MODEL, lines=(12,)),
        case501(
            "generator-never-cleared",
            _gan(gen_clear="pass", mark="  # expect: GRD501"),
            lines=(17,),
        ),
    ],
)
def test_grd501_repeated_step_with_new_gradients(src, lines):
    assert findings(src, "GRD501") == [(line, "GRD501") for line in lines]


@pytest.mark.parametrize(
    "src",
    [
        pytest.param(_gan(), id="generator-cleared-in-an-inner-loop-that-may-run-no-iteration"),
        pytest.param(
            _gan(penalty="critic.weight_penalty(batches[i])"),
            id="critic-loss-of-unknown-reach-after-the-generator-step",
        ),
    ],
)
def test_grd501_repeated_step_without_new_gradients_silent(src):
    assert findings(src, "GRD501") == []


# ---- GRD505: a loop that clears gradients and hands its loss (or model) to another library's
# function takes gradients there. MAML's inner loop adapts a copy of the parameters with
# `torch.autograd.grad` inside a library helper; its evaluation runs in eval() mode on purpose.

MAML_ADAPT = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
{imports}


class MetaLearner:
    def __init__(self, model):
        self.model = model

    def adapt(self, inputs, targets, steps):
        params = None
        for step in range(steps):
            logits = self.model(inputs){mark}
            inner_loss = F.cross_entropy(logits, targets)
            {clear}
            params = {update}(self.model, inner_loss, params=params)
        return params

    def evaluate(self, tasks):
        self.model.eval()
        return [self.adapt(x, y, 2) for x, y in tasks]


learner = MetaLearner(nn.Linear(4, 3))
learner.evaluate([(torch.randn(5, 4), torch.randint(0, 3, (5,)))])
"""


def _maml(clear="self.model.zero_grad()", update="gradient_update_parameters", imports=None, mark=""):
    imports = imports if imports is not None else "from metalib.utils import gradient_update_parameters"
    return MAML_ADAPT.format(clear=clear, update=update, imports=imports, mark=mark)


LOCAL_METRIC = """\
def record_metric(model, loss, params=None):
    return params
"""


@pytest.mark.parametrize(
    "src,lines",
    [
        # no clear: an evaluation loop that logs its loss through a library's function
        case505("library-call-without-clearing-gradients", _maml(clear="pass", mark="  # expect: GRD505"), lines=(14,)),
        # a function of this file that takes no gradient: its body is known
        case505(
            "clearing-loop-handing-to-a-known-function",
            _maml(update="record_metric", imports=LOCAL_METRIC, mark="  # expect: GRD505"),
            lines=(16,),
        ),
    ],
)
def test_grd505_evaluation_loop(src, lines):
    assert findings(src, "GRD505") == [(line, "GRD505") for line in lines]


def test_grd505_loop_handing_loss_to_a_library_after_clearing_silent():
    assert findings(_maml(), "GRD505") == []


# ---- GRD203: the right-hand side of `x.data = f(x)` builds a graph that is dropped at once: what
# its ops saved is saved for no backward(). An FGSM step clamps `delta + alpha * sign(grad)` into
# `delta.data`, then projects it again through `.data`, and the training step backpropagates a
# fresh graph afterwards.

FGSM_TRAIN = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def train(batches, alpha, eps):
    model = nn.Linear(3, 3)
    opt = torch.optim.Adam(model.parameters())
    for x, y in batches:
        delta = torch.zeros_like(x).uniform_(-eps, eps)
        delta.requires_grad = True
        loss = F.cross_entropy(model(x + delta), y)
        loss.backward()
        grad = delta.grad.detach()
        {update}
        delta.data = torch.max(torch.min(1 - x, delta.data), 0 - x){mark}
        delta = delta.detach()
        loss = F.cross_entropy(model(torch.clamp(x + delta, 0, 1)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()


train([(torch.rand(2, 3), torch.tensor([0, 2]))], 0.1, 0.3)
"""


def test_grd203_data_assignment_of_a_throwaway_graph_silent():
    src = FGSM_TRAIN.format(update="delta.data = torch.clamp(delta + alpha * torch.sign(grad), -eps, eps)", mark="")
    assert findings(src, "GRD203") == []


@pytest.mark.parametrize(
    "src,lines",
    [
        # `delta * 2` saved delta for a graph that is backpropagated later: the `.data` write after it
        # changes what that backward() reads
        case203(
            "graph-kept-across-the-data-write",
            FGSM_TRAIN.format(
                update="kept = (delta * delta).sum()", mark="  # expect: GRD203"
            ).replace("        delta = delta.detach()\n", "        kept.backward()\n        delta = delta.detach()\n"),
            lines=(16,),
        ),
    ],
)
def test_grd203_data_write_to_a_saved_tensor(src, lines):
    assert findings(src, "GRD203") == [(line, "GRD203") for line in lines]


# ---- code of torch < 0.4 names a keyword argument `async` (`x.cuda(async=True)`), a keyword since
# Python 3.7: CPython and libcst reject the file. It is analysed with the argument spelt `Async`
# (same length: lines and columns unchanged), and no fix is written into it.

OLD_ASYNC = """\
import torch
import torch.nn as nn


def test(model, loader):
    model.eval()
    for inputs, targets in loader:
        inputs, targets = inputs.cuda(), targets.cuda(async=True)
        outputs = model(inputs)  # expect: GRD505
        print(outputs.sum().item())


net = nn.Linear(4, 2)
test(net, [(torch.randn(3, 4), torch.tensor([0, 1, 0]))])
"""


def test_async_keyword_argument_of_old_torch_is_analysed():
    assert findings(OLD_ASYNC) == [(9, "GRD505")]


def test_async_keyword_argument_keeps_columns_and_writes_no_fix():
    from gradlint.engine import lint_text
    from gradlint.rules import ALL_RULES

    src = OLD_ASYNC.replace("outputs = model(inputs)", "outputs = model(inputs.cuda(async=True))").replace(
        "        print(outputs.sum().item())", "        outputs.detach()"
    )
    sink: list = []
    found = lint_text(src, "snippet.py", list(ALL_RULES), fix_sink=sink)
    assert [(f.line, f.column, f.code) for f in found] == [(9, 19, "GRD505"), (10, 9, "GRD507")]
    assert found[1].fix  # GRD507 offers a fix, which is not written into a renamed file
    assert sink == []


def test_file_still_invalid_after_the_rename_is_a_syntax_error():
    src = OLD_ASYNC.replace("        print(outputs.sum().item())", "        print outputs.sum().item()")
    assert [code for _, code in findings(src)] == ["GRD001"]


def test_modern_async_code_is_untouched():
    src = """\
    import asyncio
    import torch


    async def fetch(queue):
        item = await queue.get()
        return torch.as_tensor(item)
    """
    assert findings(src) == []
