"""What a call evaluates to: dispatch on the callee's value.

``Expressions`` evaluates every other expression; a call goes through ``_eval_call`` here,
which evaluates the callee and its arguments, then hands them to the knowledge of what
the callee is: a function or method of the project (walked in its context, see
``calls``), a torch/nn/optim reference (``torch_semantics``), a module (its forward), a
class (its constructor), a namedtuple type, or a Python builtin.
"""

from __future__ import annotations

import libcst as cst

from . import torch_api as api
from .call_shapes import keeps_trainable, keyed_member
from .class_choices import instantiate_choices
from .containers import namedtuple_instance
from .forward_modes import may_run_without_grad
from .mode_arm_outputs import output_made_without_grad, returns_only_no_grad_methods
from .class_methods import own_class
from .input_reads import measured_arguments
from .plain_outputs import gives_no_tensor
from .proven_losses import proven_loss_arguments, trained_model
from .param_groups import optimizer_base, optimizer_over, owner_paths, selection_of, trained_parameters
from .sequential_chain import sequential_without_graph
from .submodule_saves import carried_paths, saved_in_caller_names
from .super_calls import super_method
from .syntax import dotted, kwarg, literal_str
from .values import NUMBER, STRING, UNKNOWN, UNREAD, Value, mapping, ref, seq, tensor
from .value_paths import add_deps


class CallValues:
    """The value of a call and the effects of calls the analysis cannot follow."""

    def _eval_call(self, node: cst.Call) -> Value:
        func = node.func
        if self.state.mode is not True:
            self._called_without_grad.add(func)
        if type(func) is cst.Attribute:
            path = dotted(func)
            known = self.lookup(path) if path is not None else None
            if known is not None:
                self.cache[id(func)] = known
                args = self._args(node)
                result = self._call_value(known, node, args)
                callee = known
            elif super_method(self, func) is not None:
                method, callee = super_method(self, func)
                args = self._args(node)
                result = self._call_function(method, node, args, receiver=callee)
            else:
                if api.is_inplace_method(func.attr.value):
                    self._updated_from_own_grad(func.value, [arg.value for arg in node.args])
                receiver = self.eval(func.value)
                args = self._args(node)
                result = self._method_call(receiver, func.attr.value, node, args)
                if receiver.unread and result == UNKNOWN:
                    result = UNREAD  # `cp.build_model()` of a checkpoint class the analysis did not read
                callee = receiver
        else:
            callee = self.eval(func)
            if callee.kind == "unknown" and own_class(self, func) is not None:
                callee = Value(kind="class", cls=own_class(self, func))  # `cls(config)` in a class method
            args = self._args(node)
            result = self._call_value(callee, node, args)
        if result.kind == "unknown" and self.proven_callables and id(node) not in self.calls.refused:
            proven = self._proven_call(node, func, args)
            if proven.kind != "unknown":
                result = proven
        if result.kind == "unknown" and _clears_by_name(func) and (
            callee.kind in ("ref", "unknown") or id(node) in self.calls.refused
        ):
            # `pyro.infer.util.zero_grads(params)`, a helper the analysis does not follow (or one it
            # read but did not walk here: too deep a chain of calls): what it clears is not known,
            # but gradients are cleared
            self._clear_grads(None)
        if result.kind == "unknown" and self.state.no_grads and _may_backpropagate(callee):
            self.state.no_grads = False  # a call the analysis cannot follow may have run backward()
        if self.reporting:
            self.cache[id(node)] = result
        if self._pending_freezes:
            self._after_call(node, callee)
        if self._model_inputs is not None:
            self._note_model_inputs(node, callee)
        self._emit("on_call", node)
        return result

    def _proven_call(self, node: cst.Call, func, args) -> Value:
        """An unresolved callable the file backpropagates the result of (``criterion``, see
        ``output_fields``), called on a grad tensor: its result is one. Nothing is claimed
        otherwise (a model called on plain data still gives a graph)."""
        path = dotted(func)
        if path is None or path not in self.proven_callables or self.state.mode is not True:
            return UNKNOWN
        proven = proven_loss_arguments(args, self._loss_input_proven)
        if proven is not None:
            return self._op_result(proven, "none")
        receiver = self.silent_eval(func.value) if type(func) is cst.Attribute else UNKNOWN
        if trained_model(receiver):
            # `model.compute_loss(batch)`, backpropagated where the file trains: a method of a model
            # whose parameters train runs it and builds its graph from them, whatever it is given
            for record in self._loops:
                record.forwards.append((node, dotted(func.value), receiver, self.state.mode))
            return tensor(True, False)
        return UNKNOWN

    def _args(self, node: cst.Call) -> list:
        return [(arg.value, self.eval(arg.value)) for arg in node.args]

    def _call_value(self, callee: Value, node: cst.Call, args) -> Value:
        kind = callee.kind
        if kind == "func":
            functions, names = self._function_table(callee.owner)
            function = functions.get(callee.qual)
            if function is None:
                return UNKNOWN
            if names is None:
                for record in self._loops:
                    record.local_calls.append(function)
            return self._call_function(function, node, args, names=names)
        if kind == "ref":
            return self._call_qualified(callee.qual, node, args)
        if kind == "module":
            return self._run_module(callee, node, args, dotted(node.func) or keyed_member(node.func, self.value, callee))
        if kind == "class" and callee.cls is not None:
            base = optimizer_base(callee.cls)
            if base is not None:
                # `class AnalogSGD(torch.optim.SGD)` with no `__init__` of its own (aihwkit #446): its
                # constructor is the optimizer's, over the parameters it is given
                return self._call_qualified(base, node, args)
            return self._instantiate(callee.cls, node, args)
        if kind == "class" and callee.choices:
            return instantiate_choices(self, callee, node, args)
        if kind == "instance" and callee.cls is not None and "__call__" in callee.cls.methods:
            # `cam = GradCAM(model); cam(x, c)`: the object's `__call__` runs, as `cam.run(x, c)` would
            return self._method_call(callee, "__call__", node, args)
        if kind == "method" and callee.elem is not None:
            # a bound method handed over and called (``bound_methods``)
            return self._method_call(callee.elem, callee.qual, node, args)
        if kind == "tupletype":
            return namedtuple_instance(callee, node, args)
        if kind == "builtin":
            return self._call_builtin(callee.qual, node, args)
        if kind == "unknown" and callee.moved:
            # moved to a device and called: not a tensor (a tensor cannot be called), so a module
            return self._run_module(Value(kind="module", unread=callee.unread), node, args, dotted(node.func))
        if kind == "unknown" and kwarg(node, "lr") is not None:
            return self._optimizer_by_signature(node, args)
        return UNREAD if callee.unread else UNKNOWN

    def _optimizer_by_signature(self, node: cst.Call, args) -> Value:
        """``optimizer_class(self.qf1.parameters(), lr=qf_lr)`` with the class a constructor argument:
        what takes a module's parameters and a learning rate is an optimizer over that module (a
        scheduler takes an optimizer, a clipper no ``lr``), whatever its class."""
        params = next(
            (value for arg, (_, value) in zip(node.args, args) if arg.keyword is None or arg.keyword.value == "params"),
            None,
        )
        trained = trained_parameters(params)
        if trained is None:
            return UNKNOWN
        for owner in owner_paths(trained):
            self._trained_model(owner)
        return optimizer_over(trained)

    def _run_module(self, module: Value, node: cst.Call, args, path) -> Value:
        """``model(x)``, or ``model.forward(x)`` (the same without hooks): the module's output."""
        if module.unread and module.cls is None:
            # a model of a project class the analysis did not read: whether its forward records a
            # graph (deepinv's solvers run theirs under no_grad) is not known
            for record in self._loops:
                record.forwards.append((node, path, module, None))
            return UNREAD
        chained = sequential_without_graph(self, module, node, args)
        if chained is not None:
            for record in self._loops:
                record.forwards.append((node, path, module, False))
            return chained
        forward = module.cls.methods.get("forward") if module.cls is not None else None
        measured = measured_arguments(node, forward) if forward is not None else frozenset()
        kept = [(arg, value) for arg, value in args if id(arg) not in measured] if measured else None
        result = self._module_output(module, args, path, kept)
        if forward is not None:
            # a forward of this file's own that returns a tuple or a dict: keep its structure
            structured = saved_in_caller_names(
                self._call_function(forward, node, args, receiver=module, module_path=path),
                path,
                carried_paths((value for _, value in args), with_through=True),
            )
            if returns_only_no_grad_methods(forward, module.cls):
                # `return self.inference(images)` with `@torch.no_grad()` on `inference`: no graph is recorded
                for record in self._loops:
                    record.forwards.append((node, path, module, False))
                return structured if structured.kind == "tensor" and structured.grad is False else UNKNOWN
            if structured.kind == "tensor" and structured.grad is True and result.kind == "tensor":
                # the submodules its forward ran on the way to this output (``submodule_saves``)
                result = result.with_(saved_params=result.saved_params | structured.saved_params)
            if structured.kind in ("seq", "dict") and structured.items or _grad_list(structured):
                # computed from the call's arguments, through this module
                result = add_deps(structured, result.deps, result.through, result.saved_params)
            elif structured.kind == "tensor" and structured.grad is False and not structured.struct:
                # `with torch.no_grad(): fake = self.netG(x)` then `return fake` (SPADE's
                # forward(data, mode="inference")): the forward builds no graph, whatever its parameters
                for record in self._loops:
                    record.forwards.append((node, path, module, False))
                return structured
            elif structured.kind == "unknown" and output_made_without_grad(forward, node):
                # the same, with a generator the walk cannot value (`networks.define_G(opt)` of another
                # file): the arm the call's mode literal chooses returns only what no_grad computed
                for record in self._loops:
                    record.forwards.append((node, path, module, False))
                return UNKNOWN
            elif structured.kind == "dist":
                # `return Categorical(probs=self.head(h))`: the call gives the distribution its forward
                # built, whose `sample()` draws no graph and whose `log_prob()` keeps the forward's
                result = structured
            elif gives_no_tensor(forward, structured, module.cls):
                result = UNKNOWN  # arrays, numbers: no graph
            elif not (structured.kind == "tensor" and structured.grad is True) and may_run_without_grad(forward):
                # `with torch.no_grad() if not self.unfold else nullcontext():` (deepinv's solvers):
                # whether this call records a graph is not known
                for record in self._loops:
                    record.forwards.append((node, path, module, None))
                return UNKNOWN
            elif structured.kind == "tensor" and structured.saves_self and structured.grad and result.grad and not result.struct:
                # `return self.act(self.conv(x))` with an activation that saves its output: so does this call
                result = result.with_(saves_self=True)
            elif result.struct and result.grad and structured.kind == "tensor" and structured.grad and not structured.struct:
                # the forward's walk in this call's context gives one grad tensor (`return self.head(h)`
                # on the path the call's literal chooses), whatever its other paths give
                result = result.with_(struct=False)
        for record in self._loops:
            record.forwards.append((node, path, module, self.state.mode))
        if id(node) in self.dropped_calls:
            self.dropped_forwards.add(id(node))
        return result

    def _call_builtin(self, name: str, node, args) -> Value:
        if name == "getattr" and len(args) == 2 and args[0][1].kind == "ref":
            # `getattr(torch.optim, "Adam")`: the attribute of a module, named by a literal
            attr = literal_str(node.args[1].value)
            if attr and attr.isidentifier():
                return ref(api.canonical(f"{args[0][1].qual}.{attr}"))
            if api.canonical(args[0][1].qual) == "torch.optim":
                return ref(api.SOME_OPTIMIZER)  # `getattr(optim, trial.suggest_categorical(...))`
            return UNKNOWN
        if name == "getattr" and len(args) == 2 and args[0][1].kind == "module":
            # `getattr(module, "weight")` of a torch layer (compressed-tensors #580's offload helper):
            # its trainable weight, as `module.weight` is
            module, text = args[0][1], args[1][1].qual or ""
            attr = text[len(STRING):] if text.startswith(STRING) else None  # also a parameter bound to it
            if attr in ("weight", "bias") and module.cls is None and module.params is True and module.qual:
                return tensor(True, True)
            return UNKNOWN
        if name in ("float", "int", "round"):
            carried = any(v.kind == "tensor" and (v.grad is True or v.cut) for _, v in args)
            return Value(kind="number", cut=carried)
        if name in ("len", "bool", "abs", "isinstance", "hasattr", "str", "repr"):
            if name == "abs" and args and args[0][1].kind == "tensor":
                return self._op_result(args[:1])
            return NUMBER
        if name == "range":
            return Value(kind="seq", elem=NUMBER, has_grad=False)
        if name == "sum" and args:
            value = args[0][1]
            if value.kind == "seq" and value.has_grad:
                return self._op_result(args[:1], "none")
            part = value.elem if value.kind == "seq" else None
            if part is not None and part.kind == "tensor" and part.output_part and part.deps:
                # `sum(loss for loss in loss_dict.values())` of a model output's parts: a tensor built
                # on the graphs the parts name, whether it requires grad not known (a backward proves it)
                return part.with_(output_part=False)
            return UNKNOWN
        if name in ("list", "tuple") and args and args[0][1].kind in ("seq", "params"):
            # `list(model.parameters())` holds the same parameters, of the same owner
            return args[0][1]
        if name == "filter" and len(args) == 2 and args[1][1].kind == "params":
            if keeps_trainable(node.args[0].value):
                return args[1][1]  # `filter(lambda p: p.requires_grad, model.parameters())`: the same owner's
            if owner_paths(args[1][1]):  # some of them, chosen by the code
                return selection_of(args[1][1], Value(kind="seq", has_grad=None))
            return UNKNOWN
        if name in ("list", "tuple") and args and args[0][1].kind == "modules" and args[0][1].qual != "named":
            # `list(model.children())[:-1]`: a list of submodules
            return Value(kind="seq", elem=self._element_of(args[0][1], None), has_grad=False)
        iterable = args[0][1] if args else UNKNOWN
        if name == "enumerate" and (iterable.kind in ("seq", "params", "modules") or _container(iterable) or _axes(iterable)):
            # `for i, conv in enumerate(self.lateral_convs)`: the sub-modules of a ModuleList
            return Value(kind="enumerate", elem=self._element_of(iterable, None))
        if name in ("list", "tuple", "set", "frozenset") and not args:
            return seq([])  # (an empty set is a container too: `deps = set(); deps |= other` is no tensor op)
        if name == "dict" and len(args) == 1 and node.args[0].keyword is None and not node.args[0].star:
            pairs = args[0][1]
            if pairs.kind == "params" and pairs.qual == "named":
                # `dict(model.named_parameters())`: each value is a parameter of that model
                return Value(kind="dict", elem=tensor(pairs.grad, True))
        if name == "dict" and all(arg.keyword is not None for arg in node.args):
            return mapping([arg.keyword.value for arg in node.args], [value for _, value in args])
        if name == "zip" and args and all(arg.keyword is None and not arg.star for arg in node.args):
            # iterating zip(a, b) gives (element of a, element of b)
            row = tuple(self._element_of(value, None) for _, value in args)
            return Value(kind="seq", elem=seq(list(row)).with_(items=row), has_grad=None)
        return UNKNOWN


def _clears_by_name(func: cst.BaseExpression) -> bool:
    """``zero_grads(params)``, ``zero_optim_grads(opt)`` (pyro, garage): a helper named for clearing gradients."""
    name = dotted(func)
    last = name.rsplit(".", 1)[-1] if name is not None else ""
    return "zero_grad" in last or last.startswith("zero_") and last.endswith("grads")


def _may_backpropagate(callee: Value) -> bool:
    """A callee the analysis does not follow, which may call ``backward()`` (a helper of an
    unresolved module, a method of an unknown object); torch's own functions outside autograd do not."""
    if callee.kind in ("unknown", "instance"):
        return True
    return callee.kind == "ref" and (not callee.qual.startswith("torch.") or callee.qual.startswith("torch.autograd"))


def _axes(value: Value) -> bool:
    """matplotlib's array of axes (``enumerate(axs.flat)`` gives each axis with its index)."""
    return value.kind == "ref" and value.qual in api.MPL_AXES_ARRAYS


def _container(value: Value) -> bool:
    """A ``nn.ModuleList`` / ``nn.Sequential`` / ``nn.ModuleDict``: iterating it gives its sub-modules."""
    return value.kind == "module" and value.qual.rsplit(".", 1)[-1] in api.MODULE_CONTAINERS


def _grad_list(value) -> bool:
    """A list the forward builds of grad tensors (``return [torch.sigmoid(h(feat)) for h in self.heads]``),
    or a dict whose every value is one (``return {k: head(x) for k, head in self.heads.items()}``)."""
    if value.kind == "dict" and not value.keys and value.elem is not None:
        return value.elem.is_grad_tensor
    return value.kind == "seq" and value.has_grad is True and value.elem is not None and value.elem.is_grad_tensor
