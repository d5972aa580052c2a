"""Module-level containers that the file's functions fill: what one function appends, another reads.

A script keeps state in globals as a class keeps it in fields: ``select_action()`` appends
each action's ``log_prob`` to ``saved_log_probs`` (or to ``policy.saved_log_probs``, a field of a
module-level instance) and ``finish_episode()`` turns the list into a loss. Inside a function a
global is read from the module's names, where it is still the empty list the module made, so
what the other functions put into it was lost.

For a module-level name (or a field of one) that some function changes in place
(``X.append(v)``, ``X.extend(vs)``, ``X.insert(i, v)``, ``X[k] = v``) without binding it
locally, every such function is walked once silently (parameters unknown, the grad mode
its definition gives) and the container is, in every *other* function, the join of the
module's value and what those walks left in it. A file whose functions fill no global costs
nothing more.

A function may also fill a module-level list through a helper: ``run()`` hands the global
``train_losses`` to ``fit(model, opt, train_losses)``, which appends to its parameter. A function
passing a module-level container (a name the module binds to ``[]``, ``{}``, ``list()``, ...) as a
call argument is walked the same way; the walk tells whether the helper put anything there.

The module's own statements run the functions in order: after ``train(model, loader)`` at module
level, the module's ``train_losses`` holds what that call appended (``plt.plot(train_losses)``
then converts those losses). There the call's own walk tells what it left in the container.
"""

from __future__ import annotations

from typing import Dict, List, Optional

import libcst as cst

from .calls import MAX_INLINE_WALKS
from .imports import out_of_time
from .summaries import Context
from .syntax import dotted, function_facts, own_nodes, parameter_names
from .values import Value, join, join_all

#: in-place container methods that put a value into the container
_FILLERS = frozenset({"append", "extend", "insert", "appendleft", "extendleft"})


def _statements(body, into_definitions: bool):
    """The statements of ``body`` and of the blocks nested in it; with ``into_definitions``, of the
    classes' and functions' bodies too (no expression is visited)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        if type(node) in (cst.FunctionDef, cst.ClassDef) and not into_definitions:
            continue
        blocks = [getattr(node, "body", None), getattr(node, "finalbody", None)]
        blocks += [handler.body for handler in getattr(node, "handlers", ())]
        orelse = getattr(node, "orelse", None)
        if type(orelse) is cst.If:
            stack.append(orelse)  # an `elif`: a statement of its own, with its own blocks
        elif orelse is not None:
            blocks.append(orelse.body)
        for block in blocks:
            if type(block) is cst.IndentedBlock:
                stack.extend(block.body)
            elif type(block) is cst.Finally:
                stack.extend(block.body.body if type(block.body) is cst.IndentedBlock else ())


def module_level_names(module: cst.Module) -> frozenset:
    """Names bound by the module's own assignments (not inside its functions and classes)."""
    names = set()
    for statement in _statements(module.body, False):
        if type(statement) is not cst.SimpleStatementLine and type(getattr(statement, "body", None)) is not cst.SimpleStatementSuite:
            continue
        small = statement.body if type(statement) is cst.SimpleStatementLine else statement.body.body
        for node in small:
            if type(node) is cst.Assign:
                names.update(t.target.value for t in node.targets if type(t.target) is cst.Name)
            elif type(node) is cst.AnnAssign and type(node.target) is cst.Name:
                names.add(node.target.value)
    return frozenset(names)


#: calls whose result is a fresh, empty container
_CONTAINER_MAKERS = frozenset({"list", "dict", "deque", "collections.deque", "defaultdict", "collections.defaultdict"})


def _is_container(value: cst.BaseExpression) -> bool:
    if type(value) in (cst.List, cst.Dict):
        return True
    return type(value) is cst.Call and dotted(value.func) in _CONTAINER_MAKERS


def module_level_containers(module: cst.Module) -> frozenset:
    """Names the module's own assignments bind to a list or dict display, or to ``list()``/``dict()``."""
    names = set()
    for statement in _statements(module.body, False):
        if type(statement) is not cst.SimpleStatementLine:
            continue
        for node in statement.body:
            if type(node) is cst.Assign and _is_container(node.value):
                names.update(t.target.value for t in node.targets if type(t.target) is cst.Name)
    return frozenset(names)


def defined_functions(module: cst.Module) -> list:
    return [node for node in _statements(module.body, True) if type(node) is cst.FunctionDef]


def _filled_paths(function: cst.FunctionDef, roots: frozenset) -> set:
    """Dotted paths ``function`` puts values into in place, rooted at names it does not bind (among ``roots``)."""
    nodes = own_nodes(function)
    paths = set()
    for node in nodes.of(cst.Call):
        func = node.func
        if type(func) is cst.Attribute and func.attr.value in _FILLERS:
            path = dotted(func.value)
            if path is not None:
                paths.add(path)
    for node in nodes.of(cst.Assign):
        for target in node.targets:
            if type(target.target) is cst.Subscript:
                path = dotted(target.target.value)
                if path is not None:
                    paths.add(path)
    paths = {p for p in paths if p.split(".", 1)[0] in roots}
    if not paths:
        return paths  # most functions: what names they bind need not be found
    local = function_facts(function).rebound | parameter_names(function)
    declared = {name.name.value for node in nodes.of(cst.Global) for name in node.names}
    return {p for p in paths if p.split(".", 1)[0] not in local - declared and p != "self" and not p.startswith("self.")}


def _passed_names(function: cst.FunctionDef, containers: frozenset) -> set:
    """Names of ``containers``, not bound by ``function``, that it hands to a call as an argument: the
    callee may fill them."""
    nodes = own_nodes(function)
    passed = {arg.value.value for node in nodes.of(cst.Call) for arg in node.args if type(arg.value) is cst.Name}
    passed &= containers
    if not passed:
        return passed  # most functions: what names they bind need not be found
    local = function_facts(function).rebound | parameter_names(function)
    declared = {name.name.value for node in nodes.of(cst.Global) for name in node.names}
    return {name for name in passed if name not in local - declared}


def global_fillers(module: cst.Module, functions: List[cst.FunctionDef]) -> Dict[str, List[cst.FunctionDef]]:
    """Path of a module-level container -> the functions that fill it."""
    names = module_level_names(module)
    containers = module_level_containers(module)
    found: Dict[str, List[cst.FunctionDef]] = {}
    for function in functions:
        paths = _filled_paths(function, names)
        paths.update(_passed_names(function, containers))
        for path in paths:
            found.setdefault(path, []).append(function)
    return found


class GlobalStores:
    """Joins into a global container what the file's functions put into it (see the module doc)."""

    def _global_fillers(self) -> Dict[str, List[cst.FunctionDef]]:
        fillers = self.__dict__.get("_fillers")
        if fillers is None:
            module = self.module_node
            functions = defined_functions(module) if module is not None else []
            fillers = self._fillers = global_fillers(module, functions) if functions else {}
            self._filled = {}
        return fillers

    def global_stored(self, path: str, value: Optional[Value]) -> Optional[Value]:
        """``value``, the module's value of ``path`` read inside a function, joined with what the
        other functions of the file put into it."""
        fillers = self._global_fillers().get(path)
        if not fillers:
            return value
        stored = self._filled.get(path)
        if stored is None:
            self._filled[path] = False  # being computed: a filler reading it sees the module's value
            stored = self._filled[path] = self._walk_fillers(path, fillers)
        if stored is False or stored is None:
            return value
        if value is None:
            return stored
        return join(value, stored) if value.kind == stored.kind else value

    def apply_global_fills(self, filled: Dict[str, Value]) -> None:
        """After a call made by the module's own statements: the containers the callee filled hold,
        from here on, what they held joined with what the callee left in them."""
        if self.function is not None or not filled:
            return  # inside a function, `lookup` joins what every filler may put there
        env = self.state.env
        for path, after in filled.items():
            current = env.get(path)
            if current is not None and current.kind == after.kind and current.kind in ("seq", "dict"):
                env[path] = join(current, after)

    def _walk_fillers(self, path: str, fillers: List[cst.FunctionDef]) -> Optional[Value]:
        values = []
        for function in fillers:
            if self.calls.walks >= MAX_INLINE_WALKS or out_of_time():
                continue
            self.calls.walks += 1
            mode = self._method_mode(function)
            if function.name.value in self._called_without_grad.functions:
                mode = None
            after = self._summarise(function, Context({}, mode, None)).globals_filled.get(path)
            if after is not None and after.kind in ("seq", "dict"):
                values.append(after)
        return join_all(values) if values else None
