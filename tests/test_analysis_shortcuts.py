"""Shortcuts of the analysis that must answer exactly what the longer way answers.

* ``callers._calls_for_training``: the pre-check of ``training_names`` without a search led by
  ``\\b`` (which tries every position of a text);
* ``loop_closures.closures_per_iteration``: a module that declares no ``nonlocal`` or ``global``
  name has no closure that carries one, and its loops are not walked.
"""

import random
import textwrap

import libcst as cst
import pytest

from gradlint.analysis import callers, loop_closures
from snippets import findings

TRAINING_TEXTS = [
    "",
    "x = 1\n",
    "loss.backward()\n",
    "opt.step()\n",
    "model.zero_grad()\n",
    "model.eval()\n",
    "model.eval(mode)\n",
    "t.numpy()\n",
    "plt.plot(xs)\n",
    "torch.tensor(xs)\n",
    "x = torch.Tensor(3)\n",
    "mytorch.tensor(xs)\n",
    "_torch.tensor(xs)\n",
    "torch.tensors(xs)\n",
    "np.stack(xs)\n",
    "numpy.array(xs)\n",
    "xnp.stack(xs)\n",
    "xnp.np.stack(xs)\n",
    "xnumpy.numpy.a(1)\n",
    "np.random.rand(3)\n",
    "np.stack (xs)\n",
    "np.(x)\n",
    "énp.stack(xs)\n",
    "·np.stack(xs)\n",
    "٣np.stack(xs)\n",
    "torch.as_tensor(x)",
    "(torch.DoubleTensor(x))",
    "anumpy.np.x(",
]


@pytest.mark.parametrize("text", TRAINING_TEXTS)
def test_the_training_call_check_answers_as_the_pattern(text):
    assert callers._calls_for_training(text) == (callers._TRAINING_CALL.search(text) is not None)


def test_the_training_call_check_answers_as_the_pattern_on_random_texts():
    pieces = ["np", "numpy", "torch", "tensor", "Tensor", ".", "(", ")", "x", "_", " ", "é", "\n", "step", "eval", "#"]
    rng = random.Random(30)
    checked = set()
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        checked.add(callers._calls_for_training(text))
        assert callers._calls_for_training(text) == (callers._TRAINING_CALL.search(text) is not None), text
    assert checked == {True, False}  # both answers were exercised


CLOSURE_RUN_PER_ITERATION = """\
def fit(loader, optimizer, model):
    total = 0

    for x in loader:
        def closure():
            {declare}
            loss = model(x).sum()
            loss.backward()
            total += loss
            return loss

        optimizer.step(closure)
    return total
"""


def _module(declare: str) -> cst.Module:
    return cst.parse_module(textwrap.dedent(CLOSURE_RUN_PER_ITERATION).format(declare=declare))


def _closure(module: cst.Module) -> cst.FunctionDef:
    return next(node for node in loop_closures.walk(module) if type(node) is cst.FunctionDef and node.name.value == "closure")


@pytest.mark.parametrize("declare", ["nonlocal total", "global total"])
def test_a_closure_that_declares_the_name_carries_it(declare):
    module = _module(declare)
    assert loop_closures.closures_per_iteration(module) == {id(_closure(module)): frozenset({"total"})}


def test_a_module_declaring_no_name_has_no_carrying_closure_and_its_loops_are_not_walked(monkeypatch):
    module = _module("pass")
    walks = []
    real_walk = loop_closures.walk

    def counting_walk(root, prune=()):
        walks.append(root)
        return real_walk(root, prune)

    monkeypatch.setattr(loop_closures, "walk", counting_walk)
    assert loop_closures.closures_per_iteration(module) == {}
    assert walks == [module]  # one walk of the module; before, every scope and loop was walked again


def test_the_carried_closure_total_is_still_reported_and_the_undeclared_one_is_not():
    source = """\
        import torch

        def fit(loader, optimizer, model):
            total = 0
            for x, y in loader:
                def closure():
                    nonlocal total
                    loss = torch.nn.functional.mse_loss(model(x), y)
                    loss.backward()
                    total += loss
                    return loss
                optimizer.step(closure)
            return total
        """
    assert [code for _, code in findings(source, "GRD502")] == ["GRD502"]
    assert findings(source.replace("nonlocal total", "pass"), "GRD502") == []
