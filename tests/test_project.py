"""Facts that cross files: imports of the project's own modules, callers in other files, the cache key."""

import textwrap

from gradlint.analysis.module_digests import dependency_digest
from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes
from gradlint.rules import ALL_RULES

DEFAULT = [rule for rule in ALL_RULES if rule.default_enabled()]


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def lint(path):
    return [(f.line, f.code) for f in lint_bytes(path.read_bytes(), str(path), DEFAULT)]


NET = """\
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            logits = self.fc(x)
            return logits, logits.softmax(-1)
    """


def test_module_class_imported_from_a_sibling_package(tmp_path):
    write(
        tmp_path,
        {
            "models/__init__.py": "",
            "models/net.py": NET,
            "train.py": """\
                import torch
                from models.net import Net

                model = Net()
                logits, probs = model(torch.randn(1, 4))
                print(probs.numpy())
                """,
        },
    )
    assert lint(tmp_path / "train.py") == [(6, "GRD503")]


def test_relative_star_import_and_module_alias(tmp_path):
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/net.py": NET,
            "pkg/losses.py": """\
                import torch.nn.functional as F

                def compute_loss(model, x, y):
                    logits, _ = model(x)
                    return F.cross_entropy(logits, y)
                """,
            "pkg/train.py": """\
                import torch
                from .losses import *
                from . import net as nets

                model = nets.Net()
                opt = torch.optim.SGD(model.parameters(), lr=0.1)
                history = []
                for x, y in [(torch.randn(2, 4), torch.tensor([0, 1]))]:
                    opt.zero_grad()
                    loss = compute_loss(model, x, y)
                    loss.backward()
                    opt.step()
                    history.append(loss)
                """,
        },
    )
    assert lint(tmp_path / "pkg" / "train.py") == [(13, "GRD502")]


def test_helper_effects_in_another_file_are_reported_at_the_call(tmp_path):
    write(
        tmp_path,
        {
            "steps.py": """\
                def train_step(model, optimizer, x, y):
                    loss = ((model(x) - y) ** 2).mean()
                    loss.backward()
                    optimizer.step()
                    return loss.item()
                """,
            "main.py": """\
                import torch
                from steps import train_step

                model = torch.nn.Linear(4, 1)
                optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
                for x, y in [(torch.randn(2, 4), torch.randn(2, 1))]:
                    train_step(model, optimizer, x, y)
                """,
        },
    )
    assert lint(tmp_path / "main.py") == [(7, "GRD501")]
    assert lint(tmp_path / "steps.py") == []


CONVERT = """\
    import torch.nn as nn

    def convert(module):
        new = nn.Linear(module.in_features, module.out_features)
        new.weight.copy_(module.weight)
        return new
    """


def test_function_called_under_no_grad_in_another_file_is_not_assumed_to_have_gradients(tmp_path):
    write(tmp_path, {"lib/__init__.py": "", "lib/convert.py": CONVERT})
    assert lint(tmp_path / "lib" / "convert.py") == [(5, "GRD201")]
    write(
        tmp_path,
        {
            "lib/api.py": """\
                import torch
                from .convert import convert

                def prepare(model):
                    with torch.no_grad():
                        return convert(model)
                """
        },
    )
    forget_projects()
    assert lint(tmp_path / "lib" / "convert.py") == []


def test_a_same_named_method_call_elsewhere_does_not_silence(tmp_path):
    write(
        tmp_path,
        {
            "lib/__init__.py": "",
            "lib/convert.py": CONVERT,
            "lib/other.py": """\
                import torch

                def run(obj, model):
                    with torch.no_grad():
                        return obj.convert(model)
                """,
        },
    )
    assert lint(tmp_path / "lib" / "convert.py") == [(5, "GRD201")]


LOADER = """\
    import torch.nn as nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 3, 1)

        def load_from(self, weights):
            self.conv.weight.copy_(weights["conv"])
    """


def test_method_called_under_no_grad_on_an_unresolved_object_in_an_importing_file(tmp_path):
    # ViT-pytorch: `unit.load_from(weights)` inside `with torch.no_grad():`, `unit` one of a model's
    # children (its class unknown), in a file that imports the module defining `Block.load_from`
    caller = """\
        import torch
        import torch.nn as nn
        from .blocks import Block

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(Block(), Block())

            def load_from(self, weights):
                with torch.no_grad():
                    for name, unit in self.body.named_children():
                        unit.load_from(weights)
        """
    write(tmp_path, {"vit/__init__.py": "", "vit/blocks.py": LOADER, "vit/net.py": caller.replace("with torch.no_grad():", "if True:")})
    assert lint(tmp_path / "vit" / "blocks.py") == [(9, "GRD201")]
    write(tmp_path, {"vit/net.py": caller})
    forget_projects()
    assert lint(tmp_path / "vit" / "blocks.py") == []
    # a file that does not import the module says nothing about its methods
    write(tmp_path, {"other/__init__.py": "", "other/blocks.py": LOADER, "other/run.py": caller.replace(".blocks", "vit.blocks")})
    forget_projects()
    assert lint(tmp_path / "other" / "blocks.py") == [(9, "GRD201")]


def test_unparsable_or_missing_project_modules_are_only_unknown(tmp_path):
    write(
        tmp_path,
        {
            "broken.py": "def (:\n",
            "main.py": """\
                import torch
                from broken import Net
                from missing import thing
                import broken as b

                out = Net()(torch.randn(1, 4))
                print(out.numpy(), b.x, thing)
                """,
        },
    )
    assert lint(tmp_path / "main.py") == []


def test_import_cycles_terminate(tmp_path):
    write(
        tmp_path,
        {
            "a.py": "from b import g\n\ndef f(x):\n    return g(x)\n",
            "b.py": "from a import f\n\ndef g(x):\n    return f(x)\n",
        },
    )
    assert lint(tmp_path / "a.py") == []


def test_cache_key_follows_imported_modules_and_no_grad_callers(tmp_path):
    write(tmp_path, {"models.py": NET, "train.py": "from models import Net\n\ndef convert(m):\n    return m\n"})
    train = tmp_path / "train.py"
    first = dependency_digest(str(train), train.read_text())
    assert dependency_digest(str(train), train.read_text()) == first
    write(tmp_path, {"unrelated.py": "x = 1\n"})
    forget_projects()
    assert dependency_digest(str(train), train.read_text()) == first
    # the key takes the rules' strings an imported module holds (what its analysis gives an importer is
    # checked on the cache entry: test_cached_results_follow_an_edit_of_an_imported_module)
    write(tmp_path, {"models.py": NET + "\nEXTRA = 1\n"})
    forget_projects()
    assert dependency_digest(str(train), train.read_text()) == first
    write(tmp_path, {"models.py": NET + "\nEXTRA = 1  # the net's parameters\n"})
    forget_projects()
    assert dependency_digest(str(train), train.read_text()) != first


def test_cached_results_follow_an_edit_of_an_imported_module(tmp_path):
    from gradlint.runner import lint_files

    write(
        tmp_path,
        {
            "models.py": NET,
            "train.py": """\
                import torch
                from models import Net

                logits, probs = Net()(torch.randn(1, 4))
                print(probs.numpy())
                """,
        },
    )
    cache = tmp_path / "cache"
    train = str(tmp_path / "train.py")
    first = lint_files([train], DEFAULT, jobs=1, cache_dir=str(cache))
    assert [(f.line, f.code) for f in first] == [(5, "GRD503")]
    write(tmp_path, {"models.py": NET.replace("return logits, logits.softmax(-1)", "return logits.detach(), None")})
    second = lint_files([train], DEFAULT, jobs=1, cache_dir=str(cache))
    assert second == []


def test_an_imported_module_nested_too_deeply_for_the_parser_is_only_unknown(tmp_path):
    deep = "import torch\n\nx = " + "(" * 1300 + "1" + ")" * 1300 + "\n\nclass Net(torch.nn.Module):\n    pass\n"
    write(tmp_path, {"deep.py": deep, "main.py": "import torch\nfrom deep import Net\n\nprint(Net()(torch.randn(1)).numpy())\n"})
    assert lint(tmp_path / "main.py") == []


def test_class_and_function_called_through_a_dotted_module_alias(tmp_path):
    # HiNet: `import model.syn_model as models` (a folder without __init__.py), then
    # `models.Generator(...)`; and a training helper called as `helpers.train(...)`
    write(
        tmp_path,
        {
            "model/syn_model.py": NET,
            "helpers.py": """\
                import torch.nn.functional as F

                def step_loss(model, x, y):
                    logits, _ = model(x)
                    return F.cross_entropy(logits, y)
                """,
            "train.py": """\
                import torch
                import model.syn_model as models
                import helpers

                net = models.Net()
                logits, probs = net(torch.randn(1, 4))
                print(probs.numpy())
                history = []
                for x, y in [(torch.randn(2, 4), torch.tensor([0, 1]))]:
                    loss = helpers.step_loss(net, x, y)
                    loss.backward()
                    history.append(loss)
                """,
        },
    )
    assert lint(tmp_path / "train.py") == [(7, "GRD503"), (12, "GRD502")]


def test_calls_through_a_dotted_module_alias_under_no_grad_stay_silent(tmp_path):
    write(
        tmp_path,
        {
            "model/syn_model.py": NET,
            "train.py": """\
                import torch
                import model.syn_model as models

                net = models.Net()
                with torch.no_grad():
                    logits, probs = net(torch.randn(1, 4))
                print(probs.numpy(), logits.detach().numpy())
                scores = []
                for x in [torch.randn(2, 4)]:
                    out, _ = net(x)
                    scores.append(out.item() if out.numel() == 1 else out.detach())
                """,
        },
    )
    assert lint(tmp_path / "train.py") == []


def test_an_evaluation_forward_inside_another_files_method_names_no_made_up_model(tmp_path):
    # edge-connect: `self.edge_model.process(...)` runs `self(...)` inside models.py after
    # `self.edge_model.eval()`; the model is not called `self.edge_model.process`
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/models.py": """\
                import torch.nn as nn

                class EdgeModel(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.net = nn.Linear(4, 4)

                    def process(self, images):
                        outputs = self(images)
                        return outputs, (outputs - images).abs().mean()

                    def forward(self, images):
                        return self.net(images)
                """,
            "pkg/runner.py": """\
                from .models import EdgeModel

                class Runner:
                    def __init__(self):
                        self.edge_model = EdgeModel()

                    def evaluate(self, loader):
                        self.edge_model.eval()
                        for images in loader:
                            outputs, loss = self.edge_model.process(images)
                            print(loss.item())
                """,
        },
    )
    path = tmp_path / "pkg" / "runner.py"
    found = [f for f in lint_bytes(path.read_bytes(), str(path), DEFAULT) if f.code == "GRD505"]
    assert [f.line for f in found] == [10]
    assert "process.eval()" not in found[0].message and "a model switched to `eval()`" in found[0].message


def test_train_and_test_functions_of_another_file_leave_the_model_in_eval_mode(tmp_path):
    solver = """\
        def train(model, criterion, optimizer, loader):
            for x, y in loader:
                loss = criterion(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()


        def test(model, loader):
            model.eval()
            for x, y in loader:
                model(x)
        """
    main = """\
        import torch
        import torch.nn as nn
        from solver import train, test

        model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = [(torch.randn(3, 4), torch.tensor([0, 1, 0]))]
        for epoch in range(3):
            {restore}train(model, nn.CrossEntropyLoss(), optimizer, loader)
            with torch.no_grad():
                test(model, loader)
        """
    write(tmp_path, {"solver.py": solver, "main.py": main.format(restore="")})
    assert lint(tmp_path / "main.py") == [(11, "GRD510")]
    assert lint(tmp_path / "solver.py") == []
    forget_projects()
    write(tmp_path, {"main.py": main.format(restore="model.train()\n            ")})
    assert lint(tmp_path / "main.py") == []


def test_imports_of_a_shared_module_resolve_for_each_linted_file_whatever_the_order(tmp_path):
    # m.py's `import helper` finds pkg/a/helper.py for a file linted in pkg/a (its folder comes
    # first, as for a script run there), and nothing for one in pkg/b: what one linted file
    # resolved must not leak into the other's dependencies (nor into its result cache key)
    from gradlint.analysis.module_digests import dependencies

    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/m.py": "import torch\nimport helper\n",
            "pkg/a/__init__.py": "",
            "pkg/a/helper.py": "import torch\n",
            "pkg/a/f.py": "from pkg import m\n",
            "pkg/b/__init__.py": "",
            "pkg/b/g.py": "from pkg import m\n",
        },
    )
    f, g = tmp_path / "pkg/a/f.py", tmp_path / "pkg/b/g.py"
    helper = str(tmp_path / "pkg/a/helper.py")
    assert helper in [path for path, _ in dependencies(str(f), f.read_text())]
    assert helper not in [path for path, _ in dependencies(str(g), g.read_text())]
    first = dependency_digest(str(g), g.read_text())
    forget_projects()
    assert dependency_digest(str(g), g.read_text()) == first


FIT_WITH_DECAY = """\
    import torch


    def fit(x, y, w, steps):
        opt = torch.optim.SGD([w], lr=0.1)
        for _ in range(steps):
            opt.zero_grad()
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            opt.step()
            w.mul_(0.99)
    """


def test_a_rule_runs_on_a_file_whose_caller_holds_what_the_rule_needs(tmp_path):
    # training.py holds none of GRD201's strings (requires_grad, .grad, Parameter...): the leaf is
    # made by its caller in main.py, which gives fit() its arguments
    main = """\
        import torch
        from training import fit

        w = torch.zeros(3, 1, requires_grad=True)
        fit(torch.randn(16, 3), torch.randn(16, 1), w, 10)
        """
    write(tmp_path, {"training.py": FIT_WITH_DECAY, "main.py": main})
    forget_projects()
    assert lint(tmp_path / "training.py") == [(11, "GRD201")]


def test_cached_result_of_a_callee_follows_an_edit_of_its_caller(tmp_path):
    from gradlint.runner import lint_files

    leaf = "import torch\nfrom training import fit\n\nw = torch.zeros(3, 1{grad})\nfit(torch.randn(16, 3), torch.randn(16, 1), w, 10)\n"
    write(tmp_path, {"training.py": FIT_WITH_DECAY, "main.py": leaf.format(grad="")})
    cache, training = str(tmp_path / "cache"), str(tmp_path / "training.py")
    assert lint_files([training], DEFAULT, jobs=1, cache_dir=cache) == []
    write(tmp_path, {"main.py": leaf.format(grad=", requires_grad=True")})
    assert [(f.line, f.code) for f in lint_files([training], DEFAULT, jobs=1, cache_dir=cache)] == [(11, "GRD201")]
