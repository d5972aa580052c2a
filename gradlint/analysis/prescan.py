"""Before the walk: what can be learnt from a whole module without interpreting it."""

from __future__ import annotations

import libcst as cst

from .syntax import child_fields, dotted


class NoGradCalls:
    """Before the walk: the names of functions called inside ``torch.no_grad()`` blocks, or
    passed there to be called back (``model.apply(init_weights)``).

    Functions are walked after the code that calls them is, or before: a function
    some code calls under no_grad runs with an unknown grad mode either way.
    """

    _DISABLING = frozenset({"no_grad", "inference_mode", "set_grad_enabled"})

    def __init__(self, names: set):
        self.names = names

    def scan(self, statements) -> None:
        for stmt in statements:
            if not isinstance(stmt, cst.BaseCompoundStatement):
                continue
            if isinstance(stmt, cst.With) and any(self._disables(item.item) for item in stmt.items):
                self._collect(stmt.body)
                continue
            if isinstance(stmt, cst.FunctionDef) and any(self._disables(d.decorator) for d in stmt.decorators):
                self._collect(stmt.body)
                continue
            for name in ("body", "orelse", "finalbody"):
                child = getattr(stmt, name, None)
                if isinstance(child, cst.If):
                    self.scan([child])
                    continue
                if isinstance(child, (cst.Else, cst.Finally)):
                    child = child.body
                if isinstance(child, cst.IndentedBlock):
                    self.scan(child.body)
            for handler in getattr(stmt, "handlers", ()):
                if isinstance(handler.body, cst.IndentedBlock):
                    self.scan(handler.body.body)

    def _disables(self, node) -> bool:
        if isinstance(node, cst.Call):
            node = node.func
        name = dotted(node)
        return name is not None and name.rsplit(".", 1)[-1] in self._DISABLING

    def _collect(self, node) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.Call):
                # the function called, and those passed to be called back (`model.apply(init_weights)`)
                for callee in [current.func] + [arg.value for arg in current.args]:
                    name = dotted(callee)
                    if name is not None:
                        self.names.add(name.rsplit(".", 1)[-1])
            for field_name in child_fields(type(current)):
                child = getattr(current, field_name)
                if isinstance(child, cst.CSTNode):
                    stack.append(child)
                elif isinstance(child, (tuple, list)):
                    stack.extend(c for c in child if isinstance(c, cst.CSTNode))


_CALLED_NAMES: dict = {}


def called_names(function: cst.FunctionDef) -> frozenset:
    """The last parts of the dotted names a function body calls (``f()``, ``self.f()``)."""
    names = set()
    stack = [function.body]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            func = current.func
            if isinstance(func, cst.Name):
                names.add(func.value)
            elif isinstance(func, cst.Attribute):
                names.add(func.attr.value)
        for field_name in child_fields(type(current)):
            child = getattr(current, field_name)
            if isinstance(child, cst.CSTNode):
                stack.append(child)
            elif isinstance(child, (tuple, list)):
                stack.extend(c for c in child if isinstance(c, cst.CSTNode))
    return frozenset(names)
