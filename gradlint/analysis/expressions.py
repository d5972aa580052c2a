"""Expression evaluation: the value of every expression, with Python's own semantics.

Calls are evaluated by ``call_values``."""

from __future__ import annotations

import libcst as cst

from .bound_methods import bound_method
from . import torch_api as api
from .branch_tests import string_test
from .call_shapes import trainable_comprehension
from .class_choices import class_choice
from .container_tests import container_test_truth
from .containers import namedtuple_field
from .devices import device_choice
from .entry_loops import proven_entry
from .enum_members import enum_member
from .leaves import below_trained_model, member_after_freeze
from .loaded_fields import file_namespace, loaded_model_field
from .param_groups import positional_list, selection_of, yields_the_parameter
from .submodule_modes import in_parent_mode
from .syntax import base_path, dotted, literal_int, literal_str, member_path
from .dict_keys import read_key
from .shared_entries import entry_sharing_graph
from .param_owners import owned_by, params_union
from .values import FALSE, NONE, NUMBER, STRING, TRUE, UNKNOWN, UNREAD, Value, dict_item, join, mapping, member_of, module_layers, output_part, ref, seq, tensor, view_of

_BUILTINS = frozenset(
    "float int len bool round abs isinstance hasattr str repr sum list tuple dict set frozenset enumerate zip getattr range filter".split()
)


#: attributes only a tensor has: reading one says the model's output is a tensor
_TENSOR_ONLY_ATTRIBUTES = frozenset({"data", "grad", "T", "mT", "H", "mH", "real", "imag"})


class Expressions:
    """Evaluates expressions other than calls (``CallValues`` evaluates those)."""

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
                    else:
                        # `print(w.grad)` read again after `w.grad = None` bound the path: still a
                        # read of the tensor's attribute for the rules
                        self._emit("on_attribute", node)
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
        if kind == "class":
            member = enum_member(self.module_node, obj, attr)  # `Phase.TRAIN`, for a branch test on it
            if member is not None:
                return member
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
        method = bound_method(obj, attr)
        if method is not None:
            return method  # `policy.act` handed to a helper as `choose_action` (``bound_methods``)
        if kind == "module":
            if attr == "module" and (obj.cls is None or attr not in obj.cls.attrs):
                # `model.module` of a DataParallel / DistributedDataParallel: the model it wraps (see
                # MODULE_WRAPPERS); a module of another kind has no such attribute
                return obj
            if obj.cls is not None:
                field = in_parent_mode(obj.cls.attrs.get(attr, UNKNOWN), obj)  # `model.eval()`, then `model.encoder`
                if obj.params is not True and obj.params is not obj.cls.params:
                    field = member_after_freeze(field, obj.params)  # `net.requires_grad_(False)` before
                base = dotted(node.value)
                return owned_by(field, base) if base is not None and base != "self" else field
            if attr in ("weight", "bias") and obj.params is True and obj.qual:
                return tensor(True, True)
            field = None if obj.unread else loaded_model_field(obj, attr, file_namespace(self))
            if field is not None:
                return in_parent_mode(field, obj)  # `model.lstm1` of a loaded model (``loaded_fields``)
            return UNREAD if obj.unread else UNKNOWN
        if kind == "instance" and obj.cls is not None and attr in obj.cls.attrs:
            # `self.engine.scaler` where `self.engine = Engine()`: the field the class's methods set,
            # as for a module of the project's own
            field = obj.cls.attrs[attr]
            base = dotted(node.value)
            return owned_by(field, base) if base is not None and base != "self" else field
        if kind == "unknown" and attr in ("weight", "bias") and below_trained_model(node.value, self.lookup):
            return tensor(True, True)
        if kind == "unknown" and (attr == "grad" or obj.gradient and attr == "data"):
            # `param.grad` of a `param` not resolved: unknown, but a tensor's gradient if it is a tensor
            return Value(gradient=True, unread=obj.unread)
        return UNREAD if obj.unread else UNKNOWN

    def _eval_subscript(self, node: cst.Subscript) -> Value:
        base = self.eval(node.value)
        for element in node.slice:
            self._generic(element)
        if base.kind == "tensor" and base.struct and _indexes_array(node):
            # `q(s)[:, a]`, `out[..., 0]`: no tuple, list or dict takes such an index, so the output
            # of unknown structure is one tensor
            base = tensor(base.grad, False if base.grad else None, deps=base.deps, through=base.through)
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
            # (every element requires grad when their join does: then so do those of a slice it has)
            has_grad = True if base.has_grad and base.elem.is_grad_tensor else False if base.has_grad is False else None
            return Value(kind="seq", elem=base.elem, has_grad=has_grad)
        if type(index) is cst.Slice and base.kind == "module" and base.qual.rsplit(".", 1)[-1] in api.SLICEABLE_CONTAINERS:
            # `model.layers[:n]`: a container of the same kind holding some of the same layers (which
            # of them own parameters is not known any more)
            return base.with_(items=(), params=None if base.params is True else base.params)
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
            key = literal_str(index.value)
            if key is None and literal_int(index.value) is None:
                chosen = class_choice(base)  # `MODELS[args.model]`: one of the project's classes
                if chosen is not None:
                    return chosen
            # a key only some paths set: the read raises KeyError on the others (``dict_keys``)
            return entry_sharing_graph(base, read_key(base, key) or dict_item(base, key), dotted(node.value), self.lookup)
        if base.kind == "module" and base.qual.rsplit(".", 1)[-1] in api.MODULE_CONTAINERS:
            position, path = literal_int(index.value), dotted(node.value)
            stored = self.lookup(member_path(path, position)) if position is not None and path else None
            if stored is not None:
                return stored
            member = member_of(base, position)
            # a container holding a layer with parameters owns some: not True any more, it was frozen
            return member if base.params is True else member_after_freeze(member, base.params)
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
        element, iterable = self._comprehended(node, lambda: self.eval(node.elt))
        if iterable.kind == "params" and trainable_comprehension(node):
            return iterable  # same owner
        if iterable.kind == "params" and yields_the_parameter(node, iterable.qual == "named"):
            # `[p for n, p in model.named_parameters() if "bias" not in n]`: some of model's parameters
            return selection_of(iterable, seq([element]))
        return seq([element])

    def _eval_dictcomp(self, node: cst.DictComp) -> Value:
        """``{k: head(x) for k, head in self.heads.items()}``: a dict whose every value is the element's."""
        value, _ = self._comprehended(node, lambda: (self.eval(node.key), self.eval(node.value))[1])
        return Value(kind="dict", elem=value)

    def _comprehended(self, node, element):
        """(what ``element()`` gives with the comprehension's targets bound, its last iterable's value)."""
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
            return element(), iterable
        finally:
            self.state.env = saved_env

    def _eval_comparison(self, node: cst.Comparison) -> Value:
        self._emit("on_comparison", node)  # before its operands' hooks
        values = [self.eval(node.left)] + [self.eval(c.comparator) for c in node.comparisons]
        if any(v.kind == "tensor" for v in values):
            return tensor(False, None)
        if len(values) == 2 and (values[0].qual.startswith(STRING) or values[1].qual.startswith(STRING)):
            # `torch.set_grad_enabled(phase == "train")` in a loop over ["train", "val"]: decided
            name, truth = string_test(self, node)
            if type(name) is cst.Name and truth.kind == "number" and self._fixed_name(name.value):
                return truth
        return NUMBER

    def _eval_ifexp(self, node: cst.IfExp) -> Value:
        # `self.encoder(x) if training else h` with `training` bound to a literal by the call (as `if`; only
        # a name's flag: a config entry's value decided here would lose the other arm's object, a scaler
        # made `if config.get("use_amp") else None` that a later `is not None` test reads)
        value = self.eval(node.test)
        truth = self._flag_truth(node.test, value) if type(node.test) is cst.Name else None
        if truth is None:
            truth = container_test_truth(self, node.test)  # `x if isinstance(x, (list, tuple)) else [x]`
        if truth is not None:
            return self.eval(node.body if truth else node.orelse)
        # one evaluation runs one arm: what the body's ops saved is not saved when the other arm
        # runs (`y = self.fake_relu(x) if fake else self.relu_(x)` writes into an `x` nothing saved),
        # and afterwards only what both arms saved is (State.saved is a must-fact)
        saved = self.state.saved
        body = self.eval(node.body)
        body_saved, self.state.saved = self.state.saved, saved
        orelse = self.eval(node.orelse)
        self.state.saved = self.state.saved & body_saved
        return device_choice(body, orelse) or join(body, orelse)

    def _eval_namedexpr(self, node: cst.NamedExpr) -> Value:
        value = self.eval(node.value)
        self._bind(node.target, value, node.value)
        return value

    def _eval_unary(self, node: cst.UnaryOperation) -> Value:
        value = self.eval(node.expression)
        if type(node.operator) is cst.Not:
            # `set_grad_enabled(not phase == "val")`: a decided test stays decided
            return FALSE if value is TRUE else TRUE if value is FALSE else NUMBER
        if value.kind == "tensor":
            return self._op_result([(node.expression, value)], "none")
        return value if value.kind == "number" else UNKNOWN

    def _eval_binary(self, node: cst.BinaryOperation) -> Value:
        left = self.eval(node.left)
        right = self.eval(node.right)
        if left.kind == "number" and right.kind == "number":
            return Value(kind="number", cut=left.cut or right.cut)
        if left.kind != "tensor" and right.kind != "tensor":
            if left.kind == "params" and right.kind == "params" and type(node.operator) is cst.Add:
                return params_union([left, right])  # `list(vae.parameters()) + list(decoder.parameters())`
            if left.kind == "seq" and right.kind == "seq" and type(node.operator) is cst.Add:
                joined = seq([v for v in (left.elem, right.elem) if v is not None]).with_(
                    has_grad=left.has_grad or right.has_grad, layers=left.layers + right.layers
                )
                # `[a, b] + [c]` of displays: the positions stay known (`LossTuple(*losses)` reads them)
                return joined.with_(items=left.items + right.items) if left.items and right.items else joined
            if type(node.operator) is cst.Multiply and (
                {left.kind, right.kind} == {"seq", "number"} or _repeats_display(node, left, right)
            ):
                repeated = left if left.kind == "seq" else right  # `[None] * n`: the same elements, n times
                return seq([repeated.elem] if repeated.elem is not None else []).with_(
                    has_grad=repeated.has_grad, layers=repeated.layers
                )
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

    def _eval_yield(self, node: cst.Yield) -> Value:
        if type(node.value) is cst.From:
            value = self.eval(node.value.item)
            yielded = value.elem if value.kind == "seq" and value.elem is not None else UNKNOWN
        else:
            yielded = self.eval(node.value) if node.value is not None else NONE
        if self._yields is not None:
            self._yields.append(yielded)
        return UNKNOWN  # what the consumer sends back


def _repeats_display(node: cst.BinaryOperation, left: Value, right: Value) -> bool:
    """``[None] * n`` with ``n`` a parameter: a list display repeated by a count not known to be a
    number is still a list (a list times anything but an int raises, times a tensor is no idiom)."""
    for display, value, other in ((node.left, left, right), (node.right, right, left)):
        if type(display) in (cst.List, cst.Tuple) and value.kind == "seq" and other.kind == "unknown":
            return True
    return False


def _indexes_array(node: cst.Subscript) -> bool:
    """An index only an array takes: several dimensions, ``...`` or ``None``."""
    if len(node.slice) >= 2:
        return True
    index = node.slice[0].slice
    return type(index) is cst.Index and (
        type(index.value) is cst.Ellipsis or type(index.value) is cst.Name and index.value.value == "None"
    )
