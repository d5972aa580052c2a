"""The shared analysis: one flow-sensitive walk per scope that every rule rides on.

The walk resolves what imported names refer to, infers which names and
``self.<attr>`` paths hold grad tensors, leaves, modules, optimizers, and whether
gradients are enabled at each statement. Rules are called from the walk (the
``on_*`` hooks of :class:`gradlint.rule.Rule`) and ask it for the values of the
expressions they look at. Unknown stays unknown: a rule fires only on facts the
walk established.

The package is split by concern, the way astroid and jedi split inference:

- ``values``: the abstract values (the lattice) and their join;
- ``state``: the state at a program point, loop records, freeze events;
- ``syntax``: small questions about libcst nodes;
- ``statements`` / ``loops`` / ``bindings``: the statement interpreter (control flow,
  joins, loops) and what assignments write;
- ``expressions``: Python's own expression semantics, ``call_values`` for calls (what
  the callee is decides the call's value); ``operations``: what an op does
  to the graph (its result, what it saves for backward); ``containers``: list and dict
  methods;
- ``torch_api`` (tables), ``torch_semantics`` (torch functions, tensor, optimizer and
  scaler methods) and ``module_semantics`` (calling a module, its own methods) with
  ``call_shapes`` (small questions about torch calls), ``training_effects`` (backward,
  steps, clears) and ``leaves``: library knowledge, kept apart from the interpreter;
- ``evidence``, ``backprop_sources`` and ``output_fields``: facts proven by declarations
  and by use (``loss.backward()`` proves ``loss`` requires grad, and the value ``loss`` was
  computed from alone: ``loss = sum(losses)``); ``usage_scans``: the syntactic scans they
  read (which names a function uses as optimizers, which it backpropagates);
- ``scopes`` and ``fields``: functions, classes, and the fields methods share;
- ``calls`` (interpreting a call), ``arguments`` (binding arguments to parameters),
  ``summaries`` (contexts, what a walk tells its callers) and ``replay`` (applying a
  callee's summary at its call): the interprocedural part;
- ``project``, ``imports``, ``callers`` and ``parsed``: the project a file belongs to,
  its other modules, and the callers in other files;
- ``prescan``: facts gathered from a whole module before the walk;
- ``analyzer``: the driver and the API rules use.
"""

from .analyzer import HOOKS, Analyzer
from .leaves import creates_leaf, made_on_cpu, makes_leaf_in_place
from .state import FreezeEvent, LoopRecord
from .syntax import base_path, dotted, kwarg, literal_bool, within

__all__ = [
    "HOOKS",
    "Analyzer",
    "FreezeEvent",
    "LoopRecord",
    "base_path",
    "creates_leaf",
    "dotted",
    "kwarg",
    "literal_bool",
    "made_on_cpu",
    "makes_leaf_in_place",
    "within",
]
