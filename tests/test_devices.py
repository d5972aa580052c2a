"""GRD301 after ``.to(device)``: a device known to be a CUDA device moves a CPU-made leaf to a copy.

pytorch/pytorch#13112 ("why grad is disappear when put data to cuda?"): ``a = torch.tensor([...],
requires_grad=True).to(device)`` with ``device = torch.device('cuda')``, then ``a.grad`` after
backward(): ``a`` holds the copy on the GPU, a non-leaf, whose ``.grad`` stays None. The device is
known when the file writes it as a CUDA device. ``'cuda' if torch.cuda.is_available() else 'cpu'``
is the GPU wherever there is one, the run the script is written for: there the copy is a non-leaf
too, and the finding says so ("on the GPU this script chooses"); a CPU device, a device passed in or
read from the command line, and a dtype say nothing.
"""

import pytest

from gradlint.engine import lint_text
from gradlint.rules import BY_CODE
from snippets import findings

PROGRAM = """\
import torch

DEVICE_LINE


def check():
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True).MOVE
    loss = (a ** 2).mean()
    loss.backward()
    print(a.grad)
"""


def program(device_line="device = torch.device('cuda')", move="to(device)"):
    return PROGRAM.replace("DEVICE_LINE", device_line).replace("MOVE", move)


@pytest.mark.parametrize(
    "device_line,move",
    [
        ("device = torch.device('cuda')", "to(device)"),
        ("device = torch.device('cuda:0')", "to(device)"),
        ("device = torch.device('cuda', 0)", "to(device)"),
        ("device = torch.device(type='cuda')", "to(device)"),
        ("device = 'cuda'", "to(device)"),
        ("device = 'cuda:1'", "to(device=device)"),
        ("dev = 'cpu'", "to('cuda')"),
        ("dev = 'cpu'", "to('cuda:0', non_blocking=True)"),
        ("name = 'cuda'\ndevice = torch.device(name)", "to(device)"),
    ],
)
def test_a_cpu_leaf_moved_to_a_known_cuda_device_is_a_non_leaf(device_line, move):
    src = program(device_line, move)
    line = src.splitlines().index("    print(a.grad)") + 1
    assert (line, "GRD301") in findings(src, "GRD301")


@pytest.mark.parametrize(
    "device_line,move",
    [
        ("device = torch.device('cpu')", "to(device)"),
        ("device = torch.device('cpu' if torch.cuda.is_available() else 'cpu')", "to(device)"),
        ("device = 'cpu'", "to(device)"),
        ("import sys\ndevice = torch.device(sys.argv[1])", "to(device)"),
        ("device = torch.device('cuda')", "to(torch.float32)"),
        ("device = torch.device('cuda')", "to(dtype=torch.float32)"),
        # the default device changed: the factory may already make the tensor on the GPU
        ("torch.set_default_device('cuda')\ndevice = torch.device('cuda')", "to(device)"),
    ],
)
def test_a_device_not_known_to_be_cuda_says_nothing(device_line, move):
    assert findings(program(device_line, move), "GRD301") == []


def test_a_factory_given_the_device_makes_a_leaf_there():
    src = program().replace("requires_grad=True).to(device)", "requires_grad=True, device=device)")
    assert findings(src, "GRD301") == []


def test_a_device_passed_in_is_unknown():
    src = program().replace("def check():", "def check(device):")
    assert findings(src, "GRD301") == []


def test_moved_first_then_made_to_require_grad_is_a_leaf():
    src = program(move="to(device)").replace(
        "torch.tensor([1.0, 2.0, 3.0], requires_grad=True).to(device)",
        "torch.tensor([1.0, 2.0, 3.0]).to(device).requires_grad_()",
    )
    assert findings(src, "GRD301") == []


@pytest.mark.parametrize(
    "device_line,move",
    [
        ("device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')", "to(device)"),
        ("device = torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')", "to(device=device)"),
        ("device = 'cuda' if torch.cuda.is_available() else 'cpu'", "to(device)"),
        ("device = 'cpu' if not torch.cuda.is_available() else 'cuda'", "to(device)"),
    ],
)
def test_a_device_the_run_chooses_is_read_as_the_gpu(device_line, move):
    src = program(device_line, move)
    line = src.splitlines().index("    print(a.grad)") + 1
    found = lint_text(src, "snippet.py", [BY_CODE["GRD301"]])
    assert [f.line for f in found] == [line]
    assert "on the GPU this script chooses" in found[0].message


def test_a_chosen_device_keeps_a_leaf_made_after_the_move():
    src = program("device = 'cuda' if torch.cuda.is_available() else 'cpu'", "to(device)").replace(
        "requires_grad=True).to(device)", ").to(device).requires_grad_()"
    )
    assert findings(src, "GRD301") == []
