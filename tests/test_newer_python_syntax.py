"""Code of Python 3.12+ (PEP 701 f-strings, PEP 695 type parameters and aliases) is linted, not
reported as a syntax error, when gradlint runs on an older Python; real syntax errors still are."""

import sys
import textwrap

import libcst as cst
import pytest

from gradlint.analysis.project import forget_projects
from gradlint.engine import lint_bytes, lint_text
from gradlint.newer_syntax import uses_newer_syntax
from gradlint.rules import ALL_RULES

DEFAULT = [rule for rule in ALL_RULES if rule.default_enabled()]

#: a leaf updated in place (GRD201) on line 3, then one line of the syntax under test
LEAF_WRITE = "import torch\nw = torch.zeros(3, requires_grad=True)\nw += 1\nd = {'k': 1}\nxs = ['a']\n"

#: each valid since Python 3.12 only (PEP 701)
FREE_FSTRINGS = {
    "own quote in a field": 'print(f"{d["k"]}")\n',
    "own quote in a nested f-string": 'print(f"{f"{d["k"]}"}")\n',
    "own quote in a format spec's field": 'print(f"{w:>{d["k"]}}")\n',
    "backslash in a field": 'print(f"{"\\n".join(xs)}")\n',
    "comment in a field": 'print(f"{d # the dict\n}")\n',
    "line break in a one-line f-string": 'print(f"{d\n}")\n',
    "a format call inside the quotes": "print(f'th {'{:.3g}'.format(1.0)} end')\n",
}

#: each valid before Python 3.12 too
OLD_FSTRINGS = {
    "other quote in a field": "print(f\"{d['k']}\")\n",
    "one quote inside a triple-quoted f-string": 'print(f"""{d["k"]}""")\n',
    "backslash in the text": 'print(f"a\\n{d}")\n',
    "line break in a triple-quoted f-string": 'print(f"""{d\n}""")\n',
    "conversion and spec": 'print(f"{d!r:>10}")\n',
}


def _lint(text):
    return [(f.line, f.code) for f in lint_text(text, "snippet.py", DEFAULT)]


@pytest.mark.parametrize("line", FREE_FSTRINGS.values(), ids=list(FREE_FSTRINGS))
def test_a_file_with_a_pep701_fstring_is_linted(line):
    assert _lint(LEAF_WRITE + line) == [(3, "GRD201")]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="these f-strings are old syntax there")
@pytest.mark.parametrize("line", FREE_FSTRINGS.values(), ids=list(FREE_FSTRINGS))
def test_pep701_fstrings_are_newer_syntax(line):
    text = LEAF_WRITE + line
    with pytest.raises(SyntaxError):
        compile(text, "x.py", "exec")  # the case is one this Python rejects
    assert uses_newer_syntax(cst.parse_module(text))


@pytest.mark.parametrize("line", OLD_FSTRINGS.values(), ids=list(OLD_FSTRINGS))
def test_fstrings_older_pythons_accept_are_not_newer_syntax(line):
    text = LEAF_WRITE + line
    compile(text, "x.py", "exec")
    assert not uses_newer_syntax(cst.parse_module(text))
    assert _lint(text) == [(3, "GRD201")]


@pytest.mark.parametrize(
    "error",
    [
        "try:\n    pass\nexcept Exception, e:\n    pass\n",  # Python 2, which libcst parses
        'print "done"\n',
        'print(f"{}")\n',  # an empty field: an error on every Python
    ],
    ids=["python2 except", "python2 print", "empty field"],
)
def test_real_syntax_errors_beside_a_pep701_fstring_are_still_reported(error):
    text = LEAF_WRITE + 'print(f"{d["k"]}")\n' + error
    codes = [code for _, code in _lint(text)]
    assert codes == ["GRD001"]


@pytest.mark.parametrize(
    "line",
    ['print(f"{d["k"]}")\n', "type Pair = tuple[int, int]\n"],
    ids=["pep701", "pep695"],
)
def test_a_python2_file_is_still_a_syntax_error_whatever_else_it_holds(line):
    text = "import torch\n" + line + "try:\n    pass\nexcept Exception, e:\n    pass\n"
    [(_, code)] = _lint(text)
    assert code == "GRD001"


GENERIC_TRAINING = """\
import torch
import torch.nn as nn

type Batch = tuple[torch.Tensor, torch.Tensor]


class Net[T](nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        return self.drop(self.fc(x))


def evaluate[M: nn.Module](model: M, loader) -> float:
    model.eval()
    total = 0.0
    for x, y in loader:
        out = model(x)  # expect: GRD505
        total += nn.functional.mse_loss(out, y)  # expect: GRD502
        print(f"{ {"loss": total}["loss"] }")
    return total


def train[B: Batch](model, loader: list[B], opt):
    losses = []
    for x, y in loader:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss)  # expect: GRD502
        print(f"step {len(losses)}: {f"{loss.item():.3f}"}")
    return losses


model = Net[int]()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
data = [(torch.randn(8, 4), torch.randn(8, 2))]
train(model, data, opt)
evaluate(model, data)
"""


def _expected(text):
    return [
        (number, line.split("# expect: ")[1].strip())
        for number, line in enumerate(text.splitlines(), 1)
        if "# expect: " in line
    ]


def test_generic_functions_and_classes_are_analysed_like_plain_ones():
    assert _lint(GENERIC_TRAINING) == _expected(GENERIC_TRAINING)


def test_generic_functions_keep_their_correct_negatives():
    # the evaluation under no_grad, and the loss kept as a number
    text = GENERIC_TRAINING.replace("    for x, y in loader:\n        out = model(x)", "    with torch.no_grad():\n      for x, y in loader:\n        out = model(x)")
    text = text.replace("losses.append(loss)", "losses.append(loss.item())")
    assert _lint(text) == []


def test_a_module_imported_with_newer_syntax_gives_its_facts(tmp_path):
    (tmp_path / "helper.py").write_text(
        textwrap.dedent(
            """\
            import torch

            type Shape = tuple[int, ...]


            def make_weights[T](n: T) -> torch.Tensor:
                print(f"{"weights"}: {n}")
                return torch.zeros(n, requires_grad=True)
            """
        )
    )
    main = tmp_path / "main.py"
    main.write_text("from helper import make_weights\n\nw = make_weights(3)\nw += 1\n")
    forget_projects()
    try:
        findings = lint_bytes(main.read_bytes(), str(main), DEFAULT)
    finally:
        forget_projects()
    assert [(f.line, f.code) for f in findings] == [(4, "GRD201")]
