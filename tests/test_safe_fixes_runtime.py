"""Every fix marked safe, run under torch: it keeps what the program does (GRD506) or does
exactly what the flagged line meant (the others, whose finding is the bug itself)."""

import json
import subprocess
import sys
import textwrap

import pytest

from gradlint.fixer import fix_text
from gradlint.rules import ALL_RULES

pytest.importorskip("torch")

HEAD = "import torch\nimport torch.nn as nn\nimport numpy as np\nfrom torch.autograd import Variable\ntorch.manual_seed(0)\n"

#: GRD506: the fixed program must behave exactly as the original.
PRESERVED = {
    "graph tensor": """
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        h = w * 2
        z = Variable(h)
        (h * z).sum().backward()
        RESULT = [w.grad.tolist(), z.requires_grad, z.is_leaf, z.data_ptr() == h.data_ptr()]
    """,
    "new leaf from a leaf": """
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        v = Variable(w, requires_grad=True)
        (v * 3).sum().backward()
        RESULT = [w.grad, v.grad.tolist(), v.is_leaf, v is w, v.data_ptr() == w.data_ptr()]
    """,
    "parenthesised, requires_grad=False": """
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        r = (Variable(w * 3))
        s = Variable(-w, requires_grad=False)
        (w * r * s).sum().backward()
        RESULT = [w.grad.tolist(), r.requires_grad, s.requires_grad]
    """,
    "aliasing": """
        t = torch.zeros(2)
        v = Variable(t)
        v += 1
        u = Variable(t, requires_grad=True)
        u.sum().backward()
        RESULT = [t.tolist(), v is t, u is t, t.requires_grad, u.grad.tolist()]
    """,
    "fresh tensors": """
        x = Variable(torch.ones(2))
        y = Variable(x + 1, requires_grad=True)
        x.requires_grad_()
        (x * y).sum().backward()
        RESULT = [x.grad.tolist(), y.grad.tolist(), y.is_leaf]
    """,
    "state_dict loop": """
        model = nn.Linear(2, 1)
        inputs = Variable(torch.ones(3, 2))
        targets = Variable(torch.zeros(3, 1))
        loss = ((model(inputs) - targets) ** 2).mean()
        loss.backward()
        RESULT = [model.weight.grad.tolist(), inputs.requires_grad]
    """,
}

#: The others: the fixed program must do what the reference (the line as meant) does.
MEANT = {
    "GRD401": (
        "model = nn.Linear(2, 2)\nmodel.requires_grad = False\nRESULT = [p.requires_grad for p in model.parameters()]\n",
        "model = nn.Linear(2, 2)\nfor p in model.parameters():\n    p.requires_grad = False\n"
        "RESULT = [p.requires_grad for p in model.parameters()]\n",
    ),
    "GRD402": (
        "m = nn.Linear(2, 2)\nfor p in m.parameters():\n    p.require_grad = False\n"
        "RESULT = [p.requires_grad for p in m.parameters()]\n",
        "m = nn.Linear(2, 2)\nm.requires_grad_(False)\nRESULT = [p.requires_grad for p in m.parameters()]\n",
    ),
    "GRD403": (
        "m = nn.Linear(2, 2)\nfor p in m.parameters():\n    p.requires_grad == False\n"
        "RESULT = [p.requires_grad for p in m.parameters()]\n",
        "m = nn.Linear(2, 2)\nm.requires_grad_(False)\nRESULT = [p.requires_grad for p in m.parameters()]\n",
    ),
    "GRD503": (
        "w = torch.ones(2, requires_grad=True)\nRESULT = (w * 2).numpy().tolist()\n",
        "w = torch.ones(2, requires_grad=True)\nRESULT = [float(v) for v in (w * 2).tolist()]\n",
    ),
}

DRIVER = """
import json, sys, warnings
warnings.simplefilter("ignore")
results = []
for program in json.load(sys.stdin):
    namespace = {}
    try:
        exec(program, namespace)
        results.append(repr(namespace["RESULT"]))
    except Exception as exc:
        results.append(f"raises {type(exc).__name__}")
print(json.dumps(results))
"""


def run_all(programs):
    result = subprocess.run(
        [sys.executable, "-c", DRIVER], input=json.dumps(programs), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def safe_fix(program):
    text, count = fix_text(program, "x.py", ALL_RULES, unsafe=False)
    return text, count


def test_every_safe_fix_keeps_or_realises_the_program_s_meaning():
    programs, labels = [], []
    for label, body in PRESERVED.items():
        original = HEAD + textwrap.dedent(body)
        fixed, count = safe_fix(original)
        assert count >= 1 and "Variable(" not in fixed.replace("import Variable", ""), (label, fixed)
        programs += [original, fixed]
        labels.append(label)
    for code, (flagged, reference) in MEANT.items():
        fixed, count = safe_fix(HEAD + flagged)
        assert count >= 1, code
        programs += [HEAD + reference, fixed]
        labels.append(code)
    outcomes = run_all(programs)
    for index, label in enumerate(labels):
        expected, got = outcomes[2 * index], outcomes[2 * index + 1]
        assert not expected.startswith("raises"), (label, expected)
        assert got == expected, label


def test_the_fix_for_variable_detaches():
    fixed, _ = safe_fix(HEAD + "w = torch.ones(2, requires_grad=True)\nh = w * 2\nz = Variable(h)\n")
    assert fixed.endswith("z = h.detach()\n")
    fixed, _ = safe_fix(HEAD + "w = torch.ones(2, requires_grad=True)\nv = Variable(w, requires_grad=True)\n")
    assert fixed.endswith("v = w.detach().requires_grad_()\n")
