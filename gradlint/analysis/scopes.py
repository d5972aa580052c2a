"""Functions and classes: the scopes the walk analyses one after another."""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from . import torch_api as api
from .state import SCOPE_FIELDS, State
from .values import UNKNOWN, ClassInfo, Tri, Value

_NO_GRAD_HOOKS = re.compile(r"^(validation|val|test|predict)_(step|epoch_end|batch_end)$|^on_(validation|test|predict)_")


class Scopes:
    """Queues function bodies, analyses classes (``__init__`` then methods) and sets up each scope."""

    def _stmt_functiondef(self, node: cst.FunctionDef) -> None:
        mode = self._method_mode(node)
        name = node.name.value
        self._set(name, Value(kind="func", qual=name))
        self.functions[name] = node
        outer = None if self.outer is None and self.scope_name == "<module>" else self._snapshot()
        self._queue.append((node, outer, mode, None))

    def _snapshot(self) -> dict:
        env = dict(self.outer) if self.outer else {}
        env.update(self.state.env)
        return env

    def _stmt_classdef(self, node: cst.ClassDef) -> None:
        info = ClassInfo(node.name.value)
        for base in node.bases:
            value = self.eval(base.value)
            if value.kind == "ref" and (
                api.is_nn_module_class(value.qual) or value.qual == "torch.nn.Module" or value.qual in api.MODULE_BASES
            ):
                info.is_module = True
            elif value.kind == "class" and value.cls is not None and value.cls.is_module:
                info.is_module = True
                info.params = value.cls.params
                info.single_output = value.cls.single_output
                info.attrs.update(value.cls.attrs)
        self._set(info.name, Value(kind="class", cls=info))
        outer = self._snapshot()
        # methods other than __init__ and forward see the module's final names, like functions
        deferred_outer = None if self.outer is None and self.scope_name == "<module>" else outer
        init = None
        methods = []
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                if stmt.name.value == "__init__":
                    init = stmt
                else:
                    methods.append(stmt)
        if init is not None:
            env = self._analyze_function(init, outer, True, info, module_env=None)
            for key, value in env.items():
                if key.startswith("self.") and key.count(".") == 1 and value is not UNKNOWN:
                    info.attrs[key[5:]] = value
            if info.params is None and any(
                v.is_grad_tensor or (v.kind == "module" and v.params) for v in info.attrs.values()
            ):
                info.params = True
        for method in methods:
            if info.is_module and method.name.value == "forward":
                returns: list = []
                self._analyze_function(method, outer, self._method_mode(method), info, returns=returns)
                info.single_output = bool(returns) and all(
                    v.kind == "tensor" and not v.struct for v in returns
                )
            else:
                self._queue.append((method, deferred_outer, self._method_mode(method), info))

    def _method_mode(self, method: cst.FunctionDef) -> Tri:
        mode: Tri = True
        for decorator in method.decorators:
            value = self.eval(decorator.decorator)
            if value.kind == "gradmode":
                mode = value.mode
            elif value.kind == "ref" and value.qual in api.GRAD_MODE_CONTEXTS:
                mode = api.GRAD_MODE_CONTEXTS[value.qual]
            elif value.kind == "func" and mode is True:
                mode = None  # a decorator of this file's own may run the function under no_grad
        if mode is True and _NO_GRAD_HOOKS.match(method.name.value):
            mode = None
        return mode

    def _analyze_function(
        self, node: cst.FunctionDef, outer, mode: Tri, cls: Optional[ClassInfo], module_env=None, returns=None
    ):
        saved = {name: getattr(self, name) for name in SCOPE_FIELDS}
        if outer is None:
            outer = module_env
        env: dict = {}
        params = node.params
        all_params = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                all_params.append(extra)
        for i, param in enumerate(all_params):
            env[param.name.value] = UNKNOWN
        is_static = any(
            isinstance(d.decorator, cst.Name) and d.decorator.value in ("staticmethod", "classmethod")
            for d in node.decorators
        )
        if cls is not None and all_params and not is_static:
            self_name = all_params[0].name.value
            if self_name == "self":
                env["self"] = Value(kind="module", params=cls.params, cls=cls) if cls.is_module else Value(
                    kind="instance", cls=cls
                )
                for attr, value in cls.attrs.items():
                    env["self." + attr] = value
        if mode is True and node.name.value in self._called_without_grad:
            mode = None  # some caller runs it under no_grad
        self.state = State(env, mode)
        self.outer = outer
        self.scope_name = node.name.value
        self.current_class = cls
        self._param_loops = []
        self._cond_depth = 0
        self._returns = returns
        self._loops = []
        try:
            self._body(node.body)
            self._emit("on_scope_end", node)
            return self.state.env
        finally:
            for name, value in saved.items():
                setattr(self, name, value)
