"""What list and dict methods do to the values they hold (``losses.append(loss)``,
``history["train"].append(loss)``, ``parts.items()``), and named tuples
(``LossTuple = namedtuple("LossTuple", [...])``; ``LossTuple(*losses).total_loss``)."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .syntax import dotted, literal_str
from .tensor_uses import used_as_tensor
from .values import LIST_DEFAULTDICT, NONE, UNKNOWN, Value, capped, dict_item, dict_values, join_tri, mapping, module_layers, seq

NAMEDTUPLE_FACTORIES = ("collections.namedtuple", "typing.NamedTuple")


def defaultdict_of(node: cst.Call) -> Value:
    """``defaultdict(list)`` (or ``defaultdict(lambda: [])``): an empty dict whose keys appear when
    first appended to (``history["loss"].append(loss)``); with another factory, not known."""
    factory = node.args[0].value if len(node.args) == 1 and node.args[0].keyword is None else None
    if isinstance(factory, cst.Lambda) and not factory.params.params:
        factory = factory.body if isinstance(factory.body, cst.List) and not factory.body.elements else None
        return Value(kind="dict", qual=LIST_DEFAULTDICT) if factory is not None else UNKNOWN
    if isinstance(factory, cst.Name) and factory.value == "list":
        return Value(kind="dict", qual=LIST_DEFAULTDICT)
    return UNKNOWN


def namedtuple_type(node: cst.Call) -> Value:
    """``namedtuple("LossTuple", ["rpn_loss", "total"])`` (or ``"rpn_loss total"``, or typing's
    ``NamedTuple("T", [("rpn_loss", Tensor), ...])``): a tuple type with literal field names."""
    if len(node.args) < 2 or any(arg.keyword is not None or arg.star for arg in node.args[:2]):
        return UNKNOWN
    spec = node.args[1].value
    text = literal_str(spec)
    if text is not None:
        fields = text.replace(",", " ").split()
    elif isinstance(spec, (cst.List, cst.Tuple)):
        fields = []
        for element in spec.elements:
            item = element.value
            if isinstance(item, cst.Tuple) and item.elements:
                item = item.elements[0].value
            fields.append(literal_str(item))
    else:
        return UNKNOWN
    if not fields or not all(f and f.isidentifier() for f in fields) or len(set(fields)) != len(fields):
        return UNKNOWN
    return Value(kind="tupletype", keys=tuple(fields))


def namedtuple_instance(kind: Value, node: cst.Call, args) -> Value:
    """A call of a named tuple type: a tuple whose positions are also its fields, by name."""
    values: list = [None] * len(kind.keys)
    position = 0
    positional = [arg for arg in node.args if arg.keyword is None]
    for arg, (_, value) in zip(node.args, args):
        if arg.star == "*":
            if value.kind != "seq" or (not value.items and (value.elem is None or arg is not positional[-1])):
                return UNKNOWN
            # a list of unknown length spread last (`LossTuple(*losses)`) fills the remaining
            # fields, each with what any element of the list may be
            spread = list(value.items) or [value.elem] * (len(values) - position)
        elif arg.keyword is not None:
            name = arg.keyword.value
            if name not in kind.keys or values[kind.keys.index(name)] is not None:
                return UNKNOWN
            values[kind.keys.index(name)] = value
            continue
        elif arg.star:
            return UNKNOWN
        else:
            spread = [value]
        for item in spread:
            if position >= len(values):
                return UNKNOWN
            values[position] = item
            position += 1
    if any(value is None for value in values):
        return UNKNOWN  # a field left to its default
    return seq(values).with_(items=tuple(values), keys=kind.keys)


def namedtuple_field(value: Value, attr: str) -> Optional[Value]:
    """``losses.total_loss`` of a named tuple built here: the value at that field's position."""
    if value.kind == "seq" and value.keys and attr in value.keys and len(value.items) == len(value.keys):
        return value.items[value.keys.index(attr)]
    return None


class Containers:
    """List and dict methods, for the analyzer (see ``torch_semantics`` and ``module_semantics`` for tensors and modules)."""

    def _seq_method(self, receiver: Value, name: str, node: cst.Call, args) -> Value:
        path = dotted(node.func.value)
        if name in ("append", "insert") and args and path is None:
            self._append_in_dict(node.func.value, receiver, args[-1][1])
            return NONE
        if name in ("append", "insert") and args and path is not None:
            added = _named_graph(node.args[-1].value, _shown_tensor(self, node.args[-1].value, args[-1][1]))
            self._note_store(node.func.value, added)
            self.state.env[path] = _appended(self.lookup(path), added)
            return NONE
        if name == "extend" and args and path is not None:
            added = args[0][1]
            if added.kind == "seq":
                elements = [e for e in (receiver.elem, added.elem) if e is not None]
                self.state.env[path] = seq(elements).with_(
                    has_grad=receiver.has_grad or added.has_grad, layers=receiver.layers + added.layers
                )
            else:
                self.state.env[path] = Value(kind="seq", has_grad=None)
            return NONE
        if name == "pop":
            return receiver.elem or UNKNOWN
        if name == "clear" and path is not None and receiver.kind == "seq":
            # empty from here on: the graphs it held (freed by a backward() or not) are gone from it
            self.state.env[path] = seq([])
            self.state.freed = self.state.freed - {path}
            return NONE
        return UNKNOWN

    def _append_in_dict(self, receiver_node, receiver: Value, added: Value) -> None:
        """``history["train"].append(loss)``: the list kept under a literal key of a dict changes."""
        if not isinstance(receiver_node, cst.Subscript) or len(receiver_node.slice) != 1:
            return
        index = receiver_node.slice[0].slice
        key = literal_str(index.value) if isinstance(index, cst.Index) else None
        path = dotted(receiver_node.value)
        container = self.lookup(path) if path is not None else None
        if key is None or container is None or container.kind != "dict":
            return
        if key not in container.keys:
            if container.qual == LIST_DEFAULTDICT:  # the key's list is made by this append
                self.state.env[path] = container.with_(
                    keys=container.keys + (key,), items=container.items + (_appended(None, added),)
                )
            return
        position = container.keys.index(key)
        items = list(container.items)
        items[position] = _appended(receiver, added)
        self.state.env[path] = container.with_(items=tuple(items))

    def _dict_method(self, receiver: Value, name: str, node: cst.Call, args) -> Value:
        if name == "values":
            return dict_values(receiver)
        if name == "items":
            values = dict_values(receiver)
            if values.elem is None:
                return Value(kind="seq", has_grad=None)
            pair = (UNKNOWN, values.elem)
            return Value(kind="seq", elem=seq(list(pair)).with_(items=pair), has_grad=values.has_grad)
        if name in ("get", "pop") and node.args:
            return dict_item(receiver, literal_str(node.args[0].value))
        if name == "update" and node.args:
            self._update_dict(node, receiver, args)
            return NONE
        return UNKNOWN

    def _update_dict(self, node: cst.Call, receiver: Value, args) -> None:
        """``inputs.update({"residual": res})`` / ``inputs.update(residual=res)``: the dict holds those
        values from here on (a model called with ``**inputs`` gets them); an update of unknown keys
        leaves its content unknown."""
        path = dotted(node.func.value)
        if path is None:
            return
        keys, items = list(receiver.keys), list(receiver.items)
        if len(keys) != len(items):
            keys = None
        for arg, (_, value) in zip(node.args, args):
            if keys is None:
                break
            if arg.keyword is not None and not arg.star:
                added = [(arg.keyword.value, value)]
            elif not arg.star and value.kind == "dict" and value.keys and len(value.keys) == len(value.items):
                added = list(zip(value.keys, value.items))
            else:
                keys = None
                break
            for key, item in added:
                if key in keys:
                    items[keys.index(key)] = item
                else:
                    keys.append(key)
                    items.append(item)
        self.state.env[path] = mapping(keys, items) if keys is not None else Value(kind="dict")


def _shown_tensor(analyzer, node, added: Value) -> Value:
    """``out = model(x)`` of a model from another file, then ``print(out.shape)``: an output of
    unknown structure that its scope uses as only a tensor can be used (``tensor_uses``) is one."""
    if not (added.kind == "tensor" and added.struct and added.grad is True and added.has_grad is not True):
        return added
    scope = analyzer.function or analyzer.module_node
    if type(node) is cst.Name and scope is not None and used_as_tensor(scope, node.value, analyzer.module_node):
        return added.with_(struct=False)
    return added


def _named_graph(node, added: Value) -> Value:
    """``losses.append(loss)``: the element is the graph named ``loss``, as an operand of an op is
    (``operations``: a result's deps name its non-leaf operands). A ``loss.backward()`` in the same
    iteration frees that graph, and so a later ``sum(losses).backward()`` goes through it again. A loss
    its ``backward()`` proves requires grad (``loss = loss_func(out, y)``, ``loss_func`` not known) is
    such a graph too, unless known to be a leaf (a leaf's sum saves nothing: a second backward runs)."""
    if type(node) is cst.Name and added.kind == "tensor" and added.grad is True and added.leaf is not True:
        return added.with_(deps=capped(added.deps | {node.value}, [node.value]))
    return added


def _appended(current: Optional[Value], added: Value) -> Value:
    """A list after ``append(added)``."""
    elements = [added] if current is None or current.elem is None else [current.elem, added]
    # an output of unknown structure (a model's of another file: a tensor, a tuple, a dict of
    # them, a list of Python numbers) holds a grad tensor only when shown to (``has_grad``)
    unproven = added.struct and added.has_grad is not True
    return seq(elements).with_(
        has_grad=True if (current and current.has_grad) or added.is_grad_tensor and not unproven else join_tri(
            current.has_grad if current else None, None if unproven else False if _shown_gradless(added) else None
        ),
        layers=(current.layers if current is not None and current.kind == "seq" else 0) + module_layers([added]),
    )


def _shown_gradless(added: Value) -> bool:
    """An appended element known to hold no graph: a number, or a tensor shown not to require grad.
    A tensor whose ``grad`` is unknown (a part of the output of a module whose forward the analysis
    could not walk: ``logits, hidden = self.dec(x, hidden)`` past the call-depth limit) may require
    grad: a list of such parts is not known to be free of graphs (``torch.stack(outputs)`` of it is
    not a plain tensor)."""
    return added.kind == "number" or added.kind == "tensor" and added.grad is False
