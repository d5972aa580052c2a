"""Facts established by how a value is declared or used, not by where it came from.

A parameter of ``def train(model, loader, criterion, optimizer):`` has no visible
origin when nobody in the file calls the function. Some facts hold anyway:

- **Annotations** are declarations the code relies on: ``model: nn.Module`` is a
  module, ``opt: torch.optim.Optimizer`` is an optimizer, ``p: nn.Parameter``
  a leaf that requires grad. Whether an ``nn.Module`` owns trainable parameters (so
  that its output carries a graph) is not declared: a transform or a loss module is
  one too. Its use tells: ``model.train()``/``model.eval()`` switch a model (which has). A string annotation says nothing and is ignored; a plain
  ``torch.Tensor`` declares a tensor, whether it requires grad unknown (what a discarded
  ``x.to(device)`` needs), and only when the parameter's use says nothing more.
- **``x.backward()`` proves that ``x`` requires grad** on every path that reaches it:
  otherwise it raises "element 0 of tensors does not require grad". So once a value is
  bound to ``x`` and the same block goes on, unconditionally, to ``x.backward()``
  (or ``scaler.scale(x).backward()``) with no rebinding of ``x`` in between, ``x``
  holds a grad tensor from its binding on; after ``x.backward()`` it does too. The same
  holds for a field of a named tuple bound to ``x``: ``x.total_loss.backward()``.

- **``isinstance(m, nn.Conv2d)``** is true only for a layer of that class: in the branch
  it guards, ``m`` is that layer (``for m in self.modules(): if isinstance(m, nn.Linear):
  m.weight.data.normal_(0, 0.02)``), and a layer with weights (``Linear``, ``Conv*``,
  norms, ``Embedding``) has ``m.weight`` and ``m.bias`` parameters that require grad.

- **A parameter the function both calls and switches with ``.train()``/``.eval()``**
  (``def train(model, loader, opt): ... model(x) ... model.eval()``) is an ``nn.Module``: a
  callable with a train/eval mode. Whether it owns parameters stays unknown. A name only switched
  says nothing (an evaluator's or an agent's own ``eval()``). Switched by a project function it is
  handed to (``validate(val_loader, model, criterion)`` running ``model.eval()``) counts too.

- **An object whose ``.step()`` is called and whose ``.zero_grad`` is used** in the same
  function is an optimizer: an LR scheduler has ``step()`` but no ``zero_grad()``, a
  module has ``zero_grad()`` but no ``step()``. (A wrapper with both, a DeepSpeed
  engine say, behaves as one for the rules: it applies and clears gradients.) The
  ``zero_grad`` may be referenced without a call (``optimizer.zero_grad``, a typo that
  clears nothing): it still says what the object is.

- **A parameter used as ``scaler.scale(loss).backward()``, ``scaler.step(optimizer)`` and
  ``scaler.update()``** in the same function is a gradient scaler (``torch.amp.GradScaler`` or a
  sharded one): that is its protocol, and the code is written for a scaler that scales (one
  built with ``enabled=False``, or a no-op stand-in, is a configuration the same code must
  also serve, as for ``GradScaler(enabled=args.amp)``). A ``self.scaler`` field used so is
  left unknown: ``__init__`` or a base class may set it to anything.

- **An object named as an optimizer whose ``.step()`` the function calls, in a function
  that backpropagates** (``def train(model, loader, optimizer): ... loss.backward();
  optimizer.step()``) is an optimizer. The ``zero_grad`` the rule above needs is exactly
  what a missing-``zero_grad()`` bug leaves out, so use alone cannot tell. The name
  carries it: ``optimizer``, ``optim``, ``opt`` and their ``_g``/``d_``-style variants name
  an optimizer in ordinary code; an LR scheduler stepped after ``backward()`` is named
  ``scheduler`` or ``lr_...``, and ``opt`` for parsed options has no ``step()``. A
  ``step(closure)`` (L-BFGS, whose closure clears gradients) is not counted.

- **``p -= lr * p.grad``** (or ``p.sub_(lr * p.grad)``, any in-place update of ``p`` computed
  from ``p.grad``) proves that ``p`` is a tensor whose ``.grad`` holds a tensor: otherwise the
  arithmetic raises a ``TypeError`` on ``None``. Only a tensor that requires grad and that a
  ``backward()`` reached has one: a leaf (a non-leaf keeps no ``.grad`` unless it called
  ``retain_grad()``). A ``.grad`` read under a test (``... if p.grad is not None else``) proves
  nothing.

Deliberately *not* evidence: a ``.step()`` alone (LR schedulers have one too), a
``.zero_grad()`` alone, or a name alone: the first two are shared by other objects,
the last is a guess.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from . import torch_api as api
from .arguments import parameters
from .backprop_params import argument_nodes
from .backprop_sources import computed_only_from
from .block_index import assignments_until_rebound
from .other_frameworks import written_for_another_framework
from .output_uses import used_as_tensor_next
from .syntax import dotted, function_facts
from .usage_scans import (
    backward_names,
    binds,
    optimizer_names_by_use,
    handing_calls,
    mode_uses,
    switched_and_called_names,
    part_of,
    reads_grad_of,
    scaler_names,
    scan_for_backward,
)
from .values import NUMBER, UNKNOWN, Value, tensor

_ISINSTANCE = Value(kind="builtin", qual="isinstance")

#: The value a ``backward()`` proves its receiver holds (whether it is a leaf is not known).
PROVEN_GRAD = tensor(True, None)


class Evidence:
    """Refines unknown values from annotations and from later ``backward()`` calls."""

    def _declared(self, param: cst.Param) -> Optional[Value]:
        """What a plain name or attribute annotation evaluates to (``Optional[...]``, a union or a
        string: None)."""
        if param.annotation is None or type(param.annotation.annotation) not in (cst.Name, cst.Attribute):
            return None
        return self.silent_eval(param.annotation.annotation)

    def _annotation_value(self, param: cst.Param) -> Optional[Value]:
        declared = self._declared(param)
        if declared is None:
            return None
        if declared.kind == "class" and declared.cls is not None and declared.cls.is_module:
            return Value(kind="module", params=declared.cls.params, cls=declared.cls)
        if declared.kind == "builtin" and declared.qual in ("float", "int", "bool"):
            # `gamma: float = 0.99`: a number the author declared, no graph (a field bound to it too)
            return NUMBER
        if declared.kind != "ref":
            return None
        qual = declared.qual
        if qual == "torch.nn.Module" or api.is_nn_module_class(qual):
            # a bare `nn.Module` may own no trainable parameter (a torchvision transform, a loss): whether
            # its output carries a graph is left to its use (`model.train()`/`.eval()`, `.parameters()`)
            if qual == "torch.nn.Module":
                return Value(kind="module", params=None)
            params = api.nn_module_has_params(qual)
            # a layer of torch's (`lstm: nn.LSTM`) is known as its constructor's value is, outputs included
            # (`out, (h, c) = lstm(x, state)`); a container's members are not declared
            return Value(kind="module", params=params, qual=qual if params is not None else "")
        if qual == "torch.optim.Optimizer" or api.is_optimizer_class(qual):
            return Value(kind="optimizer")
        if qual == "torch.nn.Parameter":
            # a leaf; whether it requires grad is not declared: `nn.Parameter(t, requires_grad=False)`
            # keeps fixed state in a module (torchrec's tensor pool shard)
            return tensor(None, True)
        return None

    def _declared_tensor(self, param: cst.Param) -> Optional[Value]:
        """``x: torch.Tensor``: a tensor, whether it requires grad unknown. Asked after the
        parameter's use, which may tell more (``x.backward()``). Only a plain name or attribute:
        ``Optional[Tensor]`` may be None, a union or a string says less."""
        declared = self._declared(param)
        if declared is not None and declared.kind == "ref" and declared.qual == "torch.Tensor":
            return tensor(None, None)
        return None

    def _narrow(self, test: cst.BaseExpression) -> None:
        """In the branch ``test`` guards: what its ``isinstance(X, nn.Layer)`` conjuncts prove about X."""
        while type(test) is cst.BooleanOperation and type(test.operator) is cst.And:
            self._narrow(test.left)
            test = test.right
        if type(test) is cst.Comparison:
            self._narrow_not_none(test)
            return
        if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
            self._narrow_not_tensor(test.expression)
            return
        path, quals = self._isinstance_test(test)
        if path is None or not quals or not all(api.is_nn_module_class(qual) for qual in quals):
            return
        current = self.lookup(path)
        if current is not None and (current.kind not in ("unknown", "module") or current.cls is not None):
            return  # a tensor, a class of this file...: not what the guard narrows
        owns = [api.nn_module_has_params(qual) for qual in quals]
        params = owns[0] if all(own == owns[0] for own in owns) else None
        env = self.state.env
        env[path] = Value(kind="module", params=params, qual=quals[0] if len(set(quals)) == 1 else "")
        if all(api.has_weight_and_bias(qual) for qual in quals):
            for name in ("weight", "bias"):
                if env.get(f"{path}.{name}") is None:
                    env[f"{path}.{name}"] = tensor(True, True)

    def _narrow_not_tensor(self, test) -> None:
        """``if not isinstance(x, torch.Tensor):``: in the branch ``x`` is no tensor (a list or an
        array the branch converts), whatever a caller's context made of it."""
        path, quals = self._isinstance_test(test)
        if path is not None and "torch.Tensor" in quals:
            current = self.lookup(path)
            if current is not None and current.kind == "tensor":
                self.state.env[path] = UNKNOWN

    def _isinstance_test(self, test) -> tuple:
        """``isinstance(path, C)`` / ``isinstance(path, (C1, C2))``: (path, the classes' qualified
        names, "" for one that is not a known reference); (None, []) for any other test."""
        if not (type(test) is cst.Call and len(test.args) == 2 and all(a.keyword is None and not a.star for a in test.args)):
            return None, []
        path = dotted(test.args[0].value)
        if path is None or self.value(test.func) != _ISINSTANCE:
            return None, []
        classes = test.args[1].value
        elements = [e.value for e in classes.elements] if type(classes) is cst.Tuple else [classes]
        return path, [self.value(element).qual if self.value(element).kind == "ref" else "" for element in elements]

    def _narrow_else(self, test: cst.BaseExpression) -> None:
        """In the ``else`` of ``if state is None or use_random_iter:`` (d2l's RNN training loop,
        ``state = None`` before the loop): each ``X is None`` disjunct is false there, so ``X`` holds
        what it holds on the paths where it is not None."""
        while type(test) is cst.BooleanOperation and type(test.operator) is cst.Or:
            self._narrow_else(test.left)
            test = test.right
        if type(test) is cst.Comparison:
            self._narrow_to_not_none(test, cst.Is)

    def _narrow_not_none(self, test: cst.Comparison) -> None:
        """``if h is not None:``: in the branch, ``h`` holds what it holds on the paths where it is
        not None (``Value.unless_none``: the carried hidden state of an RNN loop started at None)."""
        self._narrow_to_not_none(test, cst.IsNot)

    def _narrow_to_not_none(self, test: cst.Comparison, operator: type) -> None:
        """``X <operator> None`` (``is`` in an ``else``, ``is not`` in the branch): X is not None there."""
        if len(test.comparisons) != 1 or type(test.comparisons[0].operator) is not operator:
            return
        if type(test.comparisons[0].comparator) is not cst.Name or test.comparisons[0].comparator.value != "None":
            return
        path = dotted(test.left)
        current = self.lookup(path) if path is not None else None
        if current is not None and current.kind == "unknown" and current.unless_none is not None:
            self.state.env[path] = current.unless_none

    @staticmethod
    def _usage_value(param: cst.Param, function: cst.FunctionDef) -> Optional[Value]:
        """What the function's own use of a parameter shows it is (see the module doc)."""
        name = param.name.value
        if name in function_facts(function).rebound:
            return None
        if name in optimizer_names_by_use(function):
            return Value(kind="optimizer")
        if name in scaler_names(function):
            return Value(kind="scaler", mode=None)
        if name in switched_and_called_names(function):
            # whether it owns trainable parameters is left unknown: its use does not tell
            return Value(kind="module")
        return None

    def _switched_by_callee(self, param: cst.Param, function: cst.FunctionDef, outer) -> Optional[Value]:
        """A parameter the function calls and hands to a project function that switches that argument
        (``validate(val_loader, model, criterion)`` running ``model.eval()``): an ``nn.Module``, as
        one switched here is (see the module doc)."""
        name = param.name.value
        if name not in mode_uses(function)[0] or name in function_facts(function).rebound or outer is None:
            return None
        for call in handing_calls(function, name):
            value = outer.get(call.func.value)
            if value is None or value.kind != "func":
                continue
            callee = self._function_table(value.owner)[0].get(value.qual)
            if callee is None:
                continue
            switched = mode_uses(callee)[1] - function_facts(callee).rebound
            given = argument_nodes(call, parameters(callee))
            if any(type(node) is cst.Name and node.value == name and target in switched for target, node in given.items()):
                return Value(kind="module")
        return None

    def _updated_from_own_grad(self, target, values) -> None:
        """An in-place update of an unresolved ``target`` computed from ``target.grad`` (see the module doc),
        in a file that names torch (MXNet's and Paddle's arrays have a ``.grad`` too)."""
        path = dotted(target)
        if path is None or "torch" not in self.source:
            return
        current = self.lookup(path)
        if current is not None and current.kind != "unknown":
            if not (current.kind == "tensor" and current.grad is None and not current.struct):
                return
        if any(reads_grad_of(value, path) for value in values):
            self.state.env[path] = tensor(True, True)

    def _used_as_optimizer(self, name: str, value: Value) -> Value:
        """A local name bound to an unresolved value (``optimizer = AdamW(groups)`` of a library the
        analysis does not know) that the function uses as an optimizer is one, as a parameter is."""
        if value.kind != "unknown" or self.function is None or name not in optimizer_names_by_use(self.function):
            return value
        return Value(kind="optimizer")

    def _usage_fields(self, function: cst.FunctionDef, env: dict) -> None:
        """``self.optim`` stepped and cleared in a method, with no known value: an optimizer."""
        for name in optimizer_names_by_use(function):
            if name.startswith("self.") and env.get(name, UNKNOWN).kind == "unknown":
                env[name] = Value(kind="optimizer")

    def _other_framework(self) -> bool:
        """The file is written for another framework (``other_frameworks``), known per source text."""
        cached = getattr(self, "_other_framework_of", None)
        if cached is None or cached[0] is not self.source:
            cached = self._other_framework_of = (self.source, written_for_another_framework(self.source))
        return cached[1]

    def _proven_by_backward(self, name: str, value: Value) -> Value:
        """``value`` bound to ``name``, refined if a later ``name.backward()`` proves it requires grad
        (or, for a named tuple, ``name.field.backward()`` proves that field does)."""
        if self._other_framework():
            return value  # paddle's `loss.backward()` proves nothing about torch's autograd
        if value.kind == "seq" and value.keys and len(value.items) == len(value.keys):
            items = tuple(
                self._proven_by_backward(f"{name}.{key}", item) if item.kind in ("unknown", "tensor") else item
                for key, item in zip(value.keys, value.items)
            )
            return value.with_(items=items) if items != value.items else value
        if value.kind == "tensor" and value.struct and self._used_as_tensor(name):
            # `fake = G(z)` then `D(fake.detach())`: only a tensor has that method (output_uses)
            grad = True if value.grad is None and value.has_grad else value.grad
            value = value.with_(struct=False, grad=grad, has_grad=None, leaf=False if grad else None)
        unknown = value.kind == "unknown" or value.kind == "tensor" and value.grad is None and not value.struct
        if unknown and self._backprop_follows(name):
            if value.kind == "tensor" and value.deps:
                # what it was computed from stays known (`losses = sum(parts of a detector's output)`)
                return PROVEN_GRAD.with_(deps=value.deps, through=value.through, saved_params=value.saved_params)
            return PROVEN_GRAD
        if value.kind == "tensor" and value.struct and value.grad is not False and self._backprop_follows(name):
            # `loss = loss_fn(y_pred, y)` with `loss_fn: nn.Module` (an output that may be a tuple),
            # then `loss.backward()`: only a tensor has backward(), and it requires grad
            return value.with_(struct=False, grad=True)
        if value.kind == "unknown" or value.kind == "tensor" and value.grad is None:
            fed = self._feeds_backprop(name)
            if fed is True and not value.struct:
                return PROVEN_GRAD
            if fed is not None and value.kind == "tensor" and not value.struct:
                # `probs = torch.softmax(logits, 1)` then `loss = F.nll_loss(probs.log(), y)` and
                # `loss.backward()`: a tensor that alone brings the loss its graph requires grad
                return value.with_(grad=True)
            if fed is not None:
                # `loss = sum(losses)` then `loss.backward()`: some part of `losses` carries the graph
                return tensor(True, False, struct=True, has_grad=True, deps=value.deps, through=value.through)
        if value.kind == "unknown" or value.kind == "tensor" and value.struct and value.grad is not False:
            if not value.has_grad and self._backprop_follows(name, part=True):
                # `output = step(batch)` then `output["loss"].backward()`: a structure (a dict, a
                # model output) one of whose fields carries the graph; which others do is not known
                return tensor(True, False, struct=True, has_grad=True, deps=value.deps, through=value.through)
        return value

    def _used_as_tensor(self, name: str) -> bool:
        """``name`` is used, unconditionally next, as only a tensor can be (``output_uses``)."""
        for statements, index in self._blocks_run_next(name):
            found = used_as_tensor_next(statements[index + 1 :], name)
            if found is not None:
                return found
        return False

    def _backprop_follows(self, name: str, part: bool = False) -> bool:
        """Whether ``name.backward()`` (with ``part``: ``name[key].backward()`` or
        ``name.field.backward()``) runs next, unconditionally, after the binding being walked."""
        for statements, index in self._blocks_run_next(name.split(".")[0]):
            names = backward_names(statements)
            targets = [n for n in names if part_of(n, name)] if part else [name] if name in names else []
            for target in targets:
                found = scan_for_backward(statements[index + 1 :], target)
                if found is not None:
                    return found
        return False

    def _feeds_backprop(self, name: str) -> Optional[bool]:
        """Whether the value being bound to ``name`` is, unconditionally next, the only source of a
        value whose ``backward()`` follows (``backprop_sources``): True when that value is ``name``
        itself, False when computed from it, None when there is no such value."""
        plain = self._plain_operand
        for statements, index in self._blocks_run_next(name):
            backprops = backward_names(statements)
            if not backprops:
                continue
            # each ``loss = ...`` (a name whose backward() the block calls) until ``name`` is bound again
            assignments, rebound = assignments_until_rebound(statements, index, name, backprops)
            for position, small in assignments:
                same = computed_only_from(small.value, name, plain, self._index_loss)
                if same is not None and scan_for_backward(statements[position + 1 :], small.targets[0].target.value):
                    return same
            if rebound:
                return None
        return None

    def _index_loss(self, call: cst.Call) -> bool:
        """``F.nll_loss(log_probs, target)``: a torch loss whose target is class indices."""
        callee = self.value(call.func)
        return callee.kind == "ref" and api.canonical(callee.qual) in api.INDEX_TARGET_LOSSES

    def _plain_operand(self, node: cst.BaseExpression) -> bool:
        """A name holding a number, or a ``len(...)``: an operand that brings no graph."""
        if type(node) is cst.Call and type(node.func) is cst.Name and node.func.value == "len":
            return True
        path = dotted(node)
        known = self.lookup(path) if path is not None else None
        return known is not None and known.kind == "number"

    def _blocks_run_next(self, bound: str):
        """The binding's block, then, while that block is a ``with`` body (``with autocast(): loss =
        ...``), the block around the ``with``: (statements, index of the statement being walked)
        of the statements that run next, unconditionally, while ``bound`` is not rebound."""
        if self.state.mode is not True or not self._blocks:
            return
        level = len(self._blocks) - 1
        while level >= 0:
            statements, index = self._blocks[level]
            yield statements, index
            parent = self._blocks[level - 1][0][self._blocks[level - 1][1]] if level else None
            if not (type(parent) is cst.With and getattr(parent.body, "body", None) is statements):
                return
            if any(binds(stmt, bound) for stmt in statements[index + 1 :]):
                return
            level -= 1
