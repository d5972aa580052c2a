"""A helper that backpropagates its parameter on every way out proves the caller's argument.

``loss.backward()`` raises unless ``loss`` requires grad; when a helper does it for its caller
(``self._update(loss)``, ``backward_step(loss, optimizer)``), the caller's ``loss`` requires grad
once the call returns, wherever it came from (here: a loss function of another file, unknown to
a file linted alone). Accumulating it afterwards keeps every iteration's graph (GRD502).
"""

import pytest

from snippets import findings

HELPER = """\
import torch
from losses import compute_loss


def backward_step(loss, optimizer):
    BODY


def train(model, loader, optimizer):
    total = 0
    for batch in loader:
        loss = compute_loss(model, batch)
        CALL
        ACCUMULATE
    return total
"""


def helper(body, call="backward_step(loss, optimizer)", accumulate="total += loss"):
    body = body.replace("\n", "\n    ")
    return HELPER.replace("BODY", body).replace("CALL", call).replace("ACCUMULATE", accumulate)


UNCONDITIONAL = "optimizer.zero_grad()\nloss.backward()\noptimizer.step()"


def test_a_helper_that_backpropagates_its_parameter_proves_the_argument():
    assert findings(helper(UNCONDITIONAL), "GRD502") == [(16, "GRD502")]


def test_the_argument_given_by_keyword():
    source = helper(UNCONDITIONAL, call="backward_step(optimizer=optimizer, loss=loss)")
    assert findings(source, "GRD502") == [(16, "GRD502")]


def test_an_exit_for_a_none_loss_has_nothing_to_backpropagate():
    body = "if loss is None:\n    return\n" + UNCONDITIONAL
    assert findings(helper(body), "GRD502") == [(18, "GRD502")]


def test_an_exit_that_raises_hands_nothing_back():
    body = "if not torch.isfinite(loss):\n    raise ValueError('nan loss')\n" + UNCONDITIONAL
    assert findings(helper(body), "GRD502") == [(18, "GRD502")]


def test_a_loss_scaled_in_place_is_the_same_tensor():
    body = "loss *= 0.5\n" + UNCONDITIONAL
    assert findings(helper(body), "GRD502") == [(17, "GRD502")]


@pytest.mark.parametrize(
    "body",
    [
        # backpropagated on some calls only
        "if optimizer is not None:\n    loss.backward()",
        "if loss.item() > 10:\n    return\nloss.backward()",
        # another object is backpropagated: `loss + reg` may carry the graph through reg alone
        "loss = loss + optimizer.reg\nloss.backward()",
        "total = loss.sum() + optimizer.reg\ntotal.backward()",
        # a generator's body runs only when it is iterated
        "loss.backward()\nyield loss",
        # nothing backpropagated
        "optimizer.step()",
    ],
    ids=["conditional", "early-exit", "rebound", "other-value", "generator", "no-backward"],
)
def test_no_proof_unless_every_exit_backpropagates_the_parameter(body):
    assert findings(helper(body), "GRD502") == []


@pytest.mark.parametrize(
    "accumulate",
    ["total += loss.item()", "total += loss.detach()", "total += float(loss)"],
)
def test_what_the_caller_keeps_without_the_graph(accumulate):
    assert findings(helper(UNCONDITIONAL, accumulate=accumulate), "GRD502") == []


def test_another_argument_of_the_helper_is_not_proven():
    source = HELPER.replace("def backward_step(loss, optimizer):", "def backward_step(loss, optimizer, aux):")
    source = source.replace("BODY", "loss.backward()")
    source = source.replace("CALL", "backward_step(loss.sum(), optimizer, loss)")
    assert findings(source.replace("ACCUMULATE", "total += loss"), "GRD502") == []


def test_an_object_with_methods_no_tensor_has_is_not_proven():
    # a user Loss object with its own backward(): the helper's backward() proves nothing of it
    source = helper(UNCONDITIONAL, accumulate="total += loss\n        loss.reset_stats()")
    assert findings(source, "GRD502") == []


TRAINER = """\
import torch
from losses import compute_loss


class Trainer:
    def __init__(self, model, optimizer):
        self.model = model
        self.optimizer = optimizer
        self.history = []

    def _update(self, loss):
        if loss is None:
            return 0
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def fit(self, loader):
        for batch in loader:
            loss = compute_loss(self.model, batch)
            self._update(loss)
            self.history.append(loss)
"""


def test_a_method_of_the_trainer_proves_the_argument():
    assert findings(TRAINER, "GRD502") == [(23, "GRD502")]


def test_a_retained_graph_released_by_the_caller():
    source = TRAINER.replace("self.history.append(loss)", "self.history.append(loss.detach().cpu())")
    assert findings(source, "GRD502") == []
