"""GRD101 across a return: a function hands back ``torch.tensor(losses).mean()`` and its caller
backpropagates the result alone.

What the packed elements were is not known (the model is a parameter), but a tensor built by
``torch.tensor`` never requires grad, so the caller's ``backward()`` raises "element 0 of tensors
does not require grad". The pitfall is the packing, reported in the callee. It is reported only
when the caller's call is known to reach the function and the receiver of ``backward()`` is
computed from the result alone; another operand that may carry a graph, a result made to require
grad again, or a call reaching another function of the same name proves nothing.
"""

from gradlint.analysis.module_digests import dependency_digest
from snippets import findings
from test_project import lint, write

HELPER = """\
import torch


def total_loss(model, x, y, criterion):
    losses = []
    for head in range(3):
        losses.append(criterion(model(x), y))
    return torch.tensor(losses).mean()
"""

CALLER = """\

def train(model, loader, optimizer, criterion):
    for x, y in loader:
        optimizer.zero_grad()
        loss = total_loss(model, x, y, criterion)
        USE
        optimizer.step()
"""


def program(use, helper=HELPER):
    return helper + CALLER.replace("USE", use)


def test_caller_backpropagates_the_returned_packing():
    assert findings(program("loss.backward()"), "GRD101") == [(8, "GRD101")]


def test_through_a_number_and_a_scaler():
    assert findings(program("(loss / 4).backward()"), "GRD101") == [(8, "GRD101")]
    assert findings(program("scaler.scale(loss * 0.5).backward()"), "GRD101") == [(8, "GRD101")]


def test_packing_bound_to_a_name_then_returned():
    helper = HELPER.replace("    return torch.tensor(losses).mean()", "    packed = torch.tensor(losses)\n    return packed.sum()")
    assert findings(program("loss.backward()", helper), "GRD101") == [(8, "GRD101")]


def test_method_called_through_self():
    src = """\
    import torch

    class Trainer:
        def compute_loss(self, batch):
            parts = [self.criterion(self.model(x), y) for x, y in batch]
            return torch.tensor(parts).sum()

        def step(self, batch):
            self.optimizer.zero_grad()
            loss = self.compute_loss(batch)
            loss.backward()
            self.optimizer.step()
    """
    assert findings(src, "GRD101") == [(6, "GRD101")]


def test_caller_in_another_file(tmp_path):
    write(
        tmp_path,
        {
            "losses.py": HELPER,
            "train.py": "from losses import total_loss\n" + CALLER.replace("USE", "loss.backward()"),
        },
    )
    assert lint(tmp_path / "losses.py") == [(8, "GRD101")]


def test_caller_in_another_file_through_the_module(tmp_path):
    caller = "import losses\n" + CALLER.replace("total_loss(", "losses.total_loss(").replace("USE", "loss.backward()")
    write(tmp_path, {"losses.py": HELPER, "train.py": caller})
    assert lint(tmp_path / "losses.py") == [(8, "GRD101")]


def test_silent_when_another_operand_may_carry_the_graph():
    src = program("(loss + model.regularizer()).backward()")
    assert findings(src, "GRD101") == []


def test_silent_when_a_name_also_holds_another_value():
    src = program("loss = loss if loss > 0 else criterion(model(x), y)\n        loss.backward()")
    assert findings(src, "GRD101") == []


def test_silent_when_the_result_requires_grad_again():
    assert findings(program("loss.requires_grad_()\n        loss.backward()"), "GRD101") == []


def test_silent_when_only_logged():
    assert findings(program("print(loss.item())\n        criterion(model(x), y).backward()"), "GRD101") == []


def test_numbers_packed_raise_the_same():
    # `.item()`s packed: the backward raises all the same, as it does in one scope
    helper = HELPER.replace("losses.append(criterion(model(x), y))", "losses.append(criterion(model(x), y).item())")
    assert findings(program("loss.backward()", helper), "GRD101") == [(8, "GRD101")]


def test_silent_for_a_packing_made_a_leaf_that_requires_grad():
    helper = HELPER.replace("torch.tensor(losses)", "torch.tensor(losses, requires_grad=True)")
    assert findings(program("loss.backward()", helper), "GRD101") == []


def test_silent_when_the_caller_reaches_another_function_of_that_name(tmp_path):
    other = "def total_loss(model, x, y, criterion):\n    return criterion(model(x), y)\n" + CALLER.replace("USE", "loss.backward()")
    write(tmp_path, {"losses.py": HELPER, "train.py": other})
    assert lint(tmp_path / "losses.py") == []


def test_silent_for_a_method_of_another_class():
    src = """\
    import torch

    class Evaluator:
        def compute_loss(self, batch):
            parts = [self.criterion(self.model(x), y) for x, y in batch]
            return torch.tensor(parts).sum()

    class Trainer:
        def compute_loss(self, batch):
            return self.criterion(self.model(batch[0]), batch[1])

        def step(self, batch):
            loss = self.compute_loss(batch)
            loss.backward()
    """
    assert findings(src, "GRD101") == []


def test_the_cache_key_follows_a_caller_that_calls_no_training_function(tmp_path):
    caller = "from losses import total_loss\n" + CALLER.replace("USE", "print(loss)")
    write(tmp_path, {"losses.py": HELPER, "train.py": caller})
    path = tmp_path / "losses.py"
    before = dependency_digest(str(path), path.read_text())
    (tmp_path / "train.py").write_text(caller.replace("print(loss)", "loss.backward()"))
    assert dependency_digest(str(path), path.read_text()) != before
