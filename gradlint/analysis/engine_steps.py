"""Process functions of PyTorch-Ignite engines: loop bodies called once per batch.

``trainer = Engine(train_step)`` then ``trainer.run(loader, max_epochs=10)``: ignite calls
``train_step(engine, batch)`` for every batch of every epoch, so its body is the body of a
training loop, though no ``for`` is written (a step with no ``zero_grad()`` accumulates gradients
across iterations; an evaluator's step in eval mode without ``no_grad`` records graphs for every
batch). The analysis walks such a function as a loop (``scopes._analyze_function``).

Event handlers run inside the same loop (``@trainer.on(Events.ITERATION_COMPLETED)``): when a
handler of the file clears gradients, steps, backpropagates or writes ``.grad`` (gradient
accumulation over iterations), the loop's work is split between functions the walk does not join,
so no process function of the file is walked as a loop.
"""

from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

from .syntax import dotted, per_node, walk

_ENGINES = frozenset({"Engine", "DeterministicEngine"})
_TRAINING_CALLS = frozenset({"zero_grad", "step", "backward"})


def engine_step_functions(module: cst.Module, text: str) -> frozenset:
    """The ids of the functions of ``module`` given to an ignite ``Engine`` as its process function."""
    if "ignite" not in text or "Engine" not in text:
        return frozenset()
    return _find(module)


@per_node
def _find(module: cst.Module) -> frozenset:
    engines = _engine_names(module)
    if not engines:
        return frozenset()
    functions: Dict[str, list] = {}
    steps: set = set()
    handlers: list = []
    assigned: set = set()  # `update = make_step(model)`: a name that may hold another function
    for node in walk(module):
        node_type = type(node)
        if node_type is cst.Assign:
            assigned.update(target.target.value for target in node.targets if type(target.target) is cst.Name)
        elif node_type is cst.FunctionDef:
            functions.setdefault(node.name.value, []).append(node)
            if any(_registers(decorator.decorator) for decorator in node.decorators):
                handlers.append(node)
        elif node_type is cst.Call:
            name = dotted(node.func)
            if name in engines:
                step = _process_function(node)
                if step is not None:
                    steps.add(step)
            elif name is not None and name.rsplit(".", 1)[-1] == "add_event_handler" and len(node.args) >= 2:
                handlers.append(node.args[1].value)
    for handler in handlers:
        named = _function_name(handler)
        bodies = functions.get(named[0], []) if named is not None else [handler]
        if any(_trains(body) for body in bodies):
            return frozenset()
    return frozenset(
        id(function)
        for name, method in steps
        if method or name not in assigned
        for function in functions.get(name, ())
        # (engine, batch), after `self` for a method
        if len(function.params.params) >= 2 + method and all(_grad_mode_decorator(d.decorator) for d in function.decorators)
    )


def _function_name(node) -> Optional[tuple]:
    """``(name, is_method)`` for ``train_step`` or ``self.train_step``."""
    if type(node) is cst.Name:
        return node.value, False
    if type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == "self":
        return node.attr.value, True
    return None


def _grad_mode_decorator(decorator) -> bool:
    """``@torch.no_grad()`` and the like; any other decorator may step or clear for the function
    (``@train(model, optimizer, batches_per_step=2)``), so its process function is not walked as a loop."""
    name = dotted(decorator.func if type(decorator) is cst.Call else decorator) or ""
    return name.rsplit(".", 1)[-1] in ("no_grad", "inference_mode", "enable_grad")


def _engine_names(module: cst.Module) -> frozenset:
    """The dotted names the module calls ignite's ``Engine`` by."""
    names = set()
    for node in walk(module, (cst.FunctionDef, cst.ClassDef)):
        if type(node) is cst.ImportFrom and node.module is not None and not node.relative:
            source = dotted(node.module) or ""
            if type(node.names) is cst.ImportStar or not (source == "ignite" or source.startswith("ignite.engine")):
                continue
            for alias in node.names:
                local = alias.asname.name.value if alias.asname is not None else dotted(alias.name)
                if source == "ignite" and dotted(alias.name) == "engine":  # `from ignite import engine as e`
                    names.update(f"{local}.{engine}" for engine in _ENGINES)
                elif source != "ignite" and type(alias.name) is cst.Name and alias.name.value in _ENGINES:
                    names.add(local)
        elif type(node) is cst.Import:
            for alias in node.names:
                source = dotted(alias.name) or ""
                if source == "ignite" or source.startswith("ignite."):
                    local = dotted(alias.asname.name) if alias.asname is not None else source
                    base = local if alias.asname is not None else source
                    if base == "ignite":
                        names.update(f"ignite.engine.{engine}" for engine in _ENGINES)
                    elif source == "ignite.engine":
                        names.update(f"{base}.{engine}" for engine in _ENGINES)
    return frozenset(names)


def _process_function(call: cst.Call) -> Optional[tuple]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "process_function" or arg.keyword is None and arg is call.args[0]:
            return _function_name(arg.value)
    return None


def _registers(decorator) -> bool:
    """``@trainer.on(Events.X)``: a handler of an engine's events."""
    return type(decorator) is cst.Call and type(decorator.func) is cst.Attribute and decorator.func.attr.value == "on"


def _trains(body) -> bool:
    """The handler clears, steps (not a learning-rate scheduler), backpropagates or writes ``.grad``."""
    for node in walk(body):
        if type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in _TRAINING_CALLS:
            receiver = (dotted(node.func.value) or "").rsplit(".", 1)[-1].lower()
            if not (node.func.attr.value == "step" and ("sched" in receiver or receiver.startswith("lr"))):
                return True
        targets = ()
        if type(node) is cst.Assign:
            targets = [target.target for target in node.targets]
        elif type(node) in (cst.AugAssign, cst.AnnAssign):
            targets = [node.target]
        if any(type(target) is cst.Attribute and target.attr.value == "grad" for target in targets):
            return True
    return False
