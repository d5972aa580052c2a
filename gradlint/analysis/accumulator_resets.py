"""Where a loop's accumulator starts afresh, and loops that chain one iteration's graph to the next.

GRD502 reports a graph kept across the iterations of a loop in a name that outlives the loop. A
name the loop (or the function) binds anew now and then keeps a bounded window, not a history;
a differentiable unroll (MAML's inner loop, a learned optimiser) builds each iteration's graph on
the previous one on purpose. These are syntactic questions about the loop's body, asked by the rule.
"""

from __future__ import annotations

import libcst as cst

from .syntax import dotted, per_node, target_names, walk

#: calls that only show or convert a value
NOT_A_STEP = frozenset({"print", "len", "str", "float", "int", "repr", "format", "isinstance"})


def resets(function: cst.FunctionDef, path: str) -> bool:
    """``path = ...``, ``path.clear()`` or ``del path[:]`` in the function's own body: a fresh start."""
    for node in walk(function.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if type(node) is cst.Assign and any(dotted(t.target) == path for t in node.targets):
            return True
        if type(node) is cst.AnnAssign and dotted(node.target) == path:
            return True
        if type(node) is cst.Del and dotted(getattr(node.target, "value", node.target)) == path:
            return True
        if (
            type(node) is cst.Call
            and type(node.func) is cst.Attribute
            and node.func.attr.value == "clear"
            and dotted(node.func.value) == path
        ):
            return True
    return False


def reset_within(loop: cst.CSTNode, path: str) -> bool:
    """``path = <a value not computed from it>`` somewhere in the loop's body (not ``path = path + x``)."""
    body = getattr(loop, "body", None)
    if body is None:
        return False
    for node in walk(body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if type(node) is not cst.Assign:
            continue
        for target in node.targets:
            value = assigned_to(target.target, node.value, path)
            if value is not None and not any(type(n) in (cst.Name, cst.Attribute) and dotted(n) == path for n in walk(value)):
                return True
    return False


def reset_in_every_iteration(loop: cst.CSTNode, path: str) -> bool:
    """A reset of ``path`` (as ``reset_within`` has it) among the statements every iteration runs:
    the loop body's own lines, also inside its ``with`` blocks, not under an ``if`` or a ``try``,
    nor in a loop nested in it. Then one iteration's value at most outlives the iteration."""
    body = getattr(loop, "body", None)
    statements = list(getattr(body, "body", ()))
    while statements:
        statement = statements.pop()
        if type(statement) is cst.With:
            statements.extend(statement.body.body)
            continue
        if type(statement) is not cst.SimpleStatementLine:
            continue
        for small in statement.body:
            if type(small) is not cst.Assign:
                continue
            for target in small.targets:
                value = assigned_to(target.target, small.value, path)
                if value is not None and not any(
                    type(n) in (cst.Name, cst.Attribute) and dotted(n) == path for n in walk(value)
                ):
                    return True
    return False


def assigned_to(target, value, path: str):
    """The expression ``path`` is bound to by ``target = value``, also in a tuple assignment
    (``states, values = [], []``, element by element); None when ``target`` does not bind it."""
    if dotted(target) == path:
        return value
    if type(target) in (cst.Tuple, cst.List) and type(value) in (cst.Tuple, cst.List):
        if len(target.elements) == len(value.elements):
            for part, assigned in zip(target.elements, value.elements):
                found = assigned_to(part.value, assigned.value, path)
                if found is not None:
                    return found
    return None


def unrolls(loop: cst.CSTNode, record, accumulators) -> bool:
    """A differentiable unroll: the loop rebinds a name from its own value (``x = x + update``), not
    known to be free of the graph, and feeds it to the next step's computation (``loss = f(x)``), so
    each iteration's graph is built on the previous one's and lives as long as the name does
    (learned optimisers, MAML inner loops). A sum of the unroll's losses, started afresh by the
    function (``self.meta_loss = 0`` before the loop), keeps nothing the unroll does not keep
    already: it is the meta-loss a caller backpropagates through the whole unroll."""
    end = record.end
    body = getattr(loop, "body", None)
    if end is None or body is None:
        return False
    # the loop's own target is bound afresh in each iteration: `batch = {k: v.to(d) for k, v in
    # batch.items()}` moves this iteration's batch, it does not chain one iteration to the next
    fresh = target_names(loop.target) if type(loop) is cst.For else set()
    fed = set()
    for node in walk(body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if type(node) is cst.Call and not (type(node.func) is cst.Name and node.func.value in NOT_A_STEP):
            fed.update(arg.value.value for arg in node.args if type(arg.value) is cst.Name)
    for node in walk(body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if type(node) is not cst.Assign or len(node.targets) != 1 or type(node.targets[0].target) is not cst.Name:
            continue
        name = node.targets[0].target.value
        if name in accumulators or name in fresh or name not in record.entry or name not in fed:
            continue
        if not _reads_name(node.value, name):
            continue
        if any(type(n) is cst.Name and n.value in ("detach", "detach_", "data", "item") for n in walk(node.value)):
            continue
        value = end.env.get(name)
        if value is not None and value.kind in ("tensor", "unknown") and value.grad is not False:
            return True
    return False


@per_node
def nested_loop_targets(loop: cst.CSTNode) -> frozenset:
    """Names bound as the targets of the loops nested in ``loop`` (``for model in models:``);
    memoised: asked at the end of every walk of the loop."""
    names = set()
    body = getattr(loop, "body", None)
    if body is None:
        return frozenset()
    for node in walk(body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if type(node) is cst.For:
            names.update(n.value for n in walk(node.target) if type(n) is cst.Name)
    return frozenset(names)


def _reads_name(expression, name: str) -> bool:
    """``expression`` reads the variable ``name``: not an attribute of that name (``loss = outputs.loss``
    reads ``outputs``) nor a keyword argument (``f(loss=...)``)."""
    labels = set()
    for node in walk(expression):
        if type(node) is cst.Attribute:
            labels.add(id(node.attr))
        elif type(node) is cst.Arg and node.keyword is not None:
            labels.add(id(node.keyword))
    return any(type(n) is cst.Name and n.value == name and id(n) not in labels for n in walk(expression))
