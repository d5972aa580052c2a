"""Session 24's speed changes keep what the analysis computes: each test pins the facts a cheaper
computation replaced (the loop bindings of fixed flags, rule crashes, the look-ups rules share)."""

import textwrap

import libcst as cst

from gradlint.engine import lint_text
from gradlint.rule import Rule
from gradlint.rules import BY_CODE


class _LooksUpTheCallee(Rule):
    """Asks for a method call's callee, which the walk of the call did not evaluate."""

    code = "GRD996"
    seen = []

    def on_call(self, node, ctx):
        if type(node.func) is cst.Attribute:
            _LooksUpTheCallee.seen.append((cst.Module([]).code_for_node(node.func), ctx.value(node.func).kind))


def test_the_hooks_of_one_call_share_their_look_ups_and_see_what_one_alone_sees():
    source = textwrap.dedent(
        """
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        x = torch.zeros(2)
        y = x.view(2).add(1)
        opt.zero_grad()
        """
    )
    _LooksUpTheCallee.seen.clear()
    lint_text(source, "x.py", [_LooksUpTheCallee])
    alone = list(_LooksUpTheCallee.seen)
    _LooksUpTheCallee.seen.clear()
    lint_text(source, "x.py", [_LooksUpTheCallee, BY_CODE["GRD201"], BY_CODE["GRD503"], BY_CODE["GRD101"]])
    assert _LooksUpTheCallee.seen == alone
    assert [code for code, _ in alone] == ["torch.optim.SGD", "torch.zeros", "x.view", "x.view(2).add", "opt.zero_grad"]
