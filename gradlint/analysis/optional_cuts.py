"""A cut of the graph that a fixed flag switches on or off.

``x = self.embed(x); if self.args.static: x = Variable(x)`` (a text CNN with static or trained
word vectors): with the flag off the same name carries its graph on, with it on the layers before
this point get no gradient. The author chooses, per run, whether gradients flow back past here:
a deliberate freeze, not a graph lost by mistake.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .fixed_flags import fixed_flag
from .syntax import dotted, walk


def _statements(block) -> list:
    body = getattr(block, "body", ())
    return list(body) if isinstance(body, (list, tuple)) else []


def _holds(line, statement) -> bool:
    return line is statement or (type(line) is cst.SimpleStatementLine and any(s is statement for s in line.body))


def optional_cut(
    call: cst.Call, statement, function: Optional[cst.FunctionDef], module: Optional[cst.Module]
) -> bool:
    """``statement`` is ``name = call`` with ``call`` wrapping ``name`` itself (``x = Variable(x)``),
    a direct statement of the body of an ``if`` (without ``else``) whose test is a fixed flag."""
    if type(statement) is cst.SimpleStatementLine and len(statement.body) == 1:
        statement = statement.body[0]
    if type(statement) is not cst.Assign or statement.value is not call or len(statement.targets) != 1:
        return False
    args = [arg for arg in call.args if arg.keyword is None and not arg.star]
    name = dotted(statement.targets[0].target)
    if name is None or len(args) != 1 or dotted(args[0].value) != name:
        return False
    scope = function if function is not None else module
    if scope is None:
        return False
    for node in walk(scope):
        if type(node) is cst.If and node.orelse is None and any(_holds(line, statement) for line in _statements(node.body)):
            return fixed_flag(function, node.test, module) is not None
    return False
