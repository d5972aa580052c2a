"""The analysis driver: the API rules ask, and the walk over a module."""

from __future__ import annotations

from typing import Callable, Dict, Iterable, List, Optional

import libcst as cst

from .bindings import Bindings
from .callers import contexts_from_callers
from .call_values import CallValues
from .calls import Calls
from .constructors import Constructors
from .containers import Containers
from .engine_steps import engine_step_functions
from .evidence import Evidence
from .fields import Fields
from .global_stores import GlobalStores
from .harvested_contexts import HarvestedContexts
from .output_fields import proven_callables, proven_fields
from .ambient_torch import ambient_torch
from .imports import Imports, start_file
from .inherited_freezes import InheritedFreezes
from .helper_clears import HelperClears
from .model_inputs import ModelInputs
from .module_semantics import ModuleSemantics
from .project import defined_functions, defined_methods, project_for
from .inherited_no_grad import inherited_no_grad_methods
from .kept_records import records_kept
from .method_aliases import aliased_methods, holds_methods
from .expressions import Expressions
from .operations import Operations
from .prescan import CalledWithoutGrad, NoGradCalls, called_names
from .replay import SummaryReplay
from .returned_freezes import ReturnedFreezes
from .scopes import Scopes
from .state import Env, LoopRecord, State
from .loops import LoopWalker
from .statements import StatementWalker
from .summaries import CallTable, call_graph_order
from .torch_semantics import TorchSemantics
from .training_effects import TrainingEffects
from .dispatch import dispatch_tables
from .values import UNKNOWN, ClassInfo, Tri, Value, ref
from .value_paths import all_deps

HOOKS = (
    "on_call",
    "on_assign",
    "on_augassign",
    "on_attribute",
    "on_comparison",
    "on_expr_stmt",
    "on_freeze",
    "on_backward",
    "on_autograd_grad",
    "on_return",
    "on_store",
    "on_loop_end",
    "on_name",
    "on_scope_end",
    "on_file_end",
)


class Analyzer(
    StatementWalker,
    LoopWalker,
    Bindings,
    Expressions,
    CallValues,
    Operations,
    TorchSemantics,
    ModuleSemantics,
    TrainingEffects,
    Containers,
    Scopes,
    Calls,
    HarvestedContexts,
    Constructors,
    SummaryReplay,
    ReturnedFreezes,
    Fields,
    GlobalStores,
    Evidence,
    Imports,
    InheritedFreezes,
    HelperClears,
    ModelInputs,
):
    """Walks one module; calls the rules' hooks on the reporting pass."""

    def __init__(
        self,
        rules: Iterable,
        report: Callable,
        path: Optional[str] = None,
        import_depth: int = 0,
        crashes: Optional[list] = None,
    ):
        self._report = report
        #: with a list: a rule whose hook raises is recorded there, (code, exception), and its hooks
        #: are off for the rest of the file (a rule bug must not stop the analysis); without, it raises
        self._crashes = crashes
        #: the linted file and its project (None: a snippet with no file, nothing else is read)
        self.path = path
        self.project = project_for(path) if path else None
        self.import_depth = import_depth
        #: the project modules this analysis used (see ``imports``)
        self.used_modules: set = set()
        #: the linted text (for cheap look-ups before loading another module)
        self.source = ""
        #: the module being walked (its own statements are the scope of module-level names)
        self.module_node: Optional[cst.Module] = None
        if import_depth == 0:
            start_file()
        self.hooks: Dict[str, List[Callable]] = {name: [] for name in HOOKS}
        #: id of each hook method -> its rule
        self._hook_rules: dict = {}
        for rule in rules:
            for name in HOOKS:
                method = getattr(rule, name, None)
                if method is not None:
                    if name == "on_name":
                        method = self._guarded(method)  # called by the walk of names itself (``_eval_name``)
                    self.hooks[name].append(method)
                    self._hook_rules[id(method)] = rule
        self.reporting = True
        self.state = State(Env(), True)
        self.outer: Optional[dict] = None
        self.cache: Dict[int, Value] = {}
        #: while the rules' handlers of one hook run: id -> (node, value) of the names and attributes they looked up
        self._looked_up: Optional[Dict[int, tuple]] = None
        self._queue: list = []
        #: ids of ``forward`` methods already walked without a context when their class was defined
        self._forwards_walked: set = set()
        #: queued functions walked with unknown parameters (see ``Scopes._walk_late_contexts``)
        self._unknown_walks: list = []
        #: summaries and calling contexts of the file's own functions
        self.calls = CallTable()
        #: qualified name -> contexts from calls in other files of the project (see ``callers``)
        self.foreign_contexts: Dict[str, list] = {}
        #: analysing a caller for the linted file: the linted file's path, and what its calls give
        self.harvest_target: Optional[str] = None
        self.harvest: Optional[Dict[str, list]] = None
        #: whether calls seen now leave a context for the callee's reporting walk
        self._recording_contexts = True
        #: walking a method silently for a caller that holds its object
        self._inline_receiver = False
        #: id(loop over X.parameters()) -> (X, its value) when the loop froze every parameter
        self._whole_freezes: dict = {}
        #: the blocks being walked, innermost last: (statements, index of the current one)
        self._blocks: list = []
        #: functions and methods defined in the file, by name
        self.functions: Dict[str, cst.FunctionDef] = {}
        #: ids of the functions defined inside another function (closures over its names)
        self._closures: set = set()
        #: ids of module-level classes and functions defined ahead of their turn (see
        #: ``_define_used_later_definitions``)
        self._defined_early: set = set()
        self._defining_early: set = set()
        #: the small statement being walked, and its line when it is alone there (for fixes)
        self.statement: Optional[cst.CSTNode] = None
        self.statement_line: Optional[cst.SimpleStatementLine] = None
        self._loops: List[LoopRecord] = []
        #: names the assignment being bound gives back their own object (see ``_given_back``)
        self._same_objects: frozenset = frozenset()
        self._name_hooks = self.hooks["on_name"]
        #: functions and methods called somewhere with gradients disabled (or maybe disabled)
        self._called_without_grad = CalledWithoutGrad()
        #: attribute names read anywhere in the file on something not known to be a
        #: tensor (complete at ``on_file_end``)
        self.loaded_attributes: set = set()
        #: fields of model outputs of unknown structure that a backward() of the file proves
        #: differentiable (``outputs.loss``, ``out["loss"]``)
        self.proven_fields: frozenset = frozenset()
        #: ids of the calls whose statement drops their value (`model(x)` alone, `_ = model(x)`),
        #: and of those among them that ran a module's forward (see ``dropped_values``)
        self.dropped_calls: set = set()
        self.dropped_forwards: set = set()
        #: ids of the calls of functions whose every grad-mode forward was dropped where it ran (``replay``)
        self.dropped_at_calls: set = set()
        #: unresolved callables whose result a backward() of the file proves differentiable
        self.proven_callables: frozenset = frozenset()
        #: functions given to an ignite Engine: walked as the body of a loop over batches
        self.engine_steps: frozenset = frozenset()
        self._param_loops: list = []
        #: names of enclosing loops walked once per string (``literal_loops``)
        self._literal_targets: frozenset = frozenset()
        #: names of enclosing loops walked once per member, to the member's path (``member_loops``)
        self._member_aliases: dict = {}
        #: enclosing loops over a dict's keys or items (see ``statements._dict_loop``)
        self._dict_loops: list = []
        #: enclosing loops over every entry of a structure with a proven entry (``entry_loops``)
        self._entry_loops: list = []
        #: while a function is summarised: the parameters each of its exits has backpropagated
        self._exit_proofs: Optional[list] = None
        #: the optimizers stepped on the way to each normal exit of the function summarised
        self._exit_steps: Optional[list] = None
        #: what an op had saved at each normal exit of the function summarised (``helper_saves``)
        self._exit_saved: Optional[list] = None
        self._exit_freed: Optional[list] = None
        #: id(loop over a dict) -> the switch of every entry it made (replayed after the loop)
        self._switched_entries: dict = {}
        self._returns: Optional[list] = None
        #: while a function is summarised: the parameters whose argument holds a graph the caller's
        #: backward() freed, and for each return, those its result is still built on (``return_deps``)
        self._carried_params: frozenset = frozenset()
        self._return_carries: Optional[list] = None
        #: id of a call of a project function (or of a forward of the file's own) -> the pairs of
        #: its tuple outputs that share a graph (``Summary.shared_outputs``)
        self.output_sharing: dict = {}
        #: values a generator being summarised yields
        self._yields: Optional[list] = None
        #: freezes and unfreezes of a function being summarised (replayed at its calls)
        self._freeze_log: Optional[list] = None
        #: ids of ``X.requires_grad = v`` targets whose ``X`` is a module: a Python attribute that
        #: changes no parameter (GRD401's pitfall), so no unfreeze after a freeze
        self._module_flag_targets: set = set()
        #: freezes of the scope no training followed yet, (owner, whole, source, made by a caller)
        self._pending_freezes: list = []
        #: ids of the calls of project functions that backpropagate or step an optimizer
        self.training_calls: set = set()
        #: id of such a call -> (path, module) of the caller's models it ran with gradients
        self.call_forwards: dict = {}
        #: id of a call, outside loops, of another file's function -> what its loops evaluated (``looped_evaluations``)
        self.foreign_evaluations: dict = {}
        #: id of a call of a project function that trains -> the caller's paths of the optimizers it steps
        self.call_steps: dict = {}
        #: id of such a call -> what it trained of models frozen whole (``untrained_arguments``)
        self.untrained_calls: dict = {}
        #: id of a call of a project function that cleared gradients -> what, in the caller's names
        self.call_clears: dict = {}
        #: id of a call of a helper that writes through ``.data`` into a saved tensor it is given ->
        #: {the caller's path: the helper's write} (``helper_saves``)
        self.call_data_writes: dict = {}
        #: ids of the names a call passed to parameters its callee only feeds to models (``model_inputs``)
        self.fed_to_models: set = set()
        #: while a function is summarised: ids of the names given straight to a model call
        self._model_inputs: Optional[set] = None
        #: id of a constructor call being bound -> the summary of its ``__init__`` that froze fields
        #: of the new object (replayed on the name bound to it, see ``SummaryReplay._replay_constructor_freezes``)
        self._constructed: dict = {}
        #: id of a call of a project function -> the freezes of the locals it returned (``returned_freezes``)
        self._returned: dict = {}
        #: while summarising: local name -> length of the freeze log when it was last bound
        self._rebound_at: Optional[dict] = None
        #: while summarising: per return walked, {position: ((owner suffix, event), ...)}
        self._return_freezes: Optional[list] = None
        #: name bound to a dict a helper returned -> {key: (events, foreign, call)} (``returned_freezes``)
        self._held_freezes: dict = {}
        self._cond_depth = 0
        #: of those conditions, the ``if`` arms whose test this walk knows true (``bindings._always``)
        self._true_arms = 0
        #: ((flag path, side), ...) of the tests of fixed flags the walk is inside (``fixed_flags``)
        self._flag_sides: tuple = ()
        #: the enclosing names each nested function defined in the current function sees
        self._closure_outers: list = []
        #: the training flags of this function's modules at each call of a nested function (``closure_modes``)
        self._closure_calls: dict = {}
        #: while a class's ``__init__`` is walked: every value stored into each ``self`` field
        self._init_stores: Optional[dict] = None
        self.scope_name = "<module>"
        #: the function being walked (None at module level)
        self.function: Optional[cst.FunctionDef] = None
        self.current_class: Optional[ClassInfo] = None
        self._eval_dispatch, self._stmt_dispatch, self._small_dispatch = dispatch_tables(self)

    def value(self, node: cst.CSTNode) -> Value:
        """The value the walk computed for an expression of the current statement."""
        cached = self.cache.get(id(node))
        if cached is not None:
            return cached
        if type(node) in (cst.Name, cst.Attribute):
            looked = self._looked_up
            if looked is None:
                return self.silent_eval(node)  # a pure look-up
            # the rules' handlers of one hook ask the same (``x.view`` of ``x.view(n, -1)``: five
            # of them ask for a call's callee, which a method call's walk did not evaluate); the node
            # is kept beside its value, so that a node a handler builds cannot take a freed one's id
            known = looked.get(id(node))
            if known is None or known[0] is not node:
                known = looked[id(node)] = (node, self.silent_eval(node))
            return known[1]
        return UNKNOWN

    def silent_eval(self, node: cst.CSTNode) -> Value:
        """``node``'s value, evaluated with the rules' hooks off: nothing reported or recorded."""
        was_reporting, self.reporting = self.reporting, False
        try:
            if _plain_path(node):
                return self.eval(node)  # a name or a dotted path runs nothing
            with records_kept(self._loops):  # what the evaluation runs is no event of the walk's loops
                return self.eval(node)
        finally:
            self.reporting = was_reporting

    def indexes_view(self, node: cst.Subscript) -> bool:
        """Whether ``node`` is known to index a view (slices, ints, ``None``, ``...``): not a copy
        made by a tensor, list or mask index, nor an index of unknown kind."""
        return all(self._basic_index(element) for element in node.slice)

    def called_in_file(self, function: cst.FunctionDef) -> bool:
        """Whether a call in this file gave ``function`` a context (its walk in it replays what the
        function did on the caller's names)."""
        return bool(self.calls.contexts.get(id(function)))

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
    def carried(self) -> frozenset:
        """Names that enter an iteration of an enclosing loop holding a graph the previous
        iteration's backward() freed."""
        found: frozenset = frozenset()
        bound: set = set()
        for record in self._loops:
            found = found | record.carried
            bound |= record.bound
        # rebound in this iteration to a value not built on its old graph (`loss_a, loss_b = f(x)`):
        # what it holds now is this iteration's graph, not a carried one
        return frozenset(
            name for name in found if name not in bound or name in all_deps(self.lookup(name) or UNKNOWN)
        )

    @property
    def block(self) -> Optional[tuple]:
        """The innermost block being walked and the index of the statement being walked in it."""
        if not self._blocks:
            return None
        statements, index = self._blocks[-1]
        return statements, index

    @property
    def blocks(self) -> tuple:
        """The blocks being walked, outermost first: (statements, index of the statement walked in it)."""
        return tuple(self._blocks)

    @property
    def loop(self) -> Optional[LoopRecord]:
        """The innermost loop being walked on the reporting pass."""
        return self._loops[-1] if self._loops else None

    @property
    def loops(self) -> tuple:
        """The loops being walked on the reporting pass, outermost first."""
        return tuple(self._loops)

    def lookup(self, path: str) -> Optional[Value]:
        value = self.state.env.get(path)
        if value is None and self.outer is not None:
            value = self.outer.get(path)
            if self.function is not None and path in self._global_fillers():
                value = self.global_stored(path, value)
        return value

    def run_module_level(self, module: cst.Module) -> None:
        """Walk the module's own statements only: what another file sees when it imports this one."""
        self.module_node = module
        NoGradCalls(self._called_without_grad).scan(module.body)
        self._block(module.body)

    def run(self, module: cst.Module, text: str = "") -> None:
        self.source = text
        self.module_node = module
        self.proven_fields = proven_fields(module, text)
        self.proven_callables = proven_callables(module, text)
        self.engine_steps = engine_step_functions(module, text)
        NoGradCalls(self._called_without_grad).scan(module.body)
        if self.project is not None and text:
            self._called_without_grad.functions |= self.project.no_grad_callees(defined_functions(text))
            self._called_without_grad.methods |= self.project.no_grad_methods(self.path, defined_methods(text))
            self._called_without_grad.methods |= inherited_no_grad_methods(self.project, self.path, text, module)
            if self.import_depth == 0 and self.harvest is None:
                self.foreign_contexts = contexts_from_callers(self.path, text)
        # the methods a field holds (`self.search = self.greedy_search`) run where the field is called
        if holds_methods(text):
            self._called_without_grad.methods |= aliased_methods(module, self._called_without_grad.methods)
        if ambient_torch(text):
            self._set("torch", ref("torch"))  # imported by whatever runs this fragment (``ambient_torch``)
        self._block(module.body)
        self._emit("on_scope_end", None)
        module_env = self.state.env
        walked: set = set()
        deferred: list = []
        releasing = False
        while self._queue or deferred:
            if not self._queue:
                # forwards last, the class defined last first: their calls (`criterion(out, y)` in a
                # training function, a submodule called by the model's forward) are recorded by then
                self._queue, deferred, releasing = deferred[::-1], [], True
            queue, self._queue = self._queue, []
            for entry in queue if releasing else call_graph_order(queue, called_names):
                if id(entry[0]) in walked:
                    continue
                if id(entry[0]) in self._forwards_walked and not releasing:
                    deferred.append(entry)
                    continue
                walked.add(id(entry[0]))
                self._walk_queued(entry, module_env)
        self._walk_late_contexts(module_env)
        self._emit("on_file_end", None)

    def _emit(self, hook: str, node, *args) -> None:
        if self.reporting:
            handlers = self.hooks[hook]
            if not handlers:
                return
            # the handlers read the walk's state, which none of them changes: what one of them
            # looked up (``value``) is what the next would find
            looked, self._looked_up = self._looked_up, {}
            try:
                for handler in handlers:
                    try:
                        handler(node, self, *args)
                    except Exception as exc:
                        self.rule_crashed(handler, exc)
            finally:
                self._looked_up = looked

    def _guarded(self, method: Callable) -> Callable:
        def call(*args):
            try:
                method(*args)
            except Exception as exc:
                self.rule_crashed(call, exc)

        return call

    def rule_crashed(self, handler, exc: Exception) -> None:
        """A rule's hook raised: recorded, and none of the rule's hooks is called again for this file
        (the hooks being called keep their lists: the other rules' handlers of this hook still run)."""
        if self._crashes is None:
            raise exc
        rule = self._hook_rules[id(handler)]
        self._crashes.append((rule.code, exc))
        self.hooks = {
            name: [h for h in handlers if self._hook_rules[id(h)] is not rule] for name, handlers in self.hooks.items()
        }
        self._name_hooks = self.hooks["on_name"]


def _plain_path(node) -> bool:
    while type(node) is cst.Attribute:
        node = node.value
    return type(node) is cst.Name
