"""The state a walk starts a function with: its parameters bound (to the call's arguments, else to
what the function's annotations and uses tell), ``self`` and its fields, and the walk's per-function
bookkeeping reset. ``Calls`` enters a function this way for every walk, summary or report."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .arguments import is_static, parameters
from .state import Env, State
from .switched_fields import switched_and_called_fields
from .values import UNKNOWN, ClassInfo, Tri, Value


class FunctionEntry:
    def _enter_function(
        self, node: cst.FunctionDef, outer, mode: Tri, cls: Optional[ClassInfo], params: dict, receiver=None, fields=()
    ) -> None:
        """Set up the walk's state at the entry of ``node`` (the caller's state is saved by the caller);
        ``fields``: the receiver's models as the caller left them (see ``Context.fields``)."""
        if receiver is not None and receiver.cls is not None:
            cls = receiver.cls  # this instance's fields, set by its constructor's arguments
        env: dict = Env()  # (rebinding a name asks what is bound under it: see Env)
        all_params = parameters(node)
        for extra in (node.params.star_arg, node.params.star_kwarg):
            if isinstance(extra, cst.Param):
                all_params.append(extra)
        for param in all_params:
            env[param.name.value] = params.get(param.name.value, UNKNOWN)
        if cls is not None and all_params and not is_static(node):
            self_name = all_params[0].name.value
            if self_name == "self":
                if receiver is None:
                    receiver = (
                        Value(kind="module", params=cls.params, cls=cls)
                        if cls.is_module
                        else Value(kind="instance", cls=cls)
                    )
                env["self"] = receiver
                frozen = receiver.kind == "module" and receiver.params is False
                for attr, value in cls.attrs.items():
                    # the submodules of an object frozen whole are frozen (`model.emb` in the caller)
                    env["self." + attr] = value.with_(params=False) if frozen and value.kind == "module" else value
                for path, value in cls.nested.items():
                    env["self." + path] = value  # (``nested_fields``)
                for attr, value in fields:
                    env["self." + attr] = value
                for attr in switched_and_called_fields(cls.methods, node):
                    if env.get("self." + attr, UNKNOWN).kind == "unknown":
                        env["self." + attr] = Value(kind="module")  # `self.model.eval()`, `self.model(x)`
        for param in all_params:
            if env[param.name.value].kind == "unknown":
                known = (
                    self._annotation_value(param)
                    or self._usage_value(param, node)
                    or self._switched_by_callee(param, node, outer)
                    or self._declared_tensor(param)
                )
                if known is not None:
                    env[param.name.value] = known
        if "self" in env:
            self._usage_fields(node, env)
        self.state = State(env, mode)
        self.outer = outer
        self.scope_name = node.name.value
        self.function = node
        self.current_class = cls
        self._param_loops = []
        self._literal_targets = frozenset()
        self._member_aliases = {}
        self._flag_sides = ()
        self._cond_depth = self._true_arms = 0
        self._returns = None
        self._carried_params, self._return_carries = frozenset(), None
        self._yields = None
        self._loops = []
        self._closure_outers = []
        self._closure_calls = {}
        self._dict_loops = []
        self._entry_loops = []
        self._exit_proofs = None
        self._exit_steps = self._exit_saved = self._exit_freed = None
        self._pending_freezes = []
        self._model_inputs = None
        self._rebound_at, self._return_freezes, self._held_freezes = None, None, {}

