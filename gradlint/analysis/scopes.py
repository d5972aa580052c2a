"""Functions and classes: the scopes the walk analyses one after another."""

from __future__ import annotations

import builtins
import re
from typing import Optional

import libcst as cst

from . import torch_api as api
from .closure_modes import settle_call_modes
from .constructor_grad_modes import constructor_disables_grad
from .field_stores import self_assignments
from .freed_fields import as_fields
from .frozen_fields import frozen_fields_only
from .imports import out_of_time
from .lightning_manual import manual_optimization
from .other_frameworks import OTHER_FRAMEWORKS
from .state import SCOPE_FIELDS
from .summaries import says_nothing
from .statements import _names_grad_mode
from .plain_outputs import gives_python_values, returns_submodule_values
from .syntax import dotted, free_names, free_names_of, walk
from .sequential_subclasses import sequential_layers
from .values import UNKNOWN, ClassInfo, Tri, Value, join_all, tensor

#: marks a queued function walked only in contexts that said nothing (see ``_worth_a_late_walk``)
UNINFORMED = "uninformed"

_NO_GRAD_HOOKS = re.compile(r"^(validation|val|test|predict)_(step|epoch_end|batch_end)$|^on_(validation|test|predict)_")


class Scopes:
    """Queues function bodies, analyses classes (``__init__`` then methods) and sets up each scope."""

    def _stmt_functiondef(self, node: cst.FunctionDef) -> None:
        mode = self._method_mode(node)
        name = node.name.value
        self._set(name, Value(kind="func", qual=name))
        self.functions[name] = node
        if id(node) in self._defined_early:
            return
        outer = None if self.outer is None and self.scope_name == "<module>" else self._snapshot()
        if outer is not None:
            self._closure_outers.append((id(node), outer))
            self._closures.add(id(node))
        self._queue.append((node, outer, mode, None))

    def _bind_late_names(self) -> None:
        """A nested function sees its enclosing function's names when it runs, not when it is
        defined: `_eval_epoch()` called from `_train_epoch()` although defined after it. Names
        bound after the ``def`` are added (those bound before keep their value)."""
        for key, outer in self._closure_outers:
            for name, value in self.state.env.items():
                outer.setdefault(name, value)
            settle_call_modes(outer, self._closure_calls.get(key))

    def _snapshot(self) -> dict:
        env = dict(self.outer) if self.outer else {}
        env.update(self.state.env)
        return env

    def _stmt_classdef(self, node: cst.ClassDef) -> None:
        if id(node) in self._defined_early:
            return  # walked already, when an earlier class's constructor needed it
        self._define_used_later_definitions(node)
        info = ClassInfo(node.name.value)
        for base in node.bases:
            value = self.eval(base.value)
            info.bases += (value,)
            info.mmengine |= (value.kind == "ref" and value.qual in api.MMENGINE_MODELS) or (
                value.kind == "class" and value.cls is not None and value.cls.mmengine
            )
            if value.kind == "ref" and (
                api.is_nn_module_class(value.qual) or value.qual == "torch.nn.Module" or value.qual in api.MODULE_BASES
            ):
                info.is_module = True
                info.lightning = value.qual == "lightning.pytorch.LightningModule"
                if api.has_weight_and_bias(value.qual):
                    # `class MyLinear(nn.Linear)` inherits the layer's parameters
                    info.params = True
                    info.single_output = True
                    for name in ("weight", "bias"):
                        info.attrs.setdefault(name, tensor(True, True))
            elif value.kind == "class" and value.cls is not None and value.cls.is_module:
                info.is_module = True
                info.lightning = value.cls.lightning
                info.params = value.cls.params
                info.single_output = value.cls.single_output
                info.plain_return = value.cls.plain_return
                info.attrs.update(value.cls.attrs)
                info.methods.update(value.cls.methods)
            elif value.kind == "class" and value.cls is not None and not value.cls.open_base:
                # `class UserFedDistill(User)` on a plain class of the project: the fields its
                # __init__ established and its methods are the subclass's too (the first base wins)
                for name, attr in value.cls.attrs.items():
                    info.attrs.setdefault(name, attr)
                for name, method in value.cls.methods.items():
                    info.methods.setdefault(name, method)
            elif _may_be_a_module_class(base.value, value):
                info.open_base = True
        if info.open_base and not info.is_module and _defines_forward(node):
            # `class Generator(BaseNetwork)` with BaseNetwork from a file that is not linted: a class
            # that defines its own forward(self, ...) on a base that is not known is an nn.Module
            # subclass in PyTorch code (autograd Functions, whose forward is static, derive from torch)
            info.is_module = True
        elif info.open_base and not info.is_module and _reads_training_flag(node):
            # `if self.training:` in a class on an unknown base that never sets the flag itself:
            # the flag is nn.Module's (mmdet's detectors derive from mmengine's BaseModel)
            info.is_module = True
        self._set(info.name, Value(kind="class", cls=info))
        outer = self._snapshot()
        # methods other than __init__ and forward see the module's final names, like functions
        deferred_outer = None if self.outer is None and self.scope_name == "<module>" else outer
        init = None
        methods = []
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                info.methods[stmt.name.value] = stmt
                if stmt.name.value == "__init__":
                    init = stmt
                else:
                    methods.append(stmt)
        if init is not None:
            self._init_stores, stores = {}, self._init_stores
            try:
                env = self._analyze_function(init, outer, True, info, module_env=None)
            finally:
                self._init_stores, stores = stores, self._init_stores
            for key, value in env.items():
                if key.startswith("self.") and key.count(".") == 1:
                    if value is not UNKNOWN:
                        info.attrs[key[5:]] = value
                    elif key[5:] in info.attrs and key[5:] in self_assignments(init):
                        del info.attrs[key[5:]]  # an inherited field the subclass rebinds to what is not known
            self._conditional_fields(node, info, stores, env, methods)
            layered = sequential_layers(node, info.bases, init, self.silent_eval)
            if layered is not None:
                info.layers, info.single_output = layered
                info.params = layered[0] > 0
            if info.params is None and any(
                v.is_grad_tensor or (v.kind == "module" and v.params) for v in info.attrs.values()
            ):
                info.params = True
            if info.params is None and info.is_module and frozen_fields_only(
                info.bases, [init, *methods], {key[5:]: value for key, value in env.items() if key.startswith("self.")}, [node.body]
            ):
                info.params = False
            # walked again in the contexts of the file's constructor calls, if any tells more than
            # unknown arguments (`Trainer(model)`), once those calls are known (as forward is)
            self._forwards_walked.add(id(init))
            self._queue.append((init, deferred_outer, True, info))
        info.made = dict(info.attrs)  # (as its constructor leaves an object: ``nested_fields``)
        self._join_method_fields(info, methods)
        for method in methods:
            if info.is_module and method.name.value == "forward":
                returns: list = []
                self._analyze_function(method, outer, self._method_mode(method, info), info, returns=returns)
                info.single_output = bool(returns) and all(
                    v.kind == "tensor" and not v.struct for v in returns
                )
                info.plain_return = bool(returns) and gives_python_values(returns) or returns_submodule_values(method, info)
                # walked again in the contexts of its calls (`criterion(model(x), y)` gives a loss
                # module's forward its grad inputs), once the file's calls are known
                self._forwards_walked.add(id(method))
                self._queue.append((method, deferred_outer, self._method_mode(method, info), info))
            else:
                self._queue.append((method, deferred_outer, self._method_mode(method, info), info))

    def _conditional_fields(self, node: cst.ClassDef, info: ClassInfo, stores: dict, env, methods) -> None:
        """``if config.use_amp: self.scaler = GradScaler()`` in ``__init__``: where another method reads
        ``self.scaler``, that path was taken (Python raises otherwise) when nothing else can have set
        the field: no base class but ``object`` or torch's, no class attribute, no other method's store."""
        lost = [name for name in stores if env.get(f"self.{name}", UNKNOWN).kind == "unknown"]
        if not lost or not _own_fields_only(self, node):
            return
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        class_names = {
            target.target.value
            for stmt in body
            if isinstance(stmt, cst.SimpleStatementLine)
            for small in stmt.body
            if isinstance(small, (cst.Assign, cst.AnnAssign))
            for target in (small.targets if isinstance(small, cst.Assign) else [small])
            if isinstance(target.target, cst.Name)
        }
        stored_elsewhere = set()
        for method in methods:
            stored_elsewhere |= self_assignments(method)
        for name in lost:
            if name in class_names or name in stored_elsewhere:
                continue
            value = join_all(stores[name])
            if value.kind != "unknown":
                info.attrs[name] = value

    def _project_decorator(self, node) -> bool:
        """A decorator (or decorator factory) that is a function of the project, imported or not."""
        target = node.func if isinstance(node, cst.Call) else node
        return self.silent_eval(target).kind == "func"

    def _define_used_later_definitions(self, node: cst.ClassDef) -> None:
        """``class Model(nn.Module)`` whose ``__init__`` builds ``Decoder(...)``, a class defined further
        down the module: Python runs ``__init__`` when the model is made, after the whole module has
        run, so the classes and functions it names are those of the module's end. Define them first."""
        if self.outer is not None or self.scope_name != "<module>" or not self._blocks:
            return
        statements, index = self._blocks[-1]
        later = {
            stmt.name.value: stmt
            for stmt in statements[index + 1 :]
            if isinstance(stmt, (cst.ClassDef, cst.FunctionDef)) and id(stmt) not in self._defined_early
        }
        later.pop(node.name.value, None)
        if not later:
            return
        used = set()
        for base in node.bases:
            used.update(free_names_of(base.value))
        for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value in ("__init__", "forward"):
                used |= free_names(stmt)
        for name in sorted(used & set(later)):
            definition = later[name]
            if self.lookup(name) is None and id(definition) not in self._defining_early:
                self._defining_early.add(id(definition))  # classes that name each other: once each
                self._stmt_dispatch[type(definition)](definition)
                self._defined_early.add(id(definition))

    def _method_mode(self, method: cst.FunctionDef, cls: Optional[ClassInfo] = None) -> Tri:
        mode: Tri = True
        for decorator in method.decorators:
            value = self.eval(decorator.decorator)
            if value.kind == "gradmode":
                mode = value.mode
            elif value.kind == "ref" and value.qual in api.GRAD_MODE_CONTEXTS:
                mode = api.GRAD_MODE_CONTEXTS[value.qual]
            elif value.kind == "func" and mode is True:
                mode = None  # a decorator of this file's own may run the function under no_grad
            elif mode is True and _names_grad_mode(decorator.decorator):
                mode = None  # `@torch.no_grad()` with `torch` unresolved here
            elif mode is True and self._project_decorator(decorator.decorator):
                mode = None  # `@smart_inference_mode()` from the project's utils: it may disable grad
        if mode is True and _NO_GRAD_HOOKS.match(method.name.value) and (cls is None or cls.is_module or cls.open_base):
            mode = None  # Lightning's hooks: a plain class's `validation_step` is run by its own code
        if mode is True and cls is not None and cls.mmengine and method.name.value in api.MMENGINE_NO_GRAD_METHODS:
            mode = None  # mmengine's val/test loops run it under no_grad; a user may call it with grad on
        if mode is True and cls is not None and method.name.value != "__init__" and constructor_disables_grad(cls):
            mode = None  # its objects' constructor turned gradients off for the process (``constructor_grad_modes``)
        return mode

    def _analyze_function(
        self,
        node: cst.FunctionDef,
        outer,
        mode: Tri,
        cls: Optional[ClassInfo],
        module_env=None,
        returns=None,
        context=None,
    ):
        """Walk a function body on the reporting pass, once, in one calling context or none."""
        saved = {name: getattr(self, name) for name in SCOPE_FIELDS}
        if outer is None:
            outer = module_env
        if context is None and mode is True and self._called_without_grad.covers(node.name.value, cls is not None):
            mode = None  # some caller runs it under no_grad
        elif context is None and mode is True and cls is not None and f"{cls.name}.{node.name.value}" in self._called_without_grad.methods:
            mode = None  # its objects are called only under no_grad (``no_grad_instances``)
        params = context.params if context is not None else {}
        receiver = context.receiver if context is not None else None
        fields = context.fields if context is not None else ()
        if receiver is None and context is not None and context.receiver_training is not None and cls and cls.is_module:
            # a caller in another file switched the model to this mode (``net.eval(); net.generate(x)``):
            # ``self`` is this file's class in that mode
            receiver = Value(kind="module", params=cls.params, cls=cls, training=context.receiver_training)
        try:
            self._enter_function(node, outer, mode, cls, params, receiver, fields)
            if context is not None:
                self._seed_pending(context.frozen)
                self.state.freed = self.state.freed | as_fields(context.freed_fields)
            self._returns = returns
            if id(node) in self.engine_steps or node.name.value == "training_step" and manual_optimization(cls):
                self._loop(node, lambda: self._body(node.body))  # called once per batch
            else:
                self._body(node.body)
            self._emit("on_scope_end", node)
            self._bind_late_names()
            return self.state.env
        finally:
            for name, value in saved.items():
                setattr(self, name, value)

    def _walk_late_contexts(self, module_env) -> None:
        """Functions walked with unknown parameters before a caller's walk gave them a context: a
        call the call-graph order (syntactic: ``train(...)``) could not see, through a module-level
        alias or a table of functions (``ALGS = {"reinforce": reinforce}``, then ``ALGS[name](policy,
        opt)`` in ``main()``). Each is walked again in the contexts it has now; a finding is
        reported once per line whatever the walks. Rounds are bounded (``LATE_ROUNDS``)."""
        for _ in range(LATE_ROUNDS):
            late, self._unknown_walks = self._unknown_walks, []
            late = [entry for entry in late if self._worth_a_late_walk(entry)]
            if not late or out_of_time():
                return
            for node, outer, mode, cls, *_ in late:
                for context in self._contexts_for(node, cls):
                    entry_mode = context.mode if mode is True else mode
                    self._analyze_function(node, outer, entry_mode, cls, module_env=module_env, context=context)

    def _walk_queued(self, entry, module_env) -> None:
        """A queued function: once per calling context seen in the file, else once with unknown parameters."""
        node, outer, mode, cls = entry
        qualname = None
        if outer is None:  # a function or method defined at module level: other files can call it
            qualname = f"{cls.name}.{node.name.value}" if cls is not None else node.name.value
        contexts = self._contexts_for(node, cls, qualname)
        if not contexts:
            if id(node) not in self._forwards_walked:
                self._analyze_function(node, outer, mode, cls, module_env=module_env)
                self._unknown_walks.append(entry)
            return
        # a call under no_grad that no context recorded (in a lambda, say)
        unrecorded_no_grad = self._called_without_grad.unrecorded(node.name.value, cls is not None) and all(
            context.mode is True for context in contexts
        )
        for context in contexts:
            entry_mode = context.mode if mode is True else mode
            if unrecorded_no_grad and entry_mode is True:
                entry_mode = None
            self._analyze_function(node, outer, entry_mode, cls, module_env=module_env, context=context)
        if all(says_nothing(context, cls) for context in contexts):
            # walked in callers' contexts that told nothing (a method a deferred forward calls, recorded
            # by a walk of that forward with its input unknown): the forward's own walk comes later
            self._unknown_walks.append(entry + (UNINFORMED,))

    def _worth_a_late_walk(self, entry) -> bool:
        """A function walked with unknown parameters has a context now; one walked in contexts that told
        nothing has one that tells something (the deferred ``forward`` calling ``self.extract(x)`` with
        ``x`` a tensor)."""
        recorded = self.calls.contexts.get(id(entry[0]))
        if not recorded:
            return False
        return UNINFORMED not in entry or any(not says_nothing(context, entry[3]) for context in recorded)


#: rounds of walks in contexts that arrived after a function's walk (``_walk_late_contexts``)
LATE_ROUNDS = 2

#: top-level modules of the standard library whose classes are bases of plain classes, not of modules
_BUILTIN_NAMES = frozenset(dir(builtins))
_PLAIN_BASE_MODULES = frozenset({"abc", "typing", "enum", "collections", "dataclasses", "builtins", "object", "threading"})


def _may_be_a_module_class(node: cst.BaseExpression, base: Value) -> bool:
    """A base of unknown class: a name imported from a module that was not resolved, or a name
    the analysis does not know; not torch's own classes, builtins, the standard library's or
    another framework's."""
    if isinstance(node, cst.Name) and node.value in _BUILTIN_NAMES:
        return False
    if base.kind == "class":
        return base.cls is not None and base.cls.open_base
    if base.kind == "ref":
        top = base.qual.split(".", 1)[0]
        # not another framework's layer either (`class FocalLoss(paddle.nn.Layer)` defines forward() too)
        return top != "torch" and top not in _PLAIN_BASE_MODULES and top not in OTHER_FRAMEWORKS
    return base.kind == "unknown" and isinstance(node, (cst.Name, cst.Attribute))


def _reads_training_flag(node: cst.ClassDef) -> bool:
    """A method reads ``self.training`` and no method of the class assigns it."""
    reads = False
    for child in walk(node.body):
        if type(child) is cst.Attribute and child.attr.value == "training" and dotted(child) == "self.training":
            reads = True
        elif type(child) in (cst.Assign, cst.AugAssign, cst.AnnAssign):
            targets = [t.target for t in child.targets] if type(child) is cst.Assign else [child.target]
            if any(dotted(t) == "self.training" for t in targets):
                return False
    return reads


def _defines_forward(node: cst.ClassDef) -> bool:
    """An instance method ``forward(self, ...)`` in the class body (a static or class method is not)."""
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "forward":
            decorated = any(
                isinstance(d.decorator, cst.Name) and d.decorator.value in ("staticmethod", "classmethod")
                for d in stmt.decorators
            )
            params = stmt.params.params
            return not decorated and bool(params) and params[0].name.value == "self"
    return False


def _own_fields_only(analyzer, node: cst.ClassDef) -> bool:
    """No base class that may set fields of its own: none, ``object``, or a torch class."""
    for base in node.bases:
        if isinstance(base.value, cst.Name) and base.value.value == "object":
            continue
        value = analyzer.value(base.value)
        if value.kind != "ref" or not value.qual.startswith("torch."):
            return False
    return True
