"""Every input terminates: recursion across files, call chains deeper than any bound, fields that
methods keep changing and values that nest deeper each iteration are cut by the analysis's bounds,
and the file's own findings survive the cut.

Each lint runs under ``time_budget``: a shape that made the analysis loop would fail here with
OutOfTime instead of hanging the suite (the budget is generous: only a hang reaches it).
"""

import textwrap

from gradlint.analysis.project import forget_projects
from gradlint.limits import time_budget
from snippets import findings, lint_path, write_project

#: CPU seconds a shape may take before it counts as a hang
HANG = 60

LEAF_CHANGED = "torch.zeros(3, requires_grad=True)"


def bounded(lint, *args):
    with time_budget(HANG):
        return lint(*args)


def test_mutual_recursion_across_two_files_terminates(tmp_path):
    write_project(
        tmp_path,
        {
            "ping.py": f"""\
                import torch
                from pong import pong


                def ping(x, n):
                    w = {LEAF_CHANGED}
                    w += 1
                    return pong(x * w, n - 1) if n else x


                loss = ping(torch.ones(3, requires_grad=True), 5).sum()
                loss.backward()
                """,
            "pong.py": """\
                import torch
                from ping import ping


                def pong(x, n):
                    return ping(torch.tanh(x), n)
                """,
        },
    )
    forget_projects()
    assert bounded(lint_path, tmp_path / "ping.py", {"GRD201"}) == [(7, "GRD201")]
    assert bounded(lint_path, tmp_path / "pong.py", {"GRD201"}) == []


def test_a_call_chain_deeper_than_every_bound_terminates():
    count = 400
    chain = "".join(f"def f{i}(x):\n    return f{i + 1}(x) * 2\n\n\n" for i in range(count))
    source = (
        "import torch\n\n\n" + chain + f"def f{count}(x):\n    w = {LEAF_CHANGED}\n    w += x\n    return w\n\n\n"
        "for step in range(3):\n    f0(torch.ones(3)).sum().backward()\n"
    )
    line = source.splitlines().index("    w += x") + 1
    assert bounded(findings, source, "GRD201") == [(line, "GRD201")]


def test_recursion_through_three_functions_of_one_file_terminates():
    source = f"""\
        import torch


        def a(x, n):
            return b(x + 1, n) if n else c(x, n)


        def b(x, n):
            return c(x * 2, n - 1)


        def c(x, n):
            w = {LEAF_CHANGED}
            w += 1
            return a(x * w, n)


        a(torch.ones(3), 4).sum().backward()
        """
    assert bounded(findings, source, "GRD201") == [(14, "GRD201")]


def test_fields_that_methods_keep_changing_terminate():
    count = 40
    methods = "".join(
        f"    def m{i}(self):\n        self.f{(i + 1) % count} = torch.tanh(self.f{i}) * self.w\n\n"
        for i in range(count)
    )
    source = textwrap.dedent(
        """\
        import torch


        class Chain(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = torch.nn.Parameter(torch.ones(3))
                self.f0 = torch.ones(3)

        """
    )
    source += methods + textwrap.indent(
        textwrap.dedent(
            f"""\
            def train(self):
                for step in range(10):
                    {"; ".join(f"self.m{i}()" for i in range(count))}
                    loss = self.f0.sum()
                    loss.backward()
                    self.w += 1
            """
        ),
        "    ",
    )
    line = source.splitlines().index("            self.w += 1") + 1
    assert bounded(findings, source, "GRD201") == [(line, "GRD201")]


def test_a_value_nested_deeper_each_iteration_terminates():
    source = f"""\
        import torch

        w = {LEAF_CHANGED}
        h, seq, table = w * 1, [], {{}}
        while True:
            h = (h, w * 2)
            seq = [seq, h]
            table = {{"next": table, "h": h}}
            if len(seq) > 1000:
                break
        w += 1
        """
    assert bounded(findings, source, "GRD201") == [(11, "GRD201")]
