"""Before the walk: what can be learnt from a whole module without interpreting it."""

from __future__ import annotations

import itertools

import libcst as cst

from .syntax import COMPOUND_STATEMENTS, dotted, own_nodes, walk


class CalledWithoutGrad:
    """The names of the functions and of the methods called with gradients disabled (or maybe
    disabled), or passed there to be called back (``model.apply(init_weights)``).

    The two are kept apart because a method call names no function: ``model.train()`` inside
    ``with torch.no_grad():`` (a validation that restores the training mode) calls nn.Module's
    ``train``, not the file's ``def train(model, loader, optimizer):``, whose loop would otherwise
    be walked with an unknown grad mode and its pitfalls left unreported.
    """

    def __init__(self):
        #: called by a bare name (``evaluate(model)``), or handed over as one
        self.functions: set = set()
        #: called as an attribute (``self.evaluate()``, ``trainer.validate()``), or handed over as one
        self.methods: set = set()
        #: the functions of ``functions`` that some no_grad block does not just call directly: handed
        #: over (``model.apply(init_weights)``), or called in a lambda, a comprehension or a nested
        #: def, where no calling context records the block's grad mode
        self.handed: set = set()

    def add(self, callee) -> None:
        if type(callee) is cst.Name:
            self.functions.add(callee.value)
        elif type(callee) is cst.Attribute:
            self.methods.add(callee.attr.value)

    def covers(self, name: str, method: bool) -> bool:
        """Some code may call the function (or, with ``method``, the method) ``name`` without gradients."""
        return name in (self.methods if method else self.functions)

    def unrecorded(self, name: str, method: bool) -> bool:
        """Some code may call ``name`` without gradients where no calling context records it: a
        method (named on any object), or a function handed over or called inside a lambda, a
        comprehension or a nested def. A function a no_grad block only calls directly has those
        calls recorded as contexts of their own, in that grad mode, when their scope is walked."""
        return name in self.methods if method else name in self.handed


class NoGradCalls:
    """Before the walk: the functions and methods called inside ``torch.no_grad()`` blocks, or
    passed there to be called back (``model.apply(init_weights)``).

    Functions are walked after the code that calls them is, or before: a function
    some code calls under no_grad runs with an unknown grad mode either way.
    """

    _DISABLING = frozenset({"no_grad", "inference_mode", "set_grad_enabled"})

    def __init__(self, called: CalledWithoutGrad):
        self.called = called

    def scan(self, statements) -> None:
        for stmt in statements:
            if type(stmt) not in COMPOUND_STATEMENTS:
                continue
            if type(stmt) is cst.With and any(self._disables(item.item) for item in stmt.items):
                self._collect(stmt.body)
                continue
            if type(stmt) is cst.FunctionDef and any(self._disables(d.decorator) for d in stmt.decorators):
                self._collect(stmt.body)
                continue
            for name in ("body", "orelse", "finalbody"):
                child = getattr(stmt, name, None)
                if type(child) is cst.If:
                    self.scan([child])
                    continue
                if type(child) in (cst.Else, cst.Finally):
                    child = child.body
                if type(child) is cst.IndentedBlock:
                    self.scan(child.body)
            for handler in getattr(stmt, "handlers", ()):
                if type(handler.body) is cst.IndentedBlock:
                    self.scan(handler.body.body)

    def _disables(self, node) -> bool:
        if type(node) is cst.Call:
            node = node.func
        name = dotted(node)
        return name is not None and name.rsplit(".", 1)[-1] in self._DISABLING

    def _collect(self, node) -> None:
        direct: dict = {}
        for current in walk(node, _OWN_SCOPES):
            if type(current) is cst.Call and type(current.func) is cst.Name:
                direct[current.func.value] = direct.get(current.func.value, 0) + 1
        for current in walk(node):
            if type(current) is cst.Call:
                # the function called, and those passed to be called back (`model.apply(init_weights)`)
                for callee in [current.func] + [arg.value for arg in current.args]:
                    self.called.add(callee)
                    if type(callee) is cst.Name:
                        if callee is current.func and direct.get(callee.value, 0) > 0:
                            direct[callee.value] -= 1
                        else:
                            self.called.handed.add(callee.value)


#: the scopes and comprehensions whose calls no calling context records in the enclosing block's grad mode
_OWN_SCOPES = (cst.Lambda, cst.FunctionDef, cst.ClassDef, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


_CALLED_NAMES: dict = {}


def called_names(function: cst.FunctionDef) -> frozenset:
    """The names a function body calls: ``f`` for ``f()``, ``.f`` for an attribute's ``self.f()`` /
    ``model.f()`` (a method's call, never one of the file's functions: ``model.train()`` does not
    call a function ``train``)."""
    cached = _CALLED_NAMES.get(id(function))
    if cached is not None and cached[0] is function:
        return cached[1]
    names = set()
    nodes = own_nodes(function)
    # the body's own calls, and every call in the functions, classes and lambdas it defines
    nested = (current for scope in nodes.nested for current in walk(scope) if type(current) is cst.Call)
    for current in itertools.chain(nodes.of(cst.Call), nested):
        func = current.func
        if type(func) is cst.Name:
            names.add(func.value)
        elif type(func) is cst.Attribute:
            names.add("." + func.attr.value)
    result = frozenset(names)
    if len(_CALLED_NAMES) > 10_000:
        _CALLED_NAMES.clear()
    _CALLED_NAMES[id(function)] = (function, result)
    return result
