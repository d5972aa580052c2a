"""A result a function computes from a parameter is built on the graph of the caller's argument (``return_deps``).

A graph built once before a loop, handed each iteration to a helper whose result is
backpropagated, is freed by the first backward(): the second iteration raises "Trying to backward
through the graph a second time" (GRD504). The helper's result used to lose the link to the
argument's graph when it left the function.
"""

from snippets import findings

PROGRAM = """\
import torch


def mse(pred, target):
    BODY


X = torch.randn(100, 2)
true_w = torch.randn(2, 1, requires_grad=True)
MAKE_Y
w = torch.zeros(2, 1, requires_grad=True)
for start in range(0, 100, 10):
    x, y = X[start : start + 10], Y[start : start + 10]
    l = mse(x @ w, y)
    BACKWARD
    with torch.no_grad():
        w -= 0.1 * w.grad
        w.grad.zero_()
"""


def program(body="return ((pred - target) ** 2).mean()", make_y="Y = X @ true_w", backward="l.backward()  # expect: GRD504"):
    return PROGRAM.replace("BODY", body).replace("MAKE_Y", make_y).replace("BACKWARD", backward)


def marked(src):
    return [(n, "GRD504") for n, line in enumerate(src.splitlines(), 1) if "# expect: GRD504" in line]


def test_graph_built_before_the_loop_reaches_backward_through_a_helper():
    src = program()
    assert findings(src, "GRD504") == marked(src) == [(15, "GRD504")]


def test_through_a_local_of_the_helper():
    src = program("err = pred - target\n    return (err * err).mean()")
    assert findings(src, "GRD504") == marked(src) == [(16, "GRD504")]


def test_through_a_keyword_argument():
    src = program().replace("mse(x @ w, y)", "mse(x @ w, target=y)")
    assert findings(src, "GRD504") == marked(src)


def test_through_a_method():
    src = """\
    import torch

    class Regression:
        def __init__(self):
            self.w = torch.zeros(2, 1, requires_grad=True)

        def loss(self, x, target):
            return ((x @ self.w - target) ** 2).mean()

    X = torch.randn(100, 2)
    Y = X @ torch.randn(2, 1, requires_grad=True)
    model = Regression()
    for start in range(0, 100, 10):
        l = model.loss(X[start : start + 10], Y[start : start + 10])
        l.backward()  # expect: GRD504
    """
    assert findings(src, "GRD504") == [(15, "GRD504")]


def test_silent_when_the_helper_detaches_the_argument():
    assert findings(program("return ((pred - target.detach()) ** 2).mean()"), "GRD504") == []


def test_silent_when_the_helper_binds_the_parameter_again():
    body = "target = target.detach()\n    return ((pred - target) ** 2).mean()"
    assert findings(program(body), "GRD504") == []


def test_silent_when_the_target_is_built_without_a_graph():
    assert findings(program(make_y="with torch.no_grad():\n    Y = X @ true_w"), "GRD504") == []
    assert findings(program(make_y="Y = (X @ true_w).detach()"), "GRD504") == []


def test_silent_when_the_graph_is_kept():
    assert findings(program(backward="l.backward(retain_graph=True)"), "GRD504") == []


def test_silent_when_the_helper_returns_a_number():
    assert findings(program("return ((pred - target) ** 2).mean().item()", backward="print(l)"), "GRD504") == []
