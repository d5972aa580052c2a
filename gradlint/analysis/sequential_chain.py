"""``nn.Sequential(a, b, c)(x)``: the output of ``c(b(a(x)))``, when it is established that no graph is built.

A sequential model's output used to be the library default: a tensor that requires grad whenever a
member has parameters. A member of the project's own whose forward cuts the graph (d2l's
``MyLinear`` computing ``torch.matmul(X, self.weight.data) + self.bias.data``) then hid that the
loss built on it requires no grad, and ``l.backward()`` raising "element 0 of tensors does not
require grad" went unreported (GRD103). Running the members in turn, as ``forward`` does, shows it.

Only that answer is taken: a chained output that builds no graph, the way a single project
forward's "no graph" answer is taken (``CallValues._run_module``). Any other chained value (a graph,
or a member not known) leaves the library default, and the walk of the members leaves no trace:
nothing reported, no loop records, the state as it was.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .values import Value


def sequential_without_graph(walker, module: Value, node: cst.Call, args) -> Optional[Value]:
    """The output of running the listed members of ``module`` (an ``nn.Sequential``) on the call's one
    argument, when it is a tensor established to require no grad; else None."""
    if module.cls is not None or not module.qual.endswith(".Sequential") or not module.items:
        return None
    if len(args) != 1 or len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
        return None
    members = module.items
    if any(member.kind != "module" or member.unread for member in members):
        return None
    if all(member.cls is None for member in members):
        return None  # library layers only: the default says as much
    state, loops, reporting = walker.state, walker._loops, walker.reporting
    walker.state, walker._loops, walker.reporting = state.copy(), [], False
    try:
        value = args[0][1]
        for member in members:
            value = walker._run_module(member, node, [(args[0][0], value)], None)
            if value.kind != "tensor":
                return None
    finally:
        walker.state, walker._loops, walker.reporting = state, loops, reporting
    if value.grad is False and not value.struct:
        return value
    return None
