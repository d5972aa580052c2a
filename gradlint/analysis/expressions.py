"""Expression evaluation: the value of every expression, with Python's own semantics."""

from __future__ import annotations

import libcst as cst

from . import torch_api as api
from .call_shapes import keeps_trainable, trainable_comprehension
from .leaves import below_trained_model
from .syntax import base_path, dotted, kwarg, literal_int, literal_str, member_path
from .containers import namedtuple_field, namedtuple_instance
from .entry_loops import proven_entry
from .input_reads import gives_no_tensor, measured_arguments
from .param_groups import optimizer_over, positional_list, owner_paths, selection_of, trained_parameters, yields_the_parameter
from .proven_losses import proven_loss_arguments
from .values import FALSE, NONE, NUMBER, TRUE, UNKNOWN, Value, add_deps, dict_item, join, mapping, member_of, module_layers, output_part, owned_by, ref, seq, tensor, view_of

_BUILTINS = frozenset(
    "float int len bool round abs isinstance hasattr str repr sum list tuple dict enumerate zip getattr range filter".split()
)


#: attributes only a tensor has: reading one says the model's output is a tensor
_TENSOR_ONLY_ATTRIBUTES = frozenset({"data", "grad", "T", "mT", "H", "mH", "real", "imag"})


class Expressions:
    """Evaluates expressions; calls are dispatched to the torch knowledge and to scopes."""

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
            return TRUE if node.value == "True" else FALSE
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
        if kind == "namespace":
            return self._namespace_attribute(obj, attr)
        if kind == "tensor":
            self._emit("on_attribute", node)
            if obj.struct and attr not in _TENSOR_ONLY_ATTRIBUTES:
                return self.output_field(obj, attr)
            if obj.struct:
                obj = obj.with_(struct=False)  # `out.data`: the code relies on the output being a tensor
            if attr == "grad":
                return tensor(False, True)
            if attr == "data":
                return tensor(False, True, data_of=base_path(node.value), cut=obj.grad is True or obj.cut)
            if attr in ("T", "mT", "H", "mH", "real", "imag"):
                return view_of(obj, self._op_result([(node.value, obj)], "none"))
            return UNKNOWN
        if kind == "seq":
            field = namedtuple_field(obj, attr)
            return field if field is not None else UNKNOWN
        if kind == "dist":
            if attr in api.DISTRIBUTION_GRAD_ATTRIBUTES:
                return self.distribution_part(obj, node.value, every=True)
            return UNKNOWN
        if kind == "module":
            if attr == "module" and (obj.cls is None or attr not in obj.cls.attrs):
                # `model.module` of a DataParallel / DistributedDataParallel: the model it wraps (see
                # MODULE_WRAPPERS); a module of another kind has no such attribute
                return obj
            if obj.cls is not None:
                field = obj.cls.attrs.get(attr, UNKNOWN)
                base = dotted(node.value)
                return owned_by(field, base) if base is not None and base != "self" else field
            if attr in ("weight", "bias") and obj.params is True and obj.qual:
                return tensor(True, True)
            return UNKNOWN
        if kind == "unknown" and attr in ("weight", "bias") and below_trained_model(node.value, self.lookup):
            return tensor(True, True)
        return UNKNOWN

    def _eval_subscript(self, node: cst.Subscript) -> Value:
        base = self.eval(node.value)
        for element in node.slice:
            self._generic(element)
        if base.kind == "tensor" and not base.struct:
            view = all(self._basic_index(e) for e in node.slice)
            if base.grad is False:
                result = tensor(False, base.leaf, cut=base.cut)
            else:
                result = self._op_result([(node.value, base)], "none")
                if base.output_part and result.grad is None:
                    result = result.with_(output_part=True)  # part of the same element
            return view_of(base, result) if view else result
        if base.kind == "ref" and base.qual == api.MPL_AXES:
            return base  # `axs[0, 1]` of the array of axes `plt.subplots(2, 2)` makes
        index = node.slice[0].slice if len(node.slice) == 1 else None
        if type(index) is cst.Slice and base.kind == "seq" and base.elem is not None:
            # `layers[:-2]`: some of the same elements (maybe none of the grad tensors among them)
            return Value(kind="seq", elem=base.elem, has_grad=False if base.has_grad is False else None)
        if type(index) is not cst.Index:
            return UNKNOWN
        if base.kind == "tensor" and base.struct:
            if base.grad is False:
                return tensor(False, base.leaf, struct=True, cut=base.cut)
            key = literal_str(index.value)
            key = literal_int(index.value) if key is None else key
            if key is None and self._entry_loops and type(index.value) is cst.Name:
                # `losses[key]` in `for key in losses`: the proven entry, in the iteration that reaches it
                loop = next((l for l in self._entry_loops if l.key == index.value.value and l.path == dotted(node.value)), None)
                if loop is not None:
                    return proven_entry(loop)
            return self.output_field(base, key) if key in self.proven_fields else output_part(base)
        if base.kind == "seq" and base.elem is not None:
            position = literal_int(index.value)
            if position is not None and base.items and -len(base.items) <= position < len(base.items):
                return base.items[position]
            return base.elem
        if base.kind == "dict":
            return dict_item(base, literal_str(index.value))
        if base.kind == "module" and base.qual.rsplit(".", 1)[-1] in api.MODULE_CONTAINERS:
            position, path = literal_int(index.value), dotted(node.value)
            stored = self.lookup(member_path(path, position)) if position is not None and path else None
            return stored or member_of(base, position)
        return UNKNOWN

    def output_field(self, output: Value, key) -> Value:
        """A field of a model output of unknown structure: a grad tensor where the file proves it."""
        if key in self.proven_fields:
            return tensor(output.grad, False if output.grad else None, deps=output.deps, through=output.through)
        return tensor(output.grad, False if output.grad else None, struct=True, deps=output.deps)

    def _basic_index(self, element: cst.SubscriptElement) -> bool:
        """A slice, an int, ``None`` or ``...``: indexing that makes a view, not a copy (``w[mask]``)."""
        index = element.slice
        if type(index) is cst.Slice:
            return True
        value = index.value
        if literal_int(value) is not None or type(value) is cst.Ellipsis:
            return True
        if type(value) is cst.Name:
            return value.value == "None" or (self.lookup(value.value) or UNKNOWN).kind == "number"
        return False

    def _eval_dict(self, node: cst.Dict) -> Value:
        keys, values = [], []
        for element in node.elements:
            if type(element) is cst.StarredDictElement:
                self.eval(element.value)
                keys = None
                continue
            key = literal_str(element.key)
            self.eval(element.key)
            value = self.eval(element.value)
            if keys is not None and key is not None:
                keys.append(key)
                values.append(value)
            else:
                keys = None
        return mapping(keys, values) if keys is not None else Value(kind="dict")

    def _eval_display(self, node) -> Value:
        values = [self.eval(element.value) for element in node.elements]
        starred = any(type(e) is cst.StarredElement for e in node.elements)
        if type(node) is cst.Tuple and not starred or type(node) is cst.List and not starred and positional_list(values):
            # a tuple, or a list of parameter groups or of optimizers (`positional_list`): each position's value
            return seq(values).with_(items=tuple(values), layers=module_layers(values))
        return seq(values).with_(layers=module_layers(values))

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
        if iterable.kind == "params" and trainable_comprehension(node):
            return iterable  # same owner
        if iterable.kind == "params" and yields_the_parameter(node, iterable.qual == "named"):
            # `[p for n, p in model.named_parameters() if "bias" not in n]`: some of model's parameters
            return selection_of(iterable, seq([element]))
        return seq([element])

    def _eval_comparison(self, node: cst.Comparison) -> Value:
        self._emit("on_comparison", node)  # before its operands' hooks
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
        if type(node.operator) is cst.Not:
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
            if left.kind == "seq" and right.kind == "seq" and type(node.operator) is cst.Add:
                joined = seq([v for v in (left.elem, right.elem) if v is not None]).with_(
                    has_grad=left.has_grad or right.has_grad, layers=left.layers + right.layers
                )
                # `[a, b] + [c]` of displays: the positions stay known (`LossTuple(*losses)` reads them)
                return joined.with_(items=left.items + right.items) if left.items and right.items else joined
            return UNKNOWN
        operator = node.operator
        if type(operator) in (cst.FloorDivide, cst.Modulo, cst.BitAnd, cst.BitOr, cst.BitXor):
            return tensor(None, None)
        operands = [(node.left, left), (node.right, right)]
        if type(operator) is cst.Power:
            return self._op_result(operands, "inputs")
        result = self._op_result(operands, "none")
        if result.grad and left.kind == "tensor" and right.kind == "tensor":
            # a * b keeps each operand for the other's gradient; a / b needs b, and a too if b requires grad
            if type(operator) in (cst.Multiply, cst.MatrixMultiply):
                pairs = [pair for pair, other in ((operands[0], right), (operands[1], left)) if other.grad]
                self._record_saved(pairs, force=True)
            elif type(operator) is cst.Divide:
                self._record_saved([operands[1]] + ([operands[0]] if right.grad else []), force=True)
        return result

    def _eval_call(self, node: cst.Call) -> Value:
        func = node.func
        if self.state.mode is not True:
            called = dotted(func)
            if called is not None:
                self._called_without_grad.add(called.rsplit(".", 1)[-1])
        if type(func) is cst.Attribute:
            path = dotted(func)
            known = self.lookup(path) if path is not None else None
            if known is not None:
                self.cache[id(func)] = known
                args = self._args(node)
                result = self._call_value(known, node, args)
                callee = known
            else:
                if api.is_inplace_method(func.attr.value):
                    self._updated_from_own_grad(func.value, [arg.value for arg in node.args])
                receiver = self.eval(func.value)
                args = self._args(node)
                result = self._method_call(receiver, func.attr.value, node, args)
                callee = receiver
        else:
            callee = self.eval(func)
            args = self._args(node)
            result = self._call_value(callee, node, args)
        if result.kind == "unknown" and self.proven_callables:
            proven = self._proven_call(func, args)
            if proven.kind != "unknown":
                result = proven
        if result.kind == "unknown" and callee.kind in ("ref", "unknown") and _clears_by_name(func):
            # `pyro.infer.util.zero_grads(params)`, a helper the analysis does not follow: what it
            # clears is not known, but gradients are cleared
            self._clear_grads(None)
        if result.kind == "unknown" and self.state.no_grads and _may_backpropagate(callee):
            self.state.no_grads = False  # a call the analysis cannot follow may have run backward()
        if self.reporting:
            self.cache[id(node)] = result
        self._emit("on_call", node)
        return result

    def _proven_call(self, func, args) -> Value:
        """An unresolved callable the file backpropagates the result of (``criterion``, see
        ``output_fields``), called on a grad tensor: its result is one. Nothing is claimed
        otherwise (a model called on plain data still gives a graph)."""
        path = dotted(func)
        if path is None or path not in self.proven_callables or self.state.mode is not True:
            return UNKNOWN
        args = proven_loss_arguments(args)
        return UNKNOWN if args is None else self._op_result(args, "none")

    def _eval_yield(self, node: cst.Yield) -> Value:
        if type(node.value) is cst.From:
            value = self.eval(node.value.item)
            yielded = value.elem if value.kind == "seq" and value.elem is not None else UNKNOWN
        else:
            yielded = self.eval(node.value) if node.value is not None else NONE
        if self._yields is not None:
            self._yields.append(yielded)
        return UNKNOWN  # what the consumer sends back

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
            return self._run_module(callee, node, args, dotted(node.func))
        if kind == "class" and callee.cls is not None:
            return self._instantiate(callee.cls, node, args)
        if kind == "tupletype":
            return namedtuple_instance(callee, node, args)
        if kind == "builtin":
            return self._call_builtin(callee.qual, node, args)
        if kind == "unknown" and callee.moved:
            # moved to a device and called: not a tensor (a tensor cannot be called), so a module
            return self._run_module(Value(kind="module"), node, args, dotted(node.func))
        if kind == "unknown" and kwarg(node, "lr") is not None:
            return self._optimizer_by_signature(node, args)
        return UNKNOWN

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
        forward = module.cls.methods.get("forward") if module.cls is not None else None
        measured = measured_arguments(node, forward) if forward is not None else frozenset()
        kept = [(arg, value) for arg, value in args if id(arg) not in measured] if measured else None
        result = self._module_output(module, args, path, kept)
        if forward is not None:
            # a forward of this file's own that returns a tuple or a dict: keep its structure
            structured = self._call_function(forward, node, args, receiver=module, module_path=path)
            if structured.kind in ("seq", "dict") and structured.items:
                # computed from the call's arguments, through this module
                result = add_deps(structured, result.deps, result.through, result.saved_params)
            elif structured.kind == "tensor" and structured.grad is False and not structured.struct:
                # `with torch.no_grad(): fake = self.netG(x)` then `return fake` (SPADE's
                # forward(data, mode="inference")): the forward builds no graph, whatever its parameters
                for record in self._loops:
                    record.forwards.append((node, path, module, False))
                return structured
            elif gives_no_tensor(forward):
                # `return self.classifier(x).detach().numpy()`: the caller gets an array, no graph
                result = UNKNOWN
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
        if name == "enumerate" and args and args[0][1].kind in ("seq", "params", "modules"):
            iterable = args[0][1]
            return Value(kind="enumerate", elem=self._element_of(iterable, None))
        if name in ("list", "tuple") and not args:
            return seq([])
        if name == "dict" and all(arg.keyword is not None for arg in node.args):
            return mapping([arg.keyword.value for arg in node.args], [value for _, value in args])
        if name == "zip" and args and all(arg.keyword is None and not arg.star for arg in node.args):
            # iterating zip(a, b) gives (element of a, element of b)
            row = tuple(self._element_of(value, None) for _, value in args)
            return Value(kind="seq", elem=seq(list(row)).with_(items=row), has_grad=None)
        return UNKNOWN


def _clears_by_name(func: cst.BaseExpression) -> bool:
    name = dotted(func)
    return name is not None and "zero_grad" in name.rsplit(".", 1)[-1]


def _may_backpropagate(callee: Value) -> bool:
    """A callee the analysis does not follow, which may call ``backward()`` (a helper of an
    unresolved module, a method of an unknown object); torch's own functions outside autograd do not."""
    if callee.kind in ("unknown", "instance"):
        return True
    return callee.kind == "ref" and (not callee.qual.startswith("torch.") or callee.qual.startswith("torch.autograd"))

