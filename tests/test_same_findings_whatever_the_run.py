"""A file's findings are a function of the project's files only: the same whether the file is
linted alone or with the rest of its project, in any order, on one worker or two, with a cold
or a warm result cache. Workers keep what they learnt about other files from one file to the
next (parsed trees, analysed modules, callers' contexts): that may save work, never change an
answer."""

import textwrap

from gradlint.rules import ALL_RULES
from gradlint.runner import lint_files
from test_project import NET

DEFAULT = [rule for rule in ALL_RULES if rule.default_enabled()]

USES_NET = """\
    logits, probs = {make}(torch.randn(1, 4))
    print(probs.numpy())
    """


def write(root, files):
    paths = {}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        paths[name] = str(path)
    return paths


def by_file(paths, **options):
    found = {path: [] for path in paths}
    for finding in lint_files(list(paths), DEFAULT, **options):
        found[finding.path].append((finding.line, finding.code, finding.message))
    return found


def assert_same_everywhere(tmp_path, paths):
    """Every file's findings: alone, with the others in either order, on two workers, from the cache."""
    alone = {}
    for path in paths:
        alone.update(by_file([path], jobs=1))
    assert by_file(sorted(paths), jobs=1) == alone
    assert by_file(sorted(paths, reverse=True), jobs=1) == alone
    assert by_file(sorted(paths), jobs=2) == alone
    cache = str(tmp_path / "cache")
    assert by_file(sorted(paths, reverse=True), jobs=1, cache_dir=cache) == alone
    assert by_file(sorted(paths), jobs=2, cache_dir=cache) == alone
    return alone


def test_modules_a_previous_file_loaded_count_against_the_budget_of_the_next(tmp_path):
    # main.py imports seven project modules: past the budget of modules one file may load,
    # the last is not analysed, also when an earlier file of the same worker loaded it
    files = {f"m{i}.py": f"import torch\n\nclass N{i}(torch.nn.Module):\n    pass\n" for i in range(1, 7)}
    imported = "".join(f"from m{i} import N{i}\n" for i in range(1, 7))
    made = ", ".join(f"N{i}()" for i in range(1, 7))
    files.update(
        {
            "net.py": NET,
            "a_first.py": "import torch\nfrom net import Net\n\nmodel = Net()\n",
            "main.py": "import torch\n" + imported + "from net import Net\n\nmodels = [" + made + "]\n"
            + textwrap.dedent(USES_NET.format(make="Net()")),
        }
    )
    paths = write(tmp_path, files)
    alone = assert_same_everywhere(tmp_path, [paths["a_first.py"], paths["main.py"]])
    assert alone[paths["main.py"]] == []


def test_a_module_is_analysed_to_the_same_depth_whoever_loaded_it_first(tmp_path):
    # main -> a -> b -> net is one import too deep: the `Net` that b re-exports is unknown
    # to main, also after a_first.py (which imports b itself) made the worker analyse b
    # with its own imports
    paths = write(
        tmp_path,
        {
            "net.py": NET,
            "b.py": "import torch\nfrom net import Net\n",
            "a.py": "import torch\nfrom b import Net\n",
            "a_first.py": "import torch\nfrom b import Net\n\nmodel = Net()\n",
            "main.py": "import torch\nfrom a import Net\n\n" + textwrap.dedent(USES_NET.format(make="Net()")),
        },
    )
    alone = assert_same_everywhere(tmp_path, [paths["a_first.py"], paths["main.py"]])
    assert alone[paths["main.py"]] == []


def assert_cache_follows_edit(tmp_path, paths, linted, edited, text):
    """``linted``'s cached findings after ``edited`` is rewritten are those of a lint without the cache."""
    cache = str(tmp_path / "cache")
    before = by_file([linted], jobs=1, cache_dir=cache)
    write(tmp_path, {edited: text})
    after = by_file([linted], jobs=1)
    assert after != before  # the edit matters to the linted file
    assert by_file([linted], jobs=1, cache_dir=cache) == after
    return before, after


def test_the_cache_follows_a_submodule_reached_as_an_attribute_of_its_package(tmp_path):
    # `import pkg` then `pkg.sub.Net()`: pkg/__init__.py does not import sub, the analysis reads pkg/sub.py
    paths = write(
        tmp_path,
        {
            "pkg/__init__.py": "import torch\n",
            "pkg/sub.py": NET,
            "main.py": "import torch\nimport pkg\n\n" + textwrap.dedent(USES_NET.format(make="pkg.sub.Net()")),
        },
    )
    detached = NET.replace("return logits, logits.softmax(-1)", "return logits.detach(), None")
    before, after = assert_cache_follows_edit(tmp_path, paths, paths["main.py"], "pkg/sub.py", detached)
    assert [code for _, code, _ in before[paths["main.py"]]] == ["GRD503"]


# `updater`, not `optimizer`: a parameter named like an optimizer is one by its name alone
TRAINER = """\
    def train(model, loader, updater):
        model.train()
        for x, y in loader:
            loss = (model(x) - y).pow(2).mean()
            loss.backward()
            updater.step()
    """

CALLER = """\
    import torch
    from models import make_optimizer
    from trainer import train

    model = torch.nn.Linear(4, 2)
    train(model, [(torch.randn(2, 4), torch.randn(2, 2))], make_optimizer(model))
    """


def test_the_cache_follows_the_modules_a_caller_in_another_file_imports(tmp_path):
    # trainer.train's loop is judged with the model and optimizer main.py passes; main.py makes
    # the optimizer with a function of models.py: an edit of models.py changes trainer.py's findings
    paths = write(
        tmp_path,
        {
            "models.py": "import torch\n\ndef make_optimizer(model):\n    return torch.optim.SGD(model.parameters())\n",
            "trainer.py": TRAINER,
            "main.py": CALLER,
        },
    )
    unknown = "import torch\n\ndef make_optimizer(model):\n    return build_elsewhere(model)\n"
    before, after = assert_cache_follows_edit(tmp_path, paths, paths["trainer.py"], "models.py", unknown)
    assert [code for _, code, _ in before[paths["trainer.py"]]] == ["GRD501"]
