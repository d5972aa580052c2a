"""Contexts from callers in other files: a training function gets the arguments its callers pass."""

import textwrap

from gradlint.analysis.module_digests import dependency_digest
from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def lint(path, select=None):
    rules = [rule for rule in ALL_RULES if (rule.code in select if select else rule.default_enabled())]
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), rules)]


# `updater`, not `optimizer`: a parameter named `optimizer` is one by its name alone (see
# evidence.py); these tests are about what callers in other files tell
TRAINER = textwrap.dedent(
    """\
    def train(model, loader, updater, criterion):
        model.train()
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            updater.step()


    class Executor:
        def fit(self, model, updater, loader):
            for x, y in loader:
                loss = (model(x) - y).pow(2).mean()
                loss.backward()
                updater.step()


    def evaluate(model, loader):
        model.eval()
        total = 0
        for x, y in loader:
            total += model(x).sum()
        return total
    """
)

MAIN = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn
    from trainer import train

    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = [(torch.randn(2, 4), torch.randn(2, 2))]
    train(model, loader, optimizer, nn.MSELoss())
    """
)


def test_a_training_function_is_reported_with_the_optimizer_its_caller_passes(tmp_path):
    write(tmp_path, {"trainer.py": TRAINER})
    assert lint(tmp_path / "trainer.py", select={"GRD501"}) == []
    write(tmp_path, {"main.py": MAIN})
    forget_projects()  # what a long-lived process does after files change
    assert lint(tmp_path / "trainer.py", select={"GRD501"}) == [(6, "GRD501")]


def test_a_method_is_reported_with_the_arguments_passed_to_an_instance_made_elsewhere(tmp_path):
    write(
        tmp_path,
        {
            "trainer.py": TRAINER,
            "run.py": """\
                import torch
                from torch import nn
                from trainer import Executor

                def main():
                    net = nn.Sequential(nn.Linear(4, 2))
                    executor = Executor()
                    executor.fit(net, torch.optim.Adam(net.parameters()), [])

                if __name__ == "__main__":
                    main()
                """,
        },
    )
    assert lint(tmp_path / "trainer.py", select={"GRD501"}) == [(14, "GRD501")]


def test_the_grad_mode_of_a_caller_in_another_file_is_the_function_s_entry_mode(tmp_path):
    main = "import torch\nfrom torch import nn\nfrom trainer import evaluate\n\nmodel = nn.Linear(4, 2)\n{call}\n"
    write(tmp_path, {"trainer.py": TRAINER, "main.py": main.format(call="print(evaluate(model, []))")})
    assert lint(tmp_path / "trainer.py", select={"GRD502", "GRD505"}) == [(21, "GRD502"), (21, "GRD505")]
    write(tmp_path, {"main.py": main.format(call="with torch.no_grad():\n    print(evaluate(model, []))")})
    assert lint(tmp_path / "trainer.py", select={"GRD502", "GRD505"}) == []


def test_callers_that_pass_no_optimizer_or_call_another_module_s_function_say_nothing(tmp_path):
    write(
        tmp_path,
        {
            "trainer.py": TRAINER,
            "other.py": "def train(*args):\n    pass\n",
            "a.py": """\
                import torch
                from other import train

                model = torch.nn.Linear(4, 2)
                train(model, [], torch.optim.SGD(model.parameters(), lr=0.1), None)
                """,
            "b.py": """\
                from trainer import train

                train(make_model(), [], make_optimizer(), None)
                """,
        },
    )
    assert lint(tmp_path / "trainer.py", select={"GRD501"}) == []


def test_an_unparsable_or_self_importing_caller_is_only_unknown(tmp_path):
    write(
        tmp_path,
        {
            "trainer.py": TRAINER + "\nfrom main import model\n",
            "main.py": MAIN + "\ndef broken(:\n",
            "cycle.py": MAIN.replace("from trainer import train", "from trainer import train\nimport cycle"),
        },
    )
    assert lint(tmp_path / "trainer.py", select={"GRD501"}) == [(6, "GRD501")]


def test_the_cache_key_follows_the_callers(tmp_path):
    write(tmp_path, {"trainer.py": TRAINER, "main.py": MAIN})
    path = tmp_path / "trainer.py"
    before = dependency_digest(str(path), path.read_text())
    (tmp_path / "main.py").write_text(MAIN.replace("SGD", "Adam"))
    assert dependency_digest(str(path), path.read_text()) != before


def test_past_the_whole_program_time_budget_calls_are_opaque(tmp_path, monkeypatch):
    """A file whose whole-program work runs out of time is analysed function by function."""
    from gradlint.analysis import imports

    write(tmp_path, {"trainer.py": TRAINER, "main.py": MAIN})
    forget_projects()
    monkeypatch.setattr(imports, "WHOLE_PROGRAM_SECONDS", -1.0)
    assert lint(tmp_path / "trainer.py", select={"GRD501"}) == []
    program = (
        "import torch\n\ndef step(model, opt, x):\n    model(x).sum().backward()\n    opt.step()\n\n"
        "model = torch.nn.Linear(2, 1)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "for x in torch.randn(3, 2):\n    step(model, opt, x)\n"
    )
    (tmp_path / "loop.py").write_text(program)
    assert lint(tmp_path / "loop.py", select={"GRD501"}) == []
    monkeypatch.setattr(imports, "WHOLE_PROGRAM_SECONDS", 10.0)
    assert lint(tmp_path / "loop.py", select={"GRD501"}) == [(5, "GRD501")]


LOGGERS = """\
    import torch


    def to_float(scalar):
        if isinstance(scalar, torch.Tensor):
            return float(scalar.cpu().numpy())
        return float(scalar)


    class MemoryLogger:
        def __init__(self):
            self.rows = []

        def log(self, name, data, step):
            self.rows.append((name, to_float(data), step))
    """

TRAIN_UNIT = """\
    import torch
    from torch import nn
    from loggers import MemoryLogger


    class Unit:
        def __init__(self, module, logger):
            self.module = module
            self.optimizer = torch.optim.SGD(module.parameters(), lr=0.01)
            self.logger = logger

        def train_step(self, x, y):
            self.optimizer.zero_grad()
            loss = ((self.module(x) - y) ** 2).mean()
            loss.backward()
            self.optimizer.step()
            self.logger.log("loss", LOGGED, 0)


    def main():
        unit = Unit(nn.Linear(4, 1), MemoryLogger())
        for _ in range(3):
            unit.train_step(torch.randn(8, 4), torch.randn(8, 1))
    """


def test_a_caller_of_a_class_reaches_the_file_s_function_that_class_calls(tmp_path):
    # the caller names the logger class only; its log() hands the loss to the file's to_float(),
    # whose .numpy() raises for a tensor that requires grad
    write(tmp_path, {"loggers.py": LOGGERS, "train_unit.py": TRAIN_UNIT.replace("LOGGED", "loss")})
    assert lint(tmp_path / "loggers.py") == [(6, "GRD503")]
    write(tmp_path, {"train_unit.py": TRAIN_UNIT.replace("LOGGED", "loss.detach()")})
    forget_projects()
    assert lint(tmp_path / "loggers.py") == []


def test_a_method_run_in_eval_mode_by_a_caller_in_another_file_says_so(tmp_path):
    write(
        tmp_path,
        {
            "scan.py": """\
                import torch
                from torch import nn


                class Scanner(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.block = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1))

                    def scan(self, chunks):
                        out = []
                        for chunk in chunks:
                            out.append(self.block(chunk))
                        return torch.stack(out)

                    def as_array(self, chunks):
                        return self.scan(chunks).detach().numpy()
                """,
            "debug.py": """\
                import torch
                from scan import Scanner

                model = Scanner()
                model.eval()
                print(model.scan([torch.randn(2, 4)]).norm().item())
                """,
        },
    )
    rules = [rule for rule in ALL_RULES if rule.code == "GRD505"]
    (finding,) = lint_bytes((tmp_path / "scan.py").read_bytes(), str(tmp_path / "scan.py"), rules)
    assert finding.line == 13
    assert "the caller switched this model with `eval()`" in finding.message
