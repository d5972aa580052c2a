"""Names of project code the analysis did not read (past the import budget or depth, a torch-free
``__init__`` re-exporting its package's classes, a module too large) are unknown, not a library's:
a rule must not fire on the default where the fact it needs lies in that code."""

import textwrap

import pytest

from gradlint.analysis.project import forget_projects, project_for
from gradlint.analysis.unread_modules import tells_nothing
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def lint(path, *codes):
    rules = [rule for rule in ALL_RULES if (rule.code in codes if codes else rule.default_enabled())]
    forget_projects()
    try:
        return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]
    finally:
        forget_projects()


# a solver whose forward builds no graph unless it is unfolded (deepinv's iterative solvers)
SOLVER = """\
    from contextlib import nullcontext

    import torch
    import torch.nn as nn


    class Solver(nn.Module):
        def __init__(self, unfold=False):
            super().__init__()
            self.unfold = unfold
            self.step = nn.Parameter(torch.ones(1))

        def forward(self, y):
            context = torch.no_grad() if not self.unfold else nullcontext()
            with context:
                return y * self.step
    """

# an evaluation script: eval() then a loop of forwards with no no_grad
EVALUATE = """\
    import torch
    from solvers import Solver

    model = Solver()
    model.eval()
    outputs = []
    for y in [torch.randn(3) for _ in range(4)]:
        outputs.append(model(y))
    """


def test_a_class_reexported_by_a_torch_free_init_is_unknown_not_a_library_model(tmp_path):
    # solvers/__init__.py never mentions torch: it only re-exports. Before, the class was taken for a
    # library's plain model and the loop was reported
    write(tmp_path, {"solvers/__init__.py": "from .optimizers import Solver\n", "solvers/optimizers.py": SOLVER, "run.py": EVALUATE})
    assert lint(tmp_path / "run.py", "GRD505") == []


def test_a_class_reexported_by_an_init_that_is_read_keeps_its_facts(tmp_path):
    # the same solver with a plain forward, through an __init__ the analysis reads: reported
    plain = SOLVER.replace("context = torch.no_grad() if not self.unfold else nullcontext()", "context = nullcontext()")
    init = "import torch\n\nfrom .optimizers import Solver\n"
    write(tmp_path, {"solvers/__init__.py": init, "solvers/optimizers.py": plain, "run.py": EVALUATE})
    assert lint(tmp_path / "run.py", "GRD505") == [(8, "GRD505")]


def test_a_library_model_keeps_the_default(tmp_path):
    # not the project's code: a library class is a plain model, as before
    write(tmp_path, {"run.py": EVALUATE.replace("from solvers import Solver", "from torchvision.models import resnet18 as Solver")})
    assert lint(tmp_path / "run.py", "GRD505") == [(8, "GRD505")]


# a checkpoint helper importing its classes inside functions (sevenn's util -> checkpoint -> model_build)
UTIL = """\
    def load(path):
        from checkpoint import Checkpoint

        return Checkpoint(path).build()
    """
CHECKPOINT = """\
    import torch


    class Checkpoint:
        def __init__(self, path):
            self.config = torch.load(path)

        def build(self):
            from potentials import Potential

            return Potential(self.config)
    """
POTENTIAL = """\
    import torch
    import torch.nn as nn


    class Potential(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.energy = nn.Linear(3, 1)

        def forward(self, pos):
            pos.requires_grad_(True)
            energy = self.energy(pos).sum()
            return torch.autograd.grad(energy, pos)[0]
    """
INFERENCE = """\
    import torch
    import util

    model = util.load("model.pt")
    model.eval()
    forces = []
    for batch in [torch.randn(5, 3) for _ in range(4)]:
        forces.append(model(batch).detach())
    """


def test_a_model_built_by_project_code_imported_inside_a_function_is_unknown(tmp_path):
    write(tmp_path, {"util.py": UTIL, "checkpoint.py": CHECKPOINT, "potentials.py": POTENTIAL, "run.py": INFERENCE})
    assert lint(tmp_path / "run.py", "GRD505") == []


def test_a_model_loaded_by_torch_in_a_project_helper_keeps_the_default(tmp_path):
    # the helper's code is read and builds nothing of the project: the model of unknown class is a
    # plain model, as before
    util = "import torch\n\n\ndef load(path):\n    return torch.load(path)\n"
    write(tmp_path, {"util.py": util, "run.py": INFERENCE})
    assert lint(tmp_path / "run.py", "GRD505") == [(8, "GRD505")]


TRAIN = """\
    import torch
    import torch.nn as nn
    from solvers import Solver

    model = Solver(unfold=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for y in [torch.randn(3) for _ in range(4)]:
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(y), y)
        loss.backward()
        optimizer.step()
        losses.append(loss)  # expect: GRD502
    """


def test_a_loss_backpropagated_through_an_unread_model_is_still_a_graph(tmp_path):
    # what the model is does not matter here: backward() shows that the loss carries a graph
    write(tmp_path, {"solvers/__init__.py": "from .optimizers import Solver\n", "solvers/optimizers.py": SOLVER, "run.py": TRAIN})
    assert lint(tmp_path / "run.py", "GRD502") == [(13, "GRD502")]


def test_an_unread_model_kept_in_eval_mode_in_training_is_not_claimed_either(tmp_path):
    # GRD510 needs a forward run with gradients; an unread model's forward may run without them
    train = TRAIN.replace("    for y in", "    model.eval()\n    for y in").replace("        losses.append(loss)  # expect: GRD502\n", "")
    write(tmp_path, {"solvers/__init__.py": "from .optimizers import Solver\n", "solvers/optimizers.py": SOLVER, "run.py": train})
    assert lint(tmp_path / "run.py", "GRD510") == []


@pytest.mark.parametrize(
    "name,text,nothing",
    [
        ("config.py", "LR = 0.1\n\ndef schedule(epoch):\n    return LR / (1 + epoch)\n", True),
        ("pkg/__init__.py", "from .optimizers import Solver\n", False),
        ("pkg/names.py", "from pkg.optimizers import Solver\n", False),
        ("pkg/models.py", "import torch\n", False),
        ("big.py", "X = 1\n" + "# padding\n" * 20_000, False),
        ("util.py", "def load(path):\n    from checkpoint import Checkpoint\n    return Checkpoint(path)\n", False),
    ],
    ids=["torch-free helper", "re-exporting init", "absolute re-export", "torch module", "too large", "helper of the project"],
)
def test_only_a_torch_free_module_of_its_own_tells_nothing(tmp_path, name, text, nothing):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/optimizers.py": "import torch\n", "checkpoint.py": "import torch\n", name: text})
    forget_projects()
    assert tells_nothing(project_for(str(tmp_path / name)), str(tmp_path / name)) is nothing


ADAPT = """\
    import torch
    import torch.nn as nn
    from meta import adapt

    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.1))
    model.eval()
    for x in [torch.randn(2, 3) for _ in range(4)]:
        model.zero_grad()
        inner = model(x).pow(2).mean()
        fast = adapt(model, inner)
    """


def test_a_loop_handing_its_model_to_unread_project_code_is_not_an_evaluation(tmp_path):
    # MAML's inner loop: the model and its loss go to a helper whose body is not known (here through
    # a torch-free re-exporting package); it may take the gradients there, as a library's would
    write(tmp_path, {"meta/__init__.py": "from .steps import adapt\n", "meta/steps.py": "import torch\n\n\ndef adapt(model, loss):\n    return torch.autograd.grad(loss, list(model.parameters()))\n", "run.py": ADAPT})
    assert lint(tmp_path / "run.py", "GRD505") == []
    # without the hand-over, the same loop is an evaluation without no_grad
    write(tmp_path, {"run.py": ADAPT.replace("        fast = adapt(model, inner)\n", "")})
    assert lint(tmp_path / "run.py", "GRD505") == [(9, "GRD505")]
