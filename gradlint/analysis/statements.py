"""The statement interpreter: control flow and joins (loops: ``loops.LoopWalker``)."""

from __future__ import annotations

import libcst as cst

from .handed_modules import forget_layers
from .handed_tensors import forget_filled
from .library_contexts import library_context_given_a_module
from . import torch_api as api
from .arguments import parameters, returned_arguments
from .detached_results import graph_dropped_at_once
from .eval_arms import eval_arm, walk_arm
from .boolean_tests import boolean_truth
from .first_iteration import keep_carried_past_first_arm
from .fresh_arms import fresh_arm_deps
from .enum_members import enum_test
from .number_tests import number_test
from .branch_tests import (
    declares_no_outer_names,
    entry_test,
    is_main_guard,
    none_test,
    recomputed_is_fresh,
    string_test,
    isinstance_test_truth,
    type_test_truth,
)
from .fixed_flags import fixed_flag
from .scaler_arms import scaler_absent_arm
from .flag_fields import constructor_field_truth, literal_field_truth
from .mode_flags import module_mode_truth
from .state import State, Terminated
from .summaries import with_own_paths
from .syntax import EXPRESSIONS, NODES, STATEMENTS, SUITES_AND_COMPOUNDS, child_fields, dotted, dropped_values, function_facts
from .values import NONE, NUMBER, UNKNOWN, Tri, ref, seq


class StatementWalker:
    """Walks statements: each updates ``self.state``; branches and loops join states."""

    def _block(self, statements) -> bool:
        """Walk statements in order; True if the block always leaves early."""
        position = [statements, 0]
        self._blocks.append(position)
        try:
            for index, stmt in enumerate(statements):
                position[1] = index
                handler = self._stmt_dispatch.get(type(stmt))
                if handler is not None:
                    handler(stmt)
                else:
                    self._generic(stmt)
        except Terminated:
            return True
        finally:
            self._blocks.pop()
        return False

    def _body(self, suite) -> bool:
        if type(suite) is cst.IndentedBlock:
            return self._block(suite.body)
        return self._block([suite]) if type(suite) is not cst.SimpleStatementSuite else self._simple_suite(suite)

    def _simple_suite(self, suite: cst.SimpleStatementSuite) -> bool:
        try:
            self._small_statements(suite.body)
        except Terminated:
            return True
        return False

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
        if type(node) is cst.Return and self._returns is not None:
            value = self.eval(node.value) if node.value is not None else NONE
            self._returns.append(with_own_paths(node.value, value))
            self._note_returned_freezes(node.value)
            if self._return_carries is not None:
                self._return_carries.append(self.state.freed & self._carried_params)
            self._note_exit()
        else:
            self._generic(node)
        if type(node) is cst.Return:
            self._emit("on_return", node)
        raise Terminated

    def _small_expr(self, node: cst.Expr) -> None:
        self.dropped_calls.update(dropped_values(node.value))
        value = self.eval(node.value)
        forget_layers(self, node.value)
        forget_filled(self, node.value)
        if value.kind == "gradmode" and type(node.value) is cst.Call and not self._context_only(node.value):
            # torch.set_grad_enabled(False) as a statement switches the mode from here on
            self.state.mode = value.mode
        self._emit("on_expr_stmt", node)

    def _context_only(self, call: cst.Call) -> bool:
        """``torch.no_grad()`` (``inference_mode()``, ``enable_grad()``) as a bare statement: the
        object only switches the mode when a ``with`` enters it (or as a decorator); its constructor
        changes nothing, unlike ``set_grad_enabled(False)``'s, which sets the mode at once."""
        callee = self.silent_eval(call.func)
        return callee.kind == "ref" and api.canonical(callee.qual) in api.GRAD_MODE_CONTEXTS

    def _small_assign(self, node: cst.Assign) -> None:
        saved = self.state.saved
        if all(type(target.target) is cst.Name and target.target.value == "_" for target in node.targets):
            self.dropped_calls.update(dropped_values(node.value))
        value = self.eval(node.value)
        if len(node.targets) == 1 and type(node.targets[0].target) is cst.Name:
            value = self._proven_by_backward(node.targets[0].target.value, value)
            value = self._used_as_optimizer(node.targets[0].target.value, value)
        kept = self._kept_through_unresolved_call(node)
        self._same_objects = self._given_back(node) | frozenset(kept)
        if all(_through_data(target.target) for target in node.targets) or graph_dropped_at_once(node.value):
            # `x.data = f(x)`, `y = f(x).detach()`: the graph built is dropped at once (`.data` keeps
            # the values only), so what its ops saved is saved for no backward()
            self.state.saved = saved
        try:
            for target in node.targets:
                self._prepare_target(target.target)
                self._emit("on_assign", target.target, node.value)
                self._bind(target.target, value, node.value)
                self._prove_unpacked(target.target)
            if self._constructed and len(node.targets) == 1:
                self._replay_constructor_freezes(node.value, node.targets[0].target)
            if (self._returned or self._held_freezes) and len(node.targets) == 1:
                self._replay_returned_freezes(node.value, node.targets[0].target)
            self.state.env.update(kept)
        finally:
            self._same_objects = frozenset()

    def _prove_unpacked(self, target) -> None:
        """``loss, logits = step(batch)`` then ``loss.backward()``: the backward proves the unpacked
        name as it does a name bound alone (the proof needs the binding's position, so it is made
        here, not where loop targets are bound too)."""
        if type(target) not in (cst.Tuple, cst.List):
            return
        for element in target.elements:
            if type(element) is cst.StarredElement or type(element.value) is not cst.Name:
                continue
            name = element.value.value
            bound = self.state.env.get(name)
            if bound is not None:
                proven = self._proven_by_backward(name, bound)
                if proven is not bound:
                    self.state.env[name] = proven

    def _given_back(self, node: cst.Assign) -> frozenset:
        """Names an assignment binds to the very object they held: ``model, opt, loss =
        train(model, opt, ...)`` whose function returns its parameters unchanged (loop rules
        then still see the model the loop started with, not a fresh one)."""
        call = node.value
        if len(node.targets) != 1 or type(call) is not cst.Call:
            return frozenset()
        callee = self.value(call.func)
        if callee.kind != "func":
            return frozenset()
        function = self._function_table(callee.owner)[0].get(callee.qual)
        given = returned_arguments(call, function) if function is not None else {}
        target = node.targets[0].target
        if type(target) is cst.Name:
            return frozenset({target.value}) if given.get(None) == target.value else frozenset()
        if type(target) not in (cst.Tuple, cst.List):
            return frozenset()
        return frozenset(
            element.value.value
            for position, element in enumerate(target.elements)
            if type(element.value) is cst.Name and given.get(position) == element.value.value
        )

    def _small_annassign(self, node: cst.AnnAssign) -> None:
        if node.value is None:
            return
        value = self.eval(node.value)
        self._prepare_target(node.target)
        self._emit("on_assign", node.target, node.value)
        self._bind(node.target, value, node.value)

    def _small_augassign(self, node: cst.AugAssign) -> None:
        self._updated_from_own_grad(node.target, (node.value,))
        current = self.eval(node.target)
        operand = self.eval(node.value)
        self._emit("on_augassign", node)
        self._note_store(node.target, operand)
        if current.kind == "seq":
            result = seq([current.elem, operand.elem if operand.kind == "seq" else None])
            result = result.with_(
                has_grad=current.has_grad or (operand.kind == "seq" and operand.has_grad),
                layers=current.layers + (operand.layers if operand.kind == "seq" else 0),
            )
        elif current.kind == "tensor" and (current.grad or not operand.is_grad_tensor):
            # in place: the tensor keeps its identity; x *= y saves y
            if type(node.operator) in (cst.MultiplyAssign, cst.DivideAssign, cst.MatrixMultiplyAssign):
                self._record_saved([(node.value, operand)])
            if current.grad is True and current.leaf is False and operand.kind == "tensor" and operand.grad is not False:
                # `loss += reg` (reg built before the loop): the sum's graph now goes through the operand's
                self._add_operand_graph(node, current, operand)
            elif current.grad is False and not current.cut and operand.cut and (path := dotted(node.target)):
                # `rl_loss = torch.tensor(0.0)`, then `rl_loss -= log_prob.item() * reward`: the tensor now
                # holds values cut out of the graph, and never requires grad (a backward() raises: GRD103)
                self.state.env[path] = current.with_(cut=True)
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
            local = alias.asname.name.value if alias.asname is not None and type(alias.asname.name) is cst.Name else None
            if self._bind_project_import(full, local):
                continue
            if alias.asname is not None and type(alias.asname.name) is cst.Name:
                self._set(alias.asname.name.value, ref(api.canonical(full)))
            else:
                top = full.split(".", 1)[0]
                self._set(top, ref(top))

    def _small_importfrom(self, node: cst.ImportFrom) -> None:
        if self._bind_project_from_import(node):
            return
        if type(node.names) is cst.ImportStar and self.lookup("torch") is None:
            # `from utils import *` of a file that is not available, in code that uses `torch.`
            # without importing it: the star import is where `torch` comes from (else NameError)
            self._set("torch", ref("torch"))
        if node.relative or node.module is None or type(node.names) is cst.ImportStar:
            return
        module = dotted(node.module)
        if module is None:
            return
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            local = alias.asname.name.value if alias.asname is not None and type(alias.asname.name) is cst.Name else name
            self._set(local, ref(api.canonical(f"{module}.{name}")))

    def _small_del(self, node: cst.Del) -> None:
        targets = node.target.elements if type(node.target) is cst.Tuple else [node.target]
        for target in targets:
            deleted = target.value if type(target) is cst.Element else target
            if type(deleted) is cst.Subscript and (emptied := dotted(deleted.value)) in self.state.freed:
                # `del saved_log_probs[:]`: the graphs the list held are gone from it (``freed_lists``)
                self.state.freed = self.state.freed - {emptied}
                if _whole_slice(deleted) and (kept := self.lookup(emptied)) is not None and kept.kind == "seq":
                    self.state.env[emptied] = seq([])
                    continue
            target = getattr(target, "value", target)
            path = dotted(target)
            if path:
                self._kill(path)
                self.state.env.pop(path, None)

    def _stmt_if(self, node: cst.If) -> None:
        if self.function is None and self.import_depth == 0 and node.orelse is None and is_main_guard(node.test):
            # the script's entry point: in the run the file is linted for (as a script), its body
            # runs, unconditionally, and nothing else depends on whether it did. (A module another
            # file imports is walked with ``import_depth`` above 0: there the block never runs.)
            self.eval(node.test)
            if self._body(node.body):
                raise Terminated
            return
        truth = self._flag_truth(node.test, self.eval(node.test))
        if truth is None:
            truth = type_test_truth(self, node.test)
        if truth is None:
            truth = isinstance_test_truth(self, node.test)
        before = self.state
        self.state = before.copy()
        self._cond_depth += 1
        ends = []
        evaluating = eval_arm(self, node.test) if truth is None and before.mode is True else None
        sides = self._flag_sides
        flag = fixed_flag(self.function, node.test, self.module_node) if truth is None else None
        absent = scaler_absent_arm(self, node.test) if truth is None else None
        later = None  # the end of the path that skips the `if` arm
        try:
            if truth is not False:
                self._narrow(node.test)
                if flag is not None:
                    self._flag_sides = sides + (flag,)
                self._true_arms += truth is True
                try:
                    if not walk_arm(self, node.body, evaluating is True):
                        self.state.no_grads = self.state.no_grads or absent is True
                        ends.append(self.state)
                finally:
                    self._true_arms -= truth is True
            self.state = before.copy()
            orelse = node.orelse
            if truth is not True and orelse is not None:
                self._narrow_else(node.test)
            if flag is not None:
                self._flag_sides = sides + ((flag[0], not flag[1]),)
            if truth is True:
                pass
            elif orelse is None:
                self.state.no_grads = self.state.no_grads or absent is False
                ends.append(self.state)
                later = self.state
            elif type(orelse) is cst.If:
                self._stmt_if(orelse)
                ends.append(self.state)
                later = self.state
            else:
                if not walk_arm(self, orelse.body, evaluating is False):
                    self.state.no_grads = self.state.no_grads or absent is False
                    ends.append(self.state)
                    later = self.state
        finally:
            self._flag_sides = sides
        self._cond_depth -= 1
        if not ends:
            self.state = before
            raise Terminated
        state = ends[0]
        for other in ends[1:]:
            state = State.join(state, other)
        state = fresh_arm_deps(before, ends, recomputed_is_fresh(before, ends, state))
        if later is not None and len(ends) > 1 and truth is None:
            state = keep_carried_past_first_arm(self, node, later, state)
        self.state = state

    def _flag_truth(self, test, value) -> Tri:
        """``if train:`` on a parameter of the function that this call bound to a literal
        (``run_epoch(..., train=False)``, or the default): only that branch runs in this context.
        Only a parameter the function never rebinds: a module-level flag may be set elsewhere.
        ``if not train:`` is the other branch. So does ``if mode == "eval":`` on a parameter bound to
        a literal string (``self.set_mode("eval")``)."""
        if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
            inner = test.expression
            truth = self._flag_truth(inner, self.value(inner) if type(inner) in (cst.Name, cst.Attribute) else UNKNOWN)
            return None if truth is None else not truth
        if type(test) is cst.BooleanOperation:  # `if keep is not None and keep:` (boolean_tests)
            return boolean_truth(
                test, lambda side: self._flag_truth(side, self.value(side) if type(side) in (cst.Name, cst.Attribute) else UNKNOWN)
            )
        if type(test) is cst.Attribute:  # `if self.is_test:` set by the calling method (flag_fields)
            mode = module_mode_truth(self, test)  # `if model.training:` after `model.eval()` (mode_flags)
            if mode is not None:
                return mode
            return literal_field_truth(self.function, self.module_node, self.current_class, test, value)
        if type(test) is cst.Comparison:
            compared = test
            test, value = string_test(self, compared)
            if type(test) is cst.Attribute:  # `if self.arch == "vgg":` in a constructor
                return constructor_field_truth(self.function, self.module_node, test, value)
            if value.kind != "number":
                test, value = none_test(self, compared)
            if value.kind != "number":
                test, value = entry_test(self, compared)
            if value.kind != "number":
                test, value = enum_test(self, compared)  # `if phase == Phase.TRAIN:` (enum_members)
            if value.kind != "number":
                test, value = number_test(self, compared)  # `if std > 0:` (number_tests)
        elif type(test) in (cst.Subscript, cst.Call):
            test, value = entry_test(self, test)
        if type(test) is cst.Name and value.kind == "none" and self._fixed_name(test.value):
            return False  # `if output_dim:` on a parameter bound to None (the default): never runs
        if type(test) is not cst.Name or value.kind != "number" or not self._fixed_name(test.value):
            return None
        return value.mode

    def _fixed_name(self, name: str) -> bool:
        """Whether the walk's value of ``name`` is the one every path gives it here: the name of an
        enclosing loop walked once per string (``literal_loops``), a parameter the function never
        rebinds, or a local name of a function that declares no ``global``/``nonlocal`` (``is_train =
        phase == "train"``). Not a module-level name: a function may set it."""
        if name in self._literal_targets:
            return True
        if self.function is None:
            return False
        if name in function_facts(self.function).rebound:
            return declares_no_outer_names(self.function)
        return name in {p.name.value for p in parameters(self.function)}

    def _stmt_with(self, node: cst.With) -> None:
        saved_mode = self.state.mode
        body_mode = saved_mode
        for item in node.items:
            value = self.eval(item.item)
            if value.kind == "gradmode":
                body_mode = value.mode
            elif type(item.item) is cst.Call and self.value(item.item.func).kind == "func":
                # a context manager of this file's own may well wrap torch.no_grad()
                body_mode = None if body_mode is not False else False
            elif library_context_given_a_module(self, item.item) and body_mode is not False:
                # `with eval_mode(model):` (MONAI's enters torch.no_grad() too)
                body_mode = None
            elif _names_grad_mode(item.item) and body_mode is not False:
                # `torch.no_grad()` where `torch` was never imported here: still what it says
                body_mode = None
            if item.asname is not None:
                self._bind(item.asname.name, UNKNOWN if value.kind == "gradmode" else value, None)
        self.state.mode = body_mode
        terminated = self._body(node.body)
        self.state.mode = saved_mode
        if terminated:
            raise Terminated

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
            raise Terminated

    def _generic(self, node: cst.CSTNode) -> None:
        """Evaluate every expression below a node the walk has no special case for."""
        for name in child_fields(type(node)):
            child = getattr(node, name)
            kind = type(child)
            if kind in EXPRESSIONS:
                self.eval(child)
            elif kind in NODES:
                if kind in SUITES_AND_COMPOUNDS:
                    if kind is cst.IndentedBlock:
                        self._block(child.body)
                    elif kind is cst.SimpleStatementSuite:
                        self._simple_suite(child)
                    else:
                        self._block([child])
                else:
                    self._generic(child)
            elif isinstance(child, (tuple, list)):
                for item in child:
                    kind = type(item)
                    if kind in EXPRESSIONS:
                        self.eval(item)
                    elif kind in STATEMENTS:
                        handler = self._stmt_dispatch.get(kind) or self._small_dispatch.get(kind)
                        (handler or self._generic)(item)
                    elif kind in NODES:
                        self._generic(item)


def _names_grad_mode(node) -> bool:
    """``no_grad()`` / ``inference_mode()`` whatever resolves them, and wrappers named after
    them (``smart_inference_mode()``, ``maybe_no_grad``)."""
    if type(node) is cst.Call:
        node = node.func
    name = dotted(node)
    if name is None:
        return False
    last = name.rsplit(".", 1)[-1]
    return last in api.GRAD_MODE_NAMES or "no_grad" in last or "inference_mode" in last


def _through_data(target) -> bool:
    """``x.data`` or ``x.data[i]`` as an assignment target: a write of values, not of a graph."""
    while type(target) is cst.Subscript:
        target = target.value
    return type(target) is cst.Attribute and target.attr.value == "data"


def _whole_slice(target: cst.Subscript) -> bool:
    """``x[:]``."""
    if len(target.slice) != 1 or type(target.slice[0].slice) is not cst.Slice:
        return False
    part = target.slice[0].slice
    return part.lower is None and part.upper is None and part.step is None
