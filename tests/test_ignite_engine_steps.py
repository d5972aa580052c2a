"""PyTorch-Ignite process functions: ``Engine(train_step)`` calls ``train_step(engine, batch)``
once per batch, so its body is a loop body though no ``for`` is written.

A training step that never clears gradients accumulates them over every iteration (GRD501); an
evaluation step in eval mode without ``no_grad`` records a graph for every batch (GRD505). A
handler of the engine that clears gradients, steps or backpropagates shares the loop's work: then
nothing is claimed. A step with a scheduler's ``step()`` in a handler is still a loop body.
"""

import pytest

from snippets import findings

HEADER = """\
import torch
import torch.nn as nn
{engine_import}

model = nn.Linear(4, 2)
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters())
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)

"""

TRAIN_STEP = """\
def train_step(engine, batch):
    model.train()
    x, y = batch
{clear}    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


trainer = Engine({process})
{handler}
trainer.run([], max_epochs=3)
"""

IGNITE = "from ignite.engine import Engine, Events"


def _train(clear="", handler="", engine_import=IGNITE, process="train_step"):
    source = HEADER.format(engine_import=engine_import) + TRAIN_STEP.format(clear=clear, handler=handler, process=process)
    return [(source.splitlines()[line - 1].strip(), code) for line, code in findings(source, "GRD501")]


STEP_REPORT = [("optimizer.step()", "GRD501")]


@pytest.mark.parametrize("process", ["train_step", "process_function=train_step"])
def test_a_process_function_that_never_clears_gradients_reports(process):
    assert _train(process=process) == STEP_REPORT


def test_the_engine_imported_from_its_module_or_as_a_module_attribute_is_recognised():
    assert _train(engine_import="from ignite.engine.engine import Engine\nfrom ignite.engine import Events") == STEP_REPORT
    source = HEADER.format(engine_import="import ignite.engine as ie") + TRAIN_STEP.format(clear="", handler="", process="train_step")
    source = source.replace("trainer = Engine(", "trainer = ie.Engine(")
    assert [code for _, code in findings(source, "GRD501")] == ["GRD501"]


def test_a_scheduler_step_in_a_handler_keeps_the_loop():
    handler = "\n@trainer.on(Events.EPOCH_COMPLETED)\ndef decay(engine):\n    scheduler.step()\n"
    assert _train(handler=handler) == STEP_REPORT


def test_a_step_that_clears_gradients_is_silent():
    assert _train(clear="    optimizer.zero_grad()\n") == []


@pytest.mark.parametrize(
    "handler",
    [
        "\n@trainer.on(Events.ITERATION_STARTED)\ndef clear(engine):\n    optimizer.zero_grad()\n",
        "\ndef clear(engine):\n    for p in model.parameters():\n        p.grad = None\n\n\ntrainer.add_event_handler(Events.ITERATION_COMPLETED, clear)\n",
    ],
)
def test_a_handler_that_clears_gradients_is_silent(handler):
    assert _train(handler=handler) == []


def test_an_engine_class_of_another_library_is_not_ignites():
    engine = "\n\nclass Engine:\n    def __init__(self, fn):\n        self.fn = fn\n\n    def run(self, data, max_epochs=1):\n        pass\n"
    assert _train(engine_import=engine) == []


EVAL_STEP = """\
def eval_step(engine, batch):
    model.eval()
    x, y = batch
{body}


evaluator = Engine(eval_step)
evaluator.run([])
"""


def _evaluate(body):
    source = HEADER.format(engine_import=IGNITE) + EVAL_STEP.format(body=body)
    return [(source.splitlines()[line - 1].strip(), code) for line, code in findings(source, "GRD505")]


def test_an_evaluation_step_without_no_grad_reports():
    assert _evaluate("    return model(x), y") == [("return model(x), y", "GRD505")]


def test_an_evaluation_step_under_no_grad_is_silent():
    assert _evaluate("    with torch.no_grad():\n        return model(x), y") == []


ACCUMULATION = """\
def train_step(engine, batch):
    model.train()
    x, y = batch
    loss = criterion(model(x), y) / 4
    loss.backward()
    if engine.state.iteration % 4 == 0:
        optimizer.step()
        optimizer.zero_grad()
    return loss.item()


trainer = Engine(train_step)
trainer.run([], max_epochs=3)
"""


def test_gradient_accumulation_in_a_process_function_is_silent():
    assert findings(HEADER.format(engine_import=IGNITE) + ACCUMULATION) == []


def test_a_decorated_process_function_is_not_walked_as_a_loop():
    # a decorator of another library may step and clear every n batches for the function
    source = HEADER.format(engine_import=IGNITE + "\nfrom workflow import every") + TRAIN_STEP.format(clear="", handler="", process="train_step")
    source = source.replace("def train_step(", "@every(2)\ndef train_step(")
    assert findings(source, "GRD501") == []


METHOD_ENGINE = """\
import torch
import torch.nn as nn
from ignite.engine import Engine, Events


class Trainer:
    def __init__(self):
        self.model = nn.Linear(4, 2)
        self.optimizer = torch.optim.Adam(self.model.parameters())
        self.engine = Engine(self._train_step)
{handler}
    def _train_step(self, engine, batch):
        self.model.train()
        x, y = batch
        loss = nn.functional.mse_loss(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss.item()
"""


def test_a_method_given_as_the_process_function_is_a_loop_body():
    source = METHOD_ENGINE.format(handler="")
    assert [source.splitlines()[line - 1].strip() for line, _ in findings(source, "GRD501")] == ["self.optimizer.step()"]


def test_a_method_handler_that_clears_gradients_is_silent():
    handler = (
        "        self.engine.add_event_handler(Events.ITERATION_STARTED, self._clear)\n\n"
        "    def _clear(self, engine):\n        self.optimizer.zero_grad()\n"
    )
    assert findings(METHOD_ENGINE.format(handler=handler), "GRD501") == []
