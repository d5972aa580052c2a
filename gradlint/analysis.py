"""The shared analysis: one flow-sensitive walk per scope that every rule rides on.

The walk resolves what imported names refer to, infers which names and
``self.<attr>`` paths hold grad tensors, leaves, modules, optimizers, and whether
gradients are enabled at each statement. Rules are called from the walk (the
``on_*`` hooks of :class:`gradlint.rule.Rule`) and ask it for the values of the
expressions they look at. Unknown stays unknown: a rule fires only on facts the
walk established.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional

import libcst as cst

from . import torch_api as api
from .values import (
    NONE,
    NUMBER,
    UNKNOWN,
    ClassInfo,
    Tri,
    Value,
    join,
    join_tri,
    ref,
    seq,
    tensor,
)

HOOKS = (
    "on_call",
    "on_assign",
    "on_augassign",
    "on_attribute",
    "on_expr_stmt",
    "on_freeze",
    "on_backward",
    "on_loop_end",
    "on_name",
    "on_scope_end",
    "on_file_end",
)


def dotted(node: cst.CSTNode) -> Optional[str]:
    """``a.b.c`` for a chain of names, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def base_path(node: cst.CSTNode) -> Optional[str]:
    """The dotted path of the tensor an expression views: ``p[:4].data`` -> ``p``."""
    while True:
        if isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Attribute) and node.attr.value in ("data", "T", "mT"):
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in (
            "view",
            "view_as",
            "reshape",
            "flatten",
            "squeeze",
            "unsqueeze",
            "transpose",
            "permute",
            "narrow",
            "select",
            "expand",
        ):
            node = node.func.value
        else:
            return dotted(node)


def creates_leaf(node, ctx) -> bool:
    """Whether an expression is a call that makes a fresh leaf requiring grad."""
    if not isinstance(node, cst.Call):
        return False
    callee = ctx.value(node.func)
    if callee.kind != "ref":
        return False
    if callee.qual == "torch.nn.Parameter":
        return ctx.value(node).is_leaf_grad
    if callee.qual in api.FACTORIES:
        requires = kwarg(node, "requires_grad")
        return requires is not None and literal_bool(requires.value) is True
    return False


def makes_leaf_in_place(node) -> bool:
    """``torch.zeros(3).requires_grad_()``: the call returns the tensor, now a leaf requiring grad."""
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "requires_grad_"
        and (not node.args or literal_bool(node.args[0].value) is True)
    )


def literal_bool(node: Optional[cst.CSTNode]) -> Tri:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def kwarg(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


@dataclass
class FreezeEvent:
    """``requires_grad`` set on the parameters of the module at ``owner``."""

    owner: str
    #: every parameter of the module (an unconditional loop over ``.parameters()``
    #: or ``requires_grad_()`` on the module), or only some.
    whole: bool
    #: True: now requires grad; False: frozen; None: not a literal.
    requires_grad: Tri
    node: cst.CSTNode


class State:
    __slots__ = ("env", "mode", "saved", "freed")

    def __init__(self, env: dict, mode: Tri, saved: frozenset = frozenset(), freed: frozenset = frozenset()):
        self.env = env
        self.mode = mode
        #: dotted paths of grad tensors an op saved for backward since the last
        #: ``backward()`` (a must-fact: kept where every path agrees).
        self.saved = saved
        #: dotted paths of graph values whose graph a ``backward()`` freed (a
        #: may-fact: rebinding the name clears it).
        self.freed = freed

    def copy(self) -> "State":
        return State(dict(self.env), self.mode, self.saved, self.freed)

    @staticmethod
    def join(a: "State", b: "State") -> "State":
        env = {}
        b_env = b.env
        for key, value in a.env.items():
            other = b_env.get(key)
            # a name bound on one path only is unknown after the join (and shadows outer
            # names), but for an import: `if is_torch_available(): import torch`
            env[key] = _one_sided(value) if other is None else join(value, other)
        for key, value in b_env.items():
            if key not in env:
                env[key] = _one_sided(value)
        return State(env, join_tri(a.mode, b.mode), a.saved & b.saved, a.freed | b.freed)


def _one_sided(value: Value) -> Value:
    return value if value.kind == "ref" else UNKNOWN


class _Terminated(Exception):
    pass


_SKIP_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "operator",
        "equal",
        "colon",
        "dot",
        "star",
        "leading_lines",
        "trailing_whitespace",
        "header",
        "footer",
        "asynchronous",
        "whitespace_before",
        "whitespace_after",
    }
)
_FIELD_CACHE: Dict[type, tuple] = {}


def _child_fields(node_type: type) -> tuple:
    fields = _FIELD_CACHE.get(node_type)
    if fields is None:
        fields = tuple(
            name
            for name in node_type.__dataclass_fields__
            if name not in _SKIP_FIELDS and not name.startswith("whitespace") and name != "__slots__"
        )
        _FIELD_CACHE[node_type] = fields
    return fields


#: Hooks that frameworks (Lightning) call under ``torch.no_grad()``.
_NO_GRAD_HOOKS = re.compile(r"^(validation|val|test|predict)_(step|epoch_end|batch_end)$|^on_(validation|test|predict)_")


@dataclass
class LoopRecord:
    """What one loop (with everything nested in it) does on the reporting pass."""

    node: cst.CSTNode
    #: names bound before the loop starts
    entry: frozenset
    backwards: list = field(default_factory=list)  # (call node, receiver path)
    steps: list = field(default_factory=list)  # (call node, optimizer path, optimizer value)
    clears: list = field(default_factory=list)  # owner path of what was cleared, None: unknown / all
    forwards: list = field(default_factory=list)  # (call node, module path, module value, grad mode)
    #: names bound so far in the walked iteration
    bound: set = field(default_factory=set)
    #: functions and methods of this file the loop calls (their bodies are walked elsewhere)
    local_calls: list = field(default_factory=list)


#: What the walk keeps per scope: saved and restored around each function body.
_SCOPE_FIELDS = (
    "state",
    "outer",
    "scope_name",
    "current_class",
    "_param_loops",
    "_cond_depth",
    "_returns",
    "_loops",
)


class Analyzer:
    """Walks one module; calls the rules' hooks on the reporting pass."""

    def __init__(self, rules: Iterable, report: Callable):
        self._report = report
        self.hooks: Dict[str, List[Callable]] = {name: [] for name in HOOKS}
        for rule in rules:
            for name in HOOKS:
                method = getattr(rule, name, None)
                if method is not None:
                    self.hooks[name].append(method)
        self.reporting = True
        self.state = State({}, True)
        self.outer: Optional[dict] = None
        self.cache: Dict[int, Value] = {}
        self._queue: list = []
        #: functions and methods defined in the file, by name
        self.functions: Dict[str, cst.FunctionDef] = {}
        #: the small statement being walked, and its line when it is alone there (for fixes)
        self.statement: Optional[cst.CSTNode] = None
        self.statement_line: Optional[cst.SimpleStatementLine] = None
        self._loops: List[LoopRecord] = []
        self._name_hooks = self.hooks["on_name"]
        #: functions called somewhere with gradients disabled (or maybe disabled)
        self._called_without_grad: set = set()
        #: attribute names read anywhere in the file on something not known to be a
        #: tensor (complete at ``on_file_end``)
        self.loaded_attributes: set = set()
        self._param_loops: list = []
        self._returns: Optional[list] = None
        self._cond_depth = 0
        self.scope_name = "<module>"
        self.current_class: Optional[ClassInfo] = None
        self._eval_dispatch = {
            cst.Name: self._eval_name,
            cst.Attribute: self._eval_attribute,
            cst.Call: self._eval_call,
            cst.BinaryOperation: self._eval_binary,
            cst.UnaryOperation: self._eval_unary,
            cst.Subscript: self._eval_subscript,
            cst.List: self._eval_display,
            cst.Tuple: self._eval_display,
            cst.Set: self._eval_display,
            cst.ListComp: self._eval_comprehension,
            cst.GeneratorExp: self._eval_comprehension,
            cst.SetComp: self._eval_comprehension,
            cst.Comparison: self._eval_comparison,
            cst.IfExp: self._eval_ifexp,
            cst.Integer: lambda node: NUMBER,
            cst.Float: lambda node: NUMBER,
            cst.Imaginary: lambda node: NUMBER,
            cst.SimpleString: lambda node: UNKNOWN,
            cst.Lambda: lambda node: UNKNOWN,
            cst.NamedExpr: self._eval_namedexpr,
        }
        self._stmt_dispatch = {
            cst.SimpleStatementLine: self._stmt_line,
            cst.If: self._stmt_if,
            cst.For: self._stmt_for,
            cst.While: self._stmt_while,
            cst.With: self._stmt_with,
            cst.Try: self._stmt_try,
            cst.TryStar: self._stmt_try,
            cst.FunctionDef: self._stmt_functiondef,
            cst.ClassDef: self._stmt_classdef,
        }
        self._small_dispatch = {
            cst.Expr: self._small_expr,
            cst.Assign: self._small_assign,
            cst.AnnAssign: self._small_annassign,
            cst.AugAssign: self._small_augassign,
            cst.Import: self._small_import,
            cst.ImportFrom: self._small_importfrom,
            cst.Return: self._small_terminal,
            cst.Raise: self._small_terminal,
            cst.Continue: self._small_terminal,
            cst.Break: self._small_terminal,
            cst.Del: self._small_del,
        }

    # ------------------------------------------------------------------ API for rules

    def value(self, node: cst.CSTNode) -> Value:
        """The value the walk computed for an expression of the current statement."""
        cached = self.cache.get(id(node))
        if cached is not None:
            return cached
        if isinstance(node, (cst.Name, cst.Attribute)):
            # a pure look-up: no hooks, nothing recorded
            was_reporting, self.reporting = self.reporting, False
            try:
                return self.eval(node)
            finally:
                self.reporting = was_reporting
        return UNKNOWN

    def report(self, rule, node: cst.CSTNode, message: str, fix=None) -> None:
        if self.reporting:
            self._report(rule, node, message, fix)

    def torch_alias(self) -> Optional[str]:
        """A name bound to the ``torch`` module here, for fixes that need one."""
        for name in ("torch",):
            value = self.lookup(name)
            if value is not None and value.kind == "ref" and value.qual == "torch":
                return name
        for name, value in self.state.env.items():
            if value.kind == "ref" and value.qual == "torch" and "." not in name:
                return name
        return None

    @property
    def grad_enabled(self) -> Tri:
        return self.state.mode

    @property
    def saved(self) -> frozenset:
        return self.state.saved

    @property
    def freed(self) -> frozenset:
        return self.state.freed

    @property
    def loop(self) -> Optional[LoopRecord]:
        """The innermost loop being walked on the reporting pass."""
        return self._loops[-1] if self._loops else None

    def lookup(self, path: str) -> Optional[Value]:
        value = self.state.env.get(path)
        if value is None and self.outer is not None:
            value = self.outer.get(path)
        return value

    # ------------------------------------------------------------------ driver

    def run(self, module: cst.Module) -> None:
        _NoGradCalls(self._called_without_grad).scan(module.body)
        self._block(module.body)
        self._emit("on_scope_end", None)
        module_env = self.state.env
        while self._queue:
            self._analyze_function(*self._queue.pop(0), module_env=module_env)
        self._emit("on_file_end", None)

    def _emit(self, hook: str, node, *args) -> None:
        if self.reporting:
            for handler in self.hooks[hook]:
                handler(node, self, *args)

    def _block(self, statements) -> bool:
        """Walk statements in order; True if the block always leaves early."""
        try:
            for stmt in statements:
                handler = self._stmt_dispatch.get(type(stmt))
                if handler is not None:
                    handler(stmt)
                else:
                    self._generic(stmt)
        except _Terminated:
            return True
        return False

    def _body(self, suite) -> bool:
        if isinstance(suite, cst.IndentedBlock):
            return self._block(suite.body)
        return self._block([suite]) if not isinstance(suite, cst.SimpleStatementSuite) else self._simple_suite(suite)

    def _simple_suite(self, suite: cst.SimpleStatementSuite) -> bool:
        try:
            self._small_statements(suite.body)
        except _Terminated:
            return True
        return False

    # ------------------------------------------------------------------ statements

    def _stmt_line(self, stmt: cst.SimpleStatementLine) -> None:
        self.statement_line = stmt if len(stmt.body) == 1 else None
        try:
            self._small_statements(stmt.body)
        finally:
            self.statement_line = None

    def _small_statements(self, body) -> None:
        for small in body:
            self.statement = small
            if self.reporting:
                self.cache.clear()
            handler = self._small_dispatch.get(type(small))
            if handler is not None:
                handler(small)
            else:
                self._generic(small)

    def _small_terminal(self, node) -> None:
        if isinstance(node, cst.Return) and self._returns is not None:
            self._returns.append(self.eval(node.value) if node.value is not None else NONE)
        else:
            self._generic(node)
        raise _Terminated

    def _small_expr(self, node: cst.Expr) -> None:
        value = self.eval(node.value)
        if value.kind == "gradmode" and isinstance(node.value, cst.Call):
            # torch.set_grad_enabled(False) as a statement switches the mode from here on
            self.state.mode = value.mode
        self._emit("on_expr_stmt", node)

    def _small_assign(self, node: cst.Assign) -> None:
        value = self.eval(node.value)
        for target in node.targets:
            self._prepare_target(target.target)
            self._emit("on_assign", target.target, node.value)
            self._bind(target.target, value, node.value)

    def _small_annassign(self, node: cst.AnnAssign) -> None:
        if node.value is None:
            return
        value = self.eval(node.value)
        self._prepare_target(node.target)
        self._emit("on_assign", node.target, node.value)
        self._bind(node.target, value, node.value)

    def _small_augassign(self, node: cst.AugAssign) -> None:
        current = self.eval(node.target)
        operand = self.eval(node.value)
        self._emit("on_augassign", node)
        if current.kind == "seq":
            result = seq([current.elem, operand.elem if operand.kind == "seq" else None])
            result = result.with_(has_grad=current.has_grad or (operand.kind == "seq" and operand.has_grad))
        elif current.kind == "tensor" and (current.grad or not operand.is_grad_tensor):
            # in place: the tensor keeps its identity; x *= y saves y
            if isinstance(node.operator, (cst.MultiplyAssign, cst.DivideAssign, cst.MatrixMultiplyAssign)):
                self._record_saved([(node.value, operand)])
            return
        else:
            result = self._op_result([(node.target, current), (node.value, operand)])
            if result.kind == "unknown" and current.kind == "number" and operand.kind == "number":
                result = NUMBER
        self._bind(node.target, result, node.value)

    def _small_import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted(alias.name)
            if full is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._set(alias.asname.name.value, ref(api.canonical(full)))
            else:
                top = full.split(".", 1)[0]
                self._set(top, ref(top))

    def _small_importfrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = dotted(node.module)
        if module is None:
            return
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            self._set(local, ref(api.canonical(f"{module}.{name}")))

    def _small_del(self, node: cst.Del) -> None:
        targets = node.target.elements if isinstance(node.target, cst.Tuple) else [node.target]
        for target in targets:
            target = getattr(target, "value", target)
            path = dotted(target)
            if path:
                self._kill(path)
                self.state.env.pop(path, None)

    def _stmt_if(self, node: cst.If) -> None:
        self.eval(node.test)
        before = self.state
        self.state = before.copy()
        self._cond_depth += 1
        ends = []
        if not self._body(node.body):
            ends.append(self.state)
        self.state = before.copy()
        orelse = node.orelse
        if orelse is None:
            ends.append(self.state)
        elif isinstance(orelse, cst.If):
            self._stmt_if(orelse)
            ends.append(self.state)
        else:
            if not self._body(orelse.body):
                ends.append(self.state)
        self._cond_depth -= 1
        if not ends:
            self.state = before
            raise _Terminated
        state = ends[0]
        for other in ends[1:]:
            state = State.join(state, other)
        self.state = state

    def _loop(self, node, run_iteration: Callable[[], None]) -> None:
        """Walk a loop body so that values carried across iterations are seen.

        Silent passes reach the loop-head state (the join of entry and the end of
        an iteration); the reporting pass then walks the body once from it.
        """
        head = self.state
        entry = frozenset(head.env)
        was_reporting = self.reporting
        self.reporting = False
        loops, self._loops = self._loops, []  # silent passes record nothing
        for _ in range(2 if was_reporting else 1):
            self.state = head.copy()
            self._iteration(run_iteration)
            head = State.join(head, self.state)
        self.reporting = was_reporting
        self._loops = loops
        if was_reporting:
            self.state = head.copy()
            record = LoopRecord(node, entry)
            self._loops.append(record)
            try:
                self._iteration(run_iteration)
            finally:
                self._loops.pop()
            self.state = State.join(head, self.state)
            self._emit("on_loop_end", node, record)
        else:
            self.state = head

    def _iteration(self, run_iteration) -> None:
        self._cond_depth += 1
        try:
            run_iteration()
        except _Terminated:
            pass
        finally:
            self._cond_depth -= 1

    def _stmt_for(self, node: cst.For) -> None:
        iterable = self.eval(node.iter)
        element = self._element_of(iterable, node.iter)
        loop_info = None
        if iterable.kind == "params" and isinstance(node.target, (cst.Name, cst.Tuple)):
            target = node.target
            if isinstance(target, cst.Tuple) and len(target.elements) == 2:
                target = target.elements[1].value
            if isinstance(target, cst.Name):
                loop_info = (target.value, iterable.owner, self._cond_depth + 1, node)

        def iteration():
            self._bind_loop_target(node.target, element, iterable)
            self._block(node.body.body) if isinstance(node.body, cst.IndentedBlock) else self._body(node.body)

        if loop_info is not None:
            self._param_loops.append(loop_info)
        try:
            self._loop(node, iteration)
        finally:
            if loop_info is not None:
                self._param_loops.pop()
        if node.orelse is not None:
            self._body(node.orelse.body)

    def _stmt_while(self, node: cst.While) -> None:
        def iteration():
            self.eval(node.test)
            self._body(node.body)

        self._loop(node, iteration)
        if node.orelse is not None:
            self._body(node.orelse.body)

    def _stmt_with(self, node: cst.With) -> None:
        saved_mode = self.state.mode
        body_mode = saved_mode
        for item in node.items:
            value = self.eval(item.item)
            if value.kind == "gradmode":
                body_mode = value.mode
            elif isinstance(item.item, cst.Call) and self.value(item.item.func).kind == "func":
                # a context manager of this file's own may well wrap torch.no_grad()
                body_mode = None if body_mode is not False else False
            if item.asname is not None:
                self._bind(item.asname.name, UNKNOWN if value.kind == "gradmode" else value, None)
        self.state.mode = body_mode
        terminated = self._body(node.body)
        self.state.mode = saved_mode
        if terminated:
            raise _Terminated

    def _stmt_try(self, node) -> None:
        before = self.state.copy()
        self._cond_depth += 1
        ends = []
        if not self._body(node.body):
            if node.orelse is not None:
                if not self._body(node.orelse.body):
                    ends.append(self.state)
            else:
                ends.append(self.state)
        after_body = self.state
        for handler in node.handlers:
            self.state = State.join(before, after_body)
            if handler.name is not None:
                self._bind(handler.name.name, UNKNOWN, None)
            if not self._body(handler.body):
                ends.append(self.state)
        self._cond_depth -= 1
        if ends:
            state = ends[0]
            for other in ends[1:]:
                state = State.join(state, other)
            self.state = state
        else:
            self.state = State.join(before, after_body)
        if node.finalbody is not None:
            self._body(node.finalbody.body)
        if not ends:
            raise _Terminated

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
        saved = {name: getattr(self, name) for name in _SCOPE_FIELDS}
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

    def _generic(self, node: cst.CSTNode) -> None:
        """Evaluate every expression below a node the walk has no special case for."""
        for name in _child_fields(type(node)):
            child = getattr(node, name)
            if isinstance(child, cst.BaseExpression):
                self.eval(child)
            elif isinstance(child, cst.CSTNode):
                if isinstance(child, (cst.BaseSuite, cst.BaseCompoundStatement)):
                    if isinstance(child, cst.IndentedBlock):
                        self._block(child.body)
                    elif isinstance(child, cst.SimpleStatementSuite):
                        self._simple_suite(child)
                    else:
                        self._block([child])
                else:
                    self._generic(child)
            elif isinstance(child, (tuple, list)):
                for item in child:
                    if isinstance(item, cst.BaseExpression):
                        self.eval(item)
                    elif isinstance(item, (cst.BaseStatement, cst.BaseSmallStatement)):
                        handler = self._stmt_dispatch.get(type(item)) or self._small_dispatch.get(type(item))
                        (handler or self._generic)(item)
                    elif isinstance(item, cst.CSTNode):
                        self._generic(item)

    # ------------------------------------------------------------------ binding

    def _set(self, path: str, value: Value) -> None:
        self._kill(path)
        for record in self._loops:
            record.bound.add(path)
        state = self.state
        state.env[path] = value
        # a new value under this name: what was saved or freed was the old one's
        if path in state.saved:
            state.saved = state.saved - {path}
        if path in state.freed:
            state.freed = state.freed - {path}
        if value.saves_self and state.mode is True and value.grad:
            state.saved = state.saved | {path}

    def _kill(self, path: str) -> None:
        env = self.state.env
        prefix = path + "."
        stale = [key for key in env if key.startswith(prefix)]
        for key in stale:
            del env[key]

    def _prepare_target(self, target: cst.BaseExpression) -> None:
        """Evaluate the objects an assignment target writes into, so rules can ask."""
        if isinstance(target, cst.Attribute):
            self.eval(target.value)
        elif isinstance(target, cst.Subscript):
            self.eval(target.value)
            for element in target.slice:
                self._generic(element)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._prepare_target(element.value)

    def _bind(self, target: cst.BaseExpression, value: Value, value_node) -> None:
        if isinstance(target, cst.Name):
            self._set(target.value, value)
        elif isinstance(target, cst.Attribute):
            path = dotted(target)
            if path is not None:
                if target.attr.value == "requires_grad":
                    self._requires_grad_set(target.value, literal_bool(value_node), target)
                elif target.attr.value == "grad":
                    self._clear_grads(None)
                self._set(path, value)
        elif isinstance(target, cst.Subscript):
            self._bind_subscript(target, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            element = value.elem if value.kind == "seq" and value.elem is not None else UNKNOWN
            if value.kind == "seq" and len(value.items) == len(target.elements):
                if not any(isinstance(item, cst.StarredElement) for item in target.elements):
                    for item, item_value in zip(target.elements, value.items):
                        self._bind(item.value, item_value, None)
                    return
            for item in target.elements:
                inner = item.value
                self._bind(inner, UNKNOWN if isinstance(item, cst.StarredElement) else element, None)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value, UNKNOWN, None)

    def _bind_subscript(self, target: cst.Subscript, value: Value) -> None:
        path = dotted(target.value)
        if path is None:
            return
        container = self.lookup(path)
        if container is None:
            return
        if container.kind == "seq":
            self.state.env[path] = seq([container.elem, value] if container.elem is not None else [value])
        elif container.kind == "tensor" and container.grad is False and value.is_grad_tensor and self.state.mode:
            # filling a pre-allocated tensor with graph values makes it part of the graph
            self.state.env[path] = tensor(True, False)

    def _bind_loop_target(self, target, element: Value, iterable: Value) -> None:
        if iterable.kind == "params" and iterable.qual == "named" and isinstance(target, cst.Tuple):
            if len(target.elements) == 2:
                self._bind(target.elements[0].value, UNKNOWN, None)
                self._bind(target.elements[1].value, element, None)
                return
        if iterable.kind == "modules" and iterable.qual == "named" and isinstance(target, cst.Tuple):
            if len(target.elements) == 2:
                self._bind(target.elements[0].value, UNKNOWN, None)
                self._bind(target.elements[1].value, element, None)
                return
        if iterable.kind == "enumerate" and isinstance(target, cst.Tuple) and len(target.elements) == 2:
            self._bind(target.elements[0].value, NUMBER, None)
            self._bind(target.elements[1].value, iterable.elem or UNKNOWN, None)
            return
        self._bind(target, element, None)

    def _element_of(self, iterable: Value, node) -> Value:
        if iterable.kind == "params":
            return tensor(iterable.grad, True)
        if iterable.kind == "modules":
            return Value(kind="module", params=None)
        if iterable.kind == "seq" and iterable.elem is not None:
            return iterable.elem
        return UNKNOWN

    # ------------------------------------------------------------------ requires_grad bookkeeping

    def _requires_grad_set(self, obj_node, requires_grad: Tri, node) -> None:
        """``X.requires_grad = v`` / ``X.requires_grad_(v)`` on a parameter or module."""
        obj = self.value(obj_node)
        path = dotted(obj_node)
        if obj.kind == "tensor" and isinstance(obj_node, cst.Name) and self._param_loops:
            name, owner, depth, loop = self._param_loops[-1]
            if name == obj_node.value and owner is not None:
                self.state.env[name] = obj.with_(grad=requires_grad)
                whole = depth == self._cond_depth
                self._freeze(FreezeEvent(owner, whole, requires_grad, loop if whole else node))
                return
        if obj.kind == "tensor" and path is not None:
            self.state.env[path] = obj.with_(grad=requires_grad)
            if "." in path:
                self._freeze(FreezeEvent(path.rsplit(".", 1)[0], False, requires_grad, node))

    def _freeze(self, event: FreezeEvent) -> None:
        root = event.owner
        module = self.lookup(root)
        if module is not None and module.kind == "module":
            self.state.env[root] = module.with_(params=None)
        self._emit("on_freeze", event.node, event)

    # ------------------------------------------------------------------ expressions

    def eval(self, node: cst.CSTNode) -> Value:
        handler = self._eval_dispatch.get(type(node))
        if handler is None:
            self._generic(node)
            value = UNKNOWN
        else:
            value = handler(node)
        if self.reporting:
            self.cache[id(node)] = value
        return value

    def _eval_name(self, node: cst.Name) -> Value:
        if self._name_hooks and self.reporting:
            for handler in self._name_hooks:
                handler(node, self)
        value = self.lookup(node.value)
        if value is not None:
            return value
        if node.value in ("True", "False"):
            return NUMBER
        if node.value == "None":
            return NONE
        if node.value in _BUILTINS:
            return Value(kind="builtin", qual=node.value)
        return UNKNOWN

    def _eval_attribute(self, node: cst.Attribute) -> Value:
        path = dotted(node)
        if path is not None:
            known = self.lookup(path)
            if known is not None:
                if self.reporting:
                    receiver = self.lookup(path.rsplit(".", 1)[0])
                    if receiver is None or receiver.kind != "tensor":
                        self.loaded_attributes.add(node.attr.value)
                return known
        obj = self.eval(node.value)
        if self.reporting and obj.kind != "tensor":
            self.loaded_attributes.add(node.attr.value)
        attr = node.attr.value
        kind = obj.kind
        if kind == "ref":
            return ref(api.canonical(f"{obj.qual}.{attr}"))
        if kind == "tensor":
            self._emit("on_attribute", node)
            if obj.struct:
                return tensor(obj.grad, False if obj.grad else None, struct=True, deps=obj.deps)
            if attr == "grad":
                return tensor(False, True)
            if attr == "data":
                return tensor(False, True, data_of=base_path(node.value), cut=obj.grad is True or obj.cut)
            if attr in ("T", "mT", "H", "mH", "real", "imag"):
                return self._op_result([(node.value, obj)], "none")
            return UNKNOWN
        if kind == "module":
            if obj.cls is not None:
                return obj.cls.attrs.get(attr, UNKNOWN)
            if attr in ("weight", "bias") and obj.params is True and obj.qual:
                return tensor(True, True)
            return UNKNOWN
        return UNKNOWN

    def _eval_subscript(self, node: cst.Subscript) -> Value:
        base = self.eval(node.value)
        for element in node.slice:
            self._generic(element)
        if base.kind == "tensor" and not base.struct:
            if base.grad is False:
                return tensor(False, base.leaf, cut=base.cut)
            return self._op_result([(node.value, base)], "none")
        if base.kind == "seq" and base.elem is not None and len(node.slice) == 1 and isinstance(
            node.slice[0].slice, cst.Index
        ):
            return base.elem
        return UNKNOWN

    def _eval_display(self, node) -> Value:
        values = [self.eval(element.value) for element in node.elements]
        if isinstance(node, cst.Tuple) and not any(isinstance(e, cst.StarredElement) for e in node.elements):
            return seq(values).with_(items=tuple(values))
        return seq(values)

    def _eval_comprehension(self, node) -> Value:
        saved_env = self.state.env
        self.state.env = dict(saved_env)
        try:
            comp = node.for_in
            while comp is not None:
                iterable = self.eval(comp.iter)
                self._bind_loop_target(comp.target, self._element_of(iterable, comp.iter), iterable)
                for cond in comp.ifs:
                    self.eval(cond.test)
                comp = comp.inner_for_in
            element = self.eval(node.elt)
        finally:
            self.state.env = saved_env
        return seq([element])

    def _eval_comparison(self, node: cst.Comparison) -> Value:
        values = [self.eval(node.left)] + [self.eval(c.comparator) for c in node.comparisons]
        if any(v.kind == "tensor" for v in values):
            return tensor(False, None)
        return NUMBER

    def _eval_ifexp(self, node: cst.IfExp) -> Value:
        self.eval(node.test)
        return join(self.eval(node.body), self.eval(node.orelse))

    def _eval_namedexpr(self, node: cst.NamedExpr) -> Value:
        value = self.eval(node.value)
        self._bind(node.target, value, node.value)
        return value

    def _eval_unary(self, node: cst.UnaryOperation) -> Value:
        value = self.eval(node.expression)
        if isinstance(node.operator, cst.Not):
            return NUMBER
        if value.kind == "tensor":
            return self._op_result([(node.expression, value)], "none")
        return value if value.kind == "number" else UNKNOWN

    def _eval_binary(self, node: cst.BinaryOperation) -> Value:
        left = self.eval(node.left)
        right = self.eval(node.right)
        if left.kind == "number" and right.kind == "number":
            return Value(kind="number", cut=left.cut or right.cut)
        if left.kind != "tensor" and right.kind != "tensor":
            if left.kind == "seq" and right.kind == "seq" and isinstance(node.operator, cst.Add):
                return seq([v for v in (left.elem, right.elem) if v is not None]).with_(
                    has_grad=left.has_grad or right.has_grad
                )
            return UNKNOWN
        operator = node.operator
        if isinstance(operator, (cst.FloorDivide, cst.Modulo, cst.BitAnd, cst.BitOr, cst.BitXor)):
            return tensor(None, None)
        operands = [(node.left, left), (node.right, right)]
        if isinstance(operator, cst.Power):
            return self._op_result(operands, "inputs")
        result = self._op_result(operands, "none")
        if result.grad and left.kind == "tensor" and right.kind == "tensor":
            # a * b keeps each operand for the other's gradient; a / b needs b, and a too if b requires grad
            if isinstance(operator, (cst.Multiply, cst.MatrixMultiply)):
                self._record_saved([pair for pair, other in ((operands[0], right), (operands[1], left)) if other.grad])
            elif isinstance(operator, cst.Divide):
                self._record_saved([operands[1]] + ([operands[0]] if right.grad else []))
        return result

    def _op_result(self, operands, saving: str = "inputs") -> Value:
        """The result of a differentiable op on (node, value) operands.

        ``saving`` says what the op keeps for backward: "inputs", "output" or "none".
        """
        mode = self.state.mode
        grads = []
        cut = False
        deps: frozenset = frozenset()
        for node, value in operands:
            kind = value.kind
            if kind == "tensor":
                grads.append(value.grad)
                cut = cut or value.cut
                if value.grad:
                    deps = deps | value.deps
                    if value.leaf is False:
                        path = base_path(node)
                        if path:
                            deps = deps | {path}
            elif kind == "seq":
                grads.append(value.has_grad)
                if value.elem is not None:
                    cut = cut or value.elem.cut
                    deps = deps | value.elem.deps
            elif kind == "number":
                cut = cut or value.cut
            elif kind in ("none", "ref", "builtin"):
                continue
            else:
                grads.append(None)
        has_grad = True in grads
        if mode is False:
            return tensor(False, None, cut=has_grad or cut)
        if has_grad:
            if saving == "inputs":
                self._record_saved(operands)
            return tensor(True if mode else None, False, deps=deps, saves_self=saving == "output")
        if all(g is False for g in grads):
            return tensor(False, None, cut=cut)
        return tensor(None, None)

    def _record_saved(self, operands) -> None:
        if self.state.mode is not True:
            return
        new = [base_path(node) for node, value in operands if value.kind == "tensor" and value.grad]
        new = [p for p in new if p]
        if new:
            self.state.saved = self.state.saved.union(new)

    # ------------------------------------------------------------------ calls

    def _eval_call(self, node: cst.Call) -> Value:
        func = node.func
        if self.state.mode is not True:
            called = dotted(func)
            if called is not None:
                self._called_without_grad.add(called.rsplit(".", 1)[-1])
        if isinstance(func, cst.Attribute):
            path = dotted(func)
            known = self.lookup(path) if path is not None else None
            if known is not None:
                self.cache[id(func)] = known
                args = self._args(node)
                result = self._call_value(known, node, args)
            else:
                receiver = self.eval(func.value)
                args = self._args(node)
                result = self._method_call(receiver, func.attr.value, node, args)
        else:
            callee = self.eval(func)
            args = self._args(node)
            result = self._call_value(callee, node, args)
        if self.reporting:
            self.cache[id(node)] = result
        self._emit("on_call", node)
        return result

    def _args(self, node: cst.Call) -> list:
        return [(arg.value, self.eval(arg.value)) for arg in node.args]

    def _call_value(self, callee: Value, node: cst.Call, args) -> Value:
        kind = callee.kind
        if kind == "func" and self._loops and callee.qual in self.functions:
            for record in self._loops:
                record.local_calls.append(self.functions[callee.qual])
        if kind == "ref":
            return self._call_qualified(callee.qual, node, args)
        if kind == "module":
            result = self._module_output(callee, args)
            if self._loops:
                for record in self._loops:
                    record.forwards.append((node, dotted(node.func), callee, self.state.mode))
            return result
        if kind == "class" and callee.cls is not None:
            if callee.cls.is_module:
                return Value(kind="module", params=callee.cls.params, cls=callee.cls)
            return Value(kind="instance", cls=callee.cls)
        if kind == "builtin":
            return self._call_builtin(callee.qual, node, args)
        return UNKNOWN

    @staticmethod
    def _container_params(args) -> Tri:
        """nn.Sequential / nn.ModuleList: trainable if a member module is."""
        members = []
        for _, value in args:
            members.append(value.elem if value.kind == "seq" and value.elem is not None else value)
        if any(m.kind == "module" and m.params for m in members):
            return True
        return None

    def _module_output(self, module: Value, args) -> Value:
        mode = self.state.mode
        if module.cls is not None:
            single = module.cls.single_output
        else:
            single = bool(module.qual) and module.qual.rsplit(".", 1)[1] not in api.TUPLE_OUTPUT_MODULES
        if mode is False:
            carried = module.params is True or any(v.is_grad_tensor or v.cut for _, v in args)
            return tensor(False, None, struct=not single, cut=carried)
        result = self._op_result(args, "inputs")
        grad = result.grad
        if module.params is True:
            grad = True if mode else None
        elif module.params is None and grad is False:
            grad = None
        saves_self = bool(grad) and module.cls is None and module.qual.rsplit(".", 1)[-1] in api.OUTPUT_SAVING_MODULES
        return tensor(
            grad,
            False if grad else None,
            struct=not single,
            deps=result.deps,
            cut=grad is False and result.cut,
            saves_self=saves_self,
        )

    def _call_builtin(self, name: str, node, args) -> Value:
        if name in ("float", "int", "round"):
            carried = any(v.kind == "tensor" and (v.grad is True or v.cut) for _, v in args)
            return Value(kind="number", cut=carried)
        if name in ("len", "bool", "abs", "isinstance", "hasattr", "str", "repr"):
            if name == "abs" and args and args[0][1].kind == "tensor":
                return self._op_result(args[:1])
            return NUMBER
        if name == "sum" and args:
            value = args[0][1]
            if value.kind == "seq" and value.has_grad:
                return self._op_result(args[:1], "none")
            return UNKNOWN
        if name in ("list", "tuple") and args and args[0][1].kind == "seq":
            return args[0][1]
        if name == "enumerate" and args and args[0][1].kind in ("seq", "params", "modules"):
            iterable = args[0][1]
            return Value(kind="enumerate", elem=self._element_of(iterable, None))
        if name in ("list", "tuple") and not args:
            return seq([])
        if name == "zip" and args and all(arg.keyword is None and not arg.star for arg in node.args):
            # iterating zip(a, b) gives (element of a, element of b)
            row = tuple(self._element_of(value, None) for _, value in args)
            return Value(kind="seq", elem=seq(list(row)).with_(items=row), has_grad=None)
        return UNKNOWN

    def _call_qualified(self, qual: str, node: cst.Call, args) -> Value:
        qual = api.canonical(qual)
        if qual in api.GRAD_MODE_CONTEXTS:
            if qual == "torch.inference_mode" and node.args:
                return Value(kind="gradmode", mode=False if literal_bool(node.args[0].value) is not False else None)
            return Value(kind="gradmode", mode=api.GRAD_MODE_CONTEXTS[qual])
        if qual == "torch.set_grad_enabled":
            return Value(kind="gradmode", mode=literal_bool(node.args[0].value) if node.args else None)
        if qual in api.FACTORIES:
            requires = kwarg(node, "requires_grad")
            wants_grad = literal_bool(requires.value) if requires is not None else False
            if qual in ("torch.as_tensor", "torch.asarray") and args and args[0][1].kind == "tensor":
                return args[0][1]
            cut = not wants_grad and any(
                v.cut or v.is_grad_tensor or (v.kind == "seq" and v.elem is not None and v.elem.cut) for _, v in args
            )
            return tensor(wants_grad, True, cut=cut)
        if qual == "torch.nn.Parameter":
            requires = kwarg(node, "requires_grad")
            if requires is None and len(node.args) > 1 and node.args[1].keyword is None:
                requires = node.args[1]
            wants_grad = literal_bool(requires.value) if requires is not None else True
            return tensor(wants_grad, True)
        if qual == "torch.autograd.Variable":
            requires = kwarg(node, "requires_grad")
            wrapped = args[0][1] if args else UNKNOWN
            if requires is not None and literal_bool(requires.value):
                return tensor(True, True if wrapped.kind == "tensor" and wrapped.grad is False else wrapped.leaf)
            return wrapped
        if qual == "torch.autograd.backward":
            if node.args:
                self._backward(node, node.args[0].value)
            return NONE
        if qual == "torch.autograd.grad":
            if node.args and self.state.mode is not False:
                self._free_graph(node, node.args[0].value)
            return seq([tensor(None, None)])
        if api.is_nn_module_class(qual):
            params = api.nn_module_has_params(qual)
            if params is None:
                params = self._container_params(args)
            return Value(kind="module", params=params, qual=qual)
        if qual in api.MODEL_FACTORIES or (
            qual.startswith("torchvision.models.") and qual.rsplit(".", 1)[1][:1].islower()
        ):
            return Value(kind="module", params=True)
        if qual.endswith(".from_pretrained"):
            owner = qual[: -len(".from_pretrained")].rsplit(".", 1)[-1]
            if api.is_pretrained_model_class(owner):
                return Value(kind="module", params=True)
            return UNKNOWN
        if qual in api.GRAD_SCALERS:
            return Value(kind="scaler")
        if api.is_optimizer_class(qual):
            params = args[0][1] if args and node.args[0].keyword is None else None
            return Value(kind="optimizer", owner=params.owner if params is not None and params.kind == "params" else None)
        namespace, _, name = qual.rpartition(".")
        if namespace in api.DIFFERENTIABLE_NAMESPACES and name[:1].islower():
            if qual in api.NON_DIFFERENTIABLE_FUNCTIONS:
                return tensor(False, None)
            return self._op_result(args, api.saving_of(name))
        return UNKNOWN

    def _method_call(self, receiver: Value, name: str, node: cst.Call, args) -> Value:
        kind = receiver.kind
        if kind == "ref":
            return self._call_qualified(f"{receiver.qual}.{name}", node, args)
        if kind == "tensor":
            return self._tensor_method(receiver, name, node, args)
        if kind == "module":
            return self._module_method(receiver, name, node, args)
        if kind == "optimizer":
            if name == "step":
                self._record_step(node, node.func.value, receiver)
            elif name == "zero_grad":
                self._clear_grads(dotted(node.func.value))
            return UNKNOWN
        if kind == "scaler":
            if name == "scale" and args:
                return self._op_result(args[:1], "none")
            if name == "step" and args and args[0][1].kind == "optimizer":
                self._record_step(node, node.args[0].value, args[0][1])
            return UNKNOWN
        if kind == "seq":
            return self._seq_method(receiver, name, node, args)
        if kind == "class" and receiver.cls is not None and name == "from_pretrained" and receiver.cls.is_module:
            return Value(kind="module", params=True, cls=receiver.cls)
        if kind in ("unknown", "instance"):
            path = dotted(node.func.value)
            if name in ("parameters", "named_parameters"):
                return Value(kind="params", owner=path, grad=True, qual="named" if name[0] == "n" else "")
            if name == "zero_grad":
                self._clear_grads(None)
            elif name in ("eval", "train") and path is not None and kind == "unknown" and not node.args:
                # only an nn.Module has eval()/train() with no argument
                module = Value(kind="module", params=True, training=name == "train")
                self.state.env[path] = module
                return module
        return UNKNOWN

    def _record_step(self, node: cst.Call, optimizer_node, optimizer: Value) -> None:
        for record in self._loops:
            record.steps.append((node, dotted(optimizer_node), optimizer))

    def _clear_grads(self, owner: Optional[str]) -> None:
        for record in self._loops:
            record.clears.append(owner)

    def _tensor_method(self, receiver: Value, name: str, node: cst.Call, args) -> Value:
        receiver_node = node.func.value
        path = dotted(receiver_node)
        if name == "backward":
            self._backward(node, receiver_node)
            return NONE
        if name == "retain_grad":
            if path is not None:
                self.state.env[path] = receiver.with_(retains=True)
            return NONE
        if name == "requires_grad_":
            flag = literal_bool(node.args[0].value) if node.args else True
            if flag is None:
                result = receiver.with_(grad=None)
            elif flag:
                result = tensor(True, True if receiver.grad is False else receiver.leaf)
            else:
                result = receiver.with_(grad=False) if receiver.leaf else receiver
            if path is not None:
                self.state.env[path] = result
            self._requires_grad_set(receiver_node, flag, node)
            return result
        if name in ("detach", "detach_"):
            result = tensor(False, True, cut=receiver.grad is True or receiver.cut)
            if name == "detach_" and path is not None:
                self.state.env[path] = result
            if _is_grad_attribute(receiver_node):
                self._clear_grads(None)
            return result
        if name in ("item", "tolist"):
            return Value(kind="number", cut=receiver.grad is True or receiver.cut)
        if name in api.TENSOR_NON_TENSOR_METHODS:
            return UNKNOWN
        if receiver.struct:
            if name in _CONTAINER_METHODS:
                return UNKNOWN
            # only a tensor has this method: the code relies on the output being one
            receiver = receiver.with_(struct=False)
        if name in api.TENSOR_NO_GRAD_METHODS:
            return tensor(False, None)
        if api.is_inplace_method(name):
            if _is_grad_attribute(receiver_node) and name in ("zero_", "fill_", "mul_"):
                self._clear_grads(None)
            if api.saving_of(name) == "inputs":
                self._record_saved(args)
            if receiver.grad is False and any(v.is_grad_tensor for _, v in args) and self.state.mode and path:
                self.state.env[path] = tensor(True, False)
            return receiver
        if name in ("chunk", "split", "unbind", "tensor_split", "split_with_sizes"):
            return seq([self._op_result([(receiver_node, receiver)], "none")])
        if name in api.TENSOR_MAYBE_IDENTITY_METHODS:
            result = self._op_result([(receiver_node, receiver)], "none")
            if receiver.grad:
                # .to(device) returns its receiver when nothing changes: maybe still a leaf
                return result.with_(leaf=None, may_leaf=receiver.leaf is True, data_of=receiver.data_of)
            return result
        return self._op_result([(receiver_node, receiver)] + args, api.saving_of(name))

    def _module_method(self, receiver: Value, name: str, node: cst.Call, args) -> Value:
        path = dotted(node.func.value)
        if name in ("parameters", "named_parameters"):
            grad = True if receiver.params is True else None
            return Value(kind="params", owner=path, grad=grad, qual="named" if name[0] == "n" else "")
        if name in ("modules", "children", "named_modules", "named_children"):
            return Value(kind="modules", owner=path, qual="named" if name[0] == "n" else "")
        if name == "requires_grad_":
            flag = literal_bool(node.args[0].value) if node.args else True
            if path is not None:
                self._freeze(FreezeEvent(path, True, flag, node))
            return (self.lookup(path) if path else None) or receiver
        if name in ("eval", "train"):
            training = name == "train" and (literal_bool(node.args[0].value) if node.args else True)
            result = receiver.with_(training=training)
            if path is not None:
                self.state.env[path] = result
            return result
        if name == "zero_grad":
            self._clear_grads(path)
            return NONE
        if name in ("to", "cuda", "cpu", "float", "double", "half", "bfloat16", "type", "apply"):
            return receiver
        if name == "forward":
            return self._module_output(receiver, args)
        return UNKNOWN

    def _seq_method(self, receiver: Value, name: str, node: cst.Call, args) -> Value:
        path = dotted(node.func.value)
        if name in ("append", "insert") and args and path is not None:
            added = args[-1][1]
            current = self.lookup(path)
            elements = [added] if current is None or current.elem is None else [current.elem, added]
            self.state.env[path] = seq(elements).with_(
                has_grad=True if (current and current.has_grad) or added.is_grad_tensor else join_tri(
                    current.has_grad if current else None, False if added.kind in ("number", "tensor") else None
                )
            )
            return NONE
        if name == "extend" and args and path is not None:
            added = args[0][1]
            if added.kind == "seq":
                elements = [e for e in (receiver.elem, added.elem) if e is not None]
                self.state.env[path] = seq(elements).with_(has_grad=receiver.has_grad or added.has_grad)
            else:
                self.state.env[path] = Value(kind="seq", has_grad=None)
            return NONE
        if name == "pop":
            return receiver.elem or UNKNOWN
        return UNKNOWN

    def _backward(self, node: cst.Call, receiver_node) -> None:
        path = base_path(receiver_node)
        for record in self._loops:
            record.backwards.append((node, path))
        self._emit("on_backward", node, receiver_node)
        self.state.saved = frozenset()
        self._free_graph(node, receiver_node)

    def _free_graph(self, node: cst.Call, receiver_node) -> None:
        for name in ("retain_graph", "create_graph"):
            flag = kwarg(node, name)
            if flag is not None and literal_bool(flag.value) is not False:
                return  # kept (or maybe kept) for another backward
        value = self.value(receiver_node)
        path = base_path(receiver_node)
        freed = value.deps | ({path} if path else frozenset())
        if freed:
            self.state.freed = self.state.freed | freed


class _NoGradCalls:
    """Before the walk: the names of functions called inside ``torch.no_grad()`` blocks.

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
                name = dotted(current.func)
                if name is not None:
                    self.names.add(name.rsplit(".", 1)[-1])
            for field_name in _child_fields(type(current)):
                child = getattr(current, field_name)
                if isinstance(child, cst.CSTNode):
                    stack.append(child)
                elif isinstance(child, (tuple, list)):
                    stack.extend(c for c in child if isinstance(c, cst.CSTNode))


def _is_grad_attribute(node) -> bool:
    """``p.grad`` or ``p.grad.data``: clearing these clears gradients."""
    if isinstance(node, cst.Attribute) and node.attr.value == "data":
        node = node.value
    return isinstance(node, cst.Attribute) and node.attr.value == "grad"


_CONTAINER_METHODS = frozenset(
    "keys values items get to_tuple index count pop update copy setdefault append extend".split()
)

_BUILTINS = frozenset(
    "float int len bool round abs isinstance hasattr str repr sum list tuple enumerate zip".split()
)
