"""Abstract values the analysis assigns to expressions.

A fact is either established (``True``/``False``) or unknown (``None``); joining
two paths keeps a fact only where both agree. Rules fire on established facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Optional

from .dep_bounds import capped
from .dict_keys import joined_dict
from .literals import string_value

Tri = Optional[bool]


def join_tri(a: Tri, b: Tri) -> Tri:
    return a if a == b else None


@dataclass(frozen=True, init=False, eq=False)
class Value:
    """An immutable abstract value.

    Built, copied and compared as one dict of its fields (``__init__``, ``with_``, ``__eq__``):
    the analysis makes millions of them, and a generated frozen ``__init__`` sets each of the
    fields one by one, which was a tenth of the analysis's time.
    """

    kind: str = "unknown"
    #: "ref": the dotted name of what an imported name refers to (``torch.nn.Linear``).
    qual: str = ""
    #: "tensor": requires grad / is a leaf / has ``retain_grad()`` called on it.
    grad: Tri = None
    leaf: Tri = None
    retains: bool = False
    #: the value may be a container of tensors (a model output, ``ModelOutput``).
    struct: bool = False
    #: a tensor read through ``X.data``: the dotted path of X.
    data_of: Optional[str] = None
    #: "module": whether it owns trainable parameters; "params": the owning module path.
    params: Tri = None
    owner: Optional[str] = None
    #: "class" / "instance": the class defined in this file.
    cls: Optional["ClassInfo"] = None
    #: "seq": joined value of the elements, and whether some element is a grad tensor;
    #: "dist" (a ``torch.distributions`` object): the value of the tensors it was built from.
    elem: Optional["Value"] = None
    has_grad: Tri = None
    #: "gradmode": the grad mode a context manager sets; "scaler": whether it scales (``enabled=``);
    #: "number": its truth when it is the literal ``True`` / ``False`` (a flag passed on to
    #: ``torch.set_grad_enabled(flag)``).
    mode: Tri = None
    #: computed only from values cut out of a graph (``.detach()``, ``.item()``,
    #: ``.data``, or under ``no_grad``) of grad tensors.
    cut: bool = False
    #: ``cut`` on some path: a sum of ``.item()`` values kept in place in a tensor made before a loop
    #: (never requiring grad on any path, a backward() of it raises: GRD103)
    cut_somewhere: bool = False
    #: a leaf on some path (the first iteration of a loop, say), even if not on all.
    may_leaf: bool = False
    #: produced by an op that saves its own output for backward (``sigmoid``, ``exp``).
    saves_self: bool = False
    #: dotted paths of the non-leaf grad tensors this value was computed from.
    deps: frozenset = frozenset()
    #: "module": False after ``.eval()``, True after ``.train()``.
    training: Tri = None
    #: "seq" of a known length (a tuple display, a zip() element): each position's value;
    #: "dict" with literal string keys: each key's value, in the order of ``keys``.
    items: tuple = ()
    keys: tuple = ()
    #: "tensor": dotted paths of the modules (with parameters) whose output it was computed from,
    through: frozenset = frozenset()
    #: and of those that saved their parameters for backward (called on a grad tensor).
    saved_params: frozenset = frozenset()
    #: "tensor": its floating dtype when known ("float32", "float64", "float16", "bfloat16"), else "".
    dtype: str = ""
    #: "tensor": made on the CPU (by a factory given no ``device=``, in a file that never changes the
    #: default device), so ``.cuda()`` copies it
    on_cpu: bool = False
    #: "tensor": computed from a graph that saved parameters an optimizer ``step()`` has since
    #: updated in place (its backward() raises), wherever the value goes (returned, passed on)
    stale: bool = False
    #: "params" / "optimizer" over the parameters of several modules
    #: (``itertools.chain(G.parameters(), E.parameters())``): each module's path
    owners: frozenset = frozenset()
    #: "module" (``nn.Sequential(...)`` of literal members): how many of its members have parameters;
    #: "seq": how many of its elements at least are modules with parameters (a list of layers
    #: built for ``nn.Sequential(*layers)``)
    layers: int = 0
    #: "tensor": a view (slice, ``.view()``, ``.T``) of a leaf grad tensor made under grad mode,
    #: so writing it in place raises as writing the leaf does.
    leaf_view: bool = False
    #: "tensor": one element of the output of a model that carries a graph (``out, aux = model(x)``
    #: with the model's output structure unknown): whether this element requires grad is not known,
    #: but a torch loss taking it as its input shows it does (``module_semantics._loss_input``)
    output_part: bool = False
    #: "unknown": moved with ``.cuda()`` / ``.to(...)``, so a tensor or a module; called later, a module
    #: (``adversarial_loss = AdversarialLoss().cuda()`` with the class from another file)
    moved: bool = False
    #: "unknown": ``None`` on some paths, this tensor or sequence on the others (``h = None`` before a
    #: loop that binds ``out, h = rnn(x, h)``); under ``if h is not None:`` it is this value
    #: (``Evidence._narrow``), anywhere else unknown
    unless_none: Optional["Value"] = None
    #: made by project code the analysis did not read (a module past the import budget or depth, too
    #: large, or re-exporting from such modules): what it is and does is unknown, not the default, so
    #: a model of it may run its forward without gradients (deepinv's solvers) or differentiate in it
    unread: bool = False
    #: "module" frozen whole, then given new layers: the attributes holding the only trainable ones
    placed: frozenset = frozenset()
    #: "dict": ((key, value), ...) of the keys some joined path did not set (``dict_keys``)
    maybe: tuple = ()
    #: "unknown": read as ``X.grad`` of an ``X`` of unknown kind, or a view of such a read
    #: (``g = param.grad; g = g.view(-1)``): what it is stays unknown, but once a tensor-only method or
    #: attribute shows it is a tensor, it is that tensor's gradient, which does not require grad
    gradient: bool = False
    #: "class" / "module" / "instance": one of these, not known which (``class_choices``)
    choices: tuple = ()

    @property
    def is_grad_tensor(self) -> bool:
        return self.kind == "tensor" and self.grad is True

    @property
    def is_leaf_grad(self) -> bool:
        return self.kind == "tensor" and self.grad is True and self.leaf is True and not self.struct

    @property
    def is_nonleaf_grad(self) -> bool:
        return self.kind == "tensor" and self.grad is True and self.leaf is False and not self.struct

    def __init__(self, **changes) -> None:
        _set_fields(self.__dict__, _DEFAULTS, changes)

    def with_(self, **changes) -> "Value":
        """A copy with these fields changed."""
        new = object.__new__(Value)
        _set_fields(new.__dict__, self.__dict__, changes)
        return new

    def __eq__(self, other) -> bool:
        if other.__class__ is not Value:
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__.values()))


#: every field's default, in the order of the fields (``__hash__`` reads the values in that order)
_DEFAULTS = {f.name: f.default for f in fields(Value)}
_FIELDS = frozenset(_DEFAULTS)


def _set_fields(state: dict, base: dict, changes: dict) -> None:
    state.update(base)
    if changes:
        if not _FIELDS.issuperset(changes):
            raise TypeError(f"Value has no field {sorted(set(changes) - _FIELDS)[0]!r}")
        state.update(changes)


UNKNOWN = Value()
#: something of project code the analysis did not read (``Value.unread``)
UNREAD = Value(unread=True)
NUMBER = Value(kind="number")
#: the ``qual`` of a literal string's value: still unknown for the walk, but a flag's ``mode == "eval"``
#: test reads it (see ``branch_tests.string_test``)
STRING = "str:"


def literal_string(node) -> Value:
    raw = node.value
    # a prefix and quotes take at most 8 characters and an escape never lengthens a string: a
    # longer literal (a docstring) is known to be too long without evaluating it
    if len(raw) > 40 + 8:
        return UNKNOWN
    text = string_value(node)
    return Value(kind="unknown", qual=STRING + text) if isinstance(text, str) and len(text) <= 40 else UNKNOWN


TRUE = Value(kind="number", mode=True)
FALSE = Value(kind="number", mode=False)
NONE = Value(kind="none")
#: a batch from a data loader: a tensor, or a tuple or dict of them, none requiring grad
BATCH = Value(kind="tensor", grad=False, leaf=True, struct=True)


def tensor(grad: Tri, leaf: Tri, **extra) -> Value:
    return Value(kind="tensor", grad=grad, leaf=leaf, **extra)


def output_part(output: Value) -> Value:
    """One part (an element, a field) of a model output that carries a graph, the structure of
    the output unknown: whether this part requires grad is not known (``Value.output_part``)."""
    if output.kind == "tensor" and output.grad is True and output.through:
        return tensor(None, None, output_part=True, through=output.through, saved_params=output.saved_params)
    return UNKNOWN


def view_of(base: Value, result: Value) -> Value:
    """``result``, a view of ``base``, marked when ``base`` is a leaf grad tensor or a view of one,
    or a view of ``X.data`` (``v = p.data; v[0].add_(1)`` still writes into ``p``)."""
    if result.grad is True and (base.is_leaf_grad or base.leaf_view):
        return result.with_(leaf_view=True)
    if base.data_of is not None and result.kind == "tensor":
        return result.with_(data_of=base.data_of)
    return result


def ref(qual: str) -> Value:
    return Value(kind="ref", qual=qual)


def seq(elements) -> Value:
    elements = [e for e in elements if e is not None]
    elem = join_all(elements) if elements else None
    has_grad = any(e.is_grad_tensor or (e.kind == "seq" and e.has_grad) for e in elements)
    if not has_grad and any(e.kind == "unknown" or e.grad is None and e.kind == "tensor" for e in elements):
        return Value(kind="seq", elem=elem, has_grad=None)
    return Value(kind="seq", elem=elem, has_grad=has_grad)


def module_layers(values) -> int:
    """How many of ``values`` are modules with parameters (the layers a list display lists)."""
    return sum(1 for value in values if value.kind == "module" and value.params is True)


ONE_OF_SEVERAL = "<one of several optimizers>"


def join(a: Value, b: Value) -> Value:
    if a is b or a == b:
        return a
    if a.kind != b.kind:
        if "gradmode" in (a.kind, b.kind):
            # `torch.no_grad() if not self.unfold else nullcontext()`: a context that may switch grad off
            return Value(kind="gradmode", mode=None)
        # `try: import torch` / `except ImportError: torch = None`: where it is used, it is the module
        if {a.kind, b.kind} == {"ref", "none"}:
            return a if a.kind == "ref" else b
        # `total = 0.0` then `total += loss` in a loop: once anything was added, total is a graph
        # result; the other path (nothing added yet) is a plain number and has no graph to keep.
        # Also `if loss is None: return 0` before `loss.backward(); return loss`: the tensor path is
        # the one that carries a graph (a leaf there stays possible: leaf-ness is not claimed)
        for number, result in ((a, b), (b, a)):
            if number.kind == "number" and not number.cut and result.is_grad_tensor and result.leaf is not True and not result.struct:
                return result
            # the same sum of detached values (`adv = 0.` then `adv += delta.detach() * decay`): neither path
            # has a graph, and the tensor path is cut out of one
            if number.kind == "number" and result.kind == "tensor" and result.grad is False and result.cut and not result.struct:
                return result
        result = _none_or(a, b)
        return UNREAD if result.kind == "unknown" and (a.unread or b.unread) and result.unless_none is None else result
    if a.kind == "tensor":
        return tensor(
            join_tri(a.grad, b.grad),
            join_tri(a.leaf, b.leaf),
            retains=a.retains or b.retains,
            struct=a.struct or b.struct,
            data_of=a.data_of if a.data_of == b.data_of else None,
            cut=a.cut and b.cut,
            cut_somewhere=a.cut or b.cut or a.cut_somewhere or b.cut_somewhere,
            may_leaf=a.leaf is True or b.leaf is True or a.may_leaf or b.may_leaf,
            saves_self=a.saves_self and b.saves_self,
            deps=capped(a.deps | b.deps),
            through=a.through | b.through,
            saved_params=a.saved_params | b.saved_params,
            dtype=a.dtype if a.dtype == b.dtype else "",
            on_cpu=a.on_cpu and b.on_cpu,
            leaf_view=a.leaf_view and b.leaf_view,
            stale=a.stale or b.stale,
            output_part=a.output_part and b.output_part,
        )
    if a.kind == "module":
        return Value(
            kind="module",
            params=join_tri(a.params, b.params),
            cls=a.cls if a.cls is b.cls else None,
            qual=a.qual if a.qual == b.qual else "",
            training=join_tri(a.training, b.training),
            layers=min(a.layers, b.layers),
            unread=a.unread or b.unread,
            choices=_one_of_modules(a, b),
        )
    if a.kind == "number":
        return Value(kind="number", cut=a.cut and b.cut)
    if a.kind == "gradmode":
        return Value(kind="gradmode", mode=join_tri(a.mode, b.mode))
    if a.kind == "seq":
        # an empty list adds no element: [] joined with [loss, ...] may only hold losses
        if a.elem is None and a.has_grad is False:
            return b.with_(layers=0) if b.layers else b
        if b.elem is None and b.has_grad is False:
            return a.with_(layers=0) if a.layers else a
        elem = join(a.elem, b.elem) if a.elem is not None and b.elem is not None else (a.elem or b.elem)
        items = tuple(join(x, y) for x, y in zip(a.items, b.items)) if len(a.items) == len(b.items) else ()
        layers = min(a.layers, b.layers)
        return Value(kind="seq", elem=elem, has_grad=join_tri(a.has_grad, b.has_grad), items=items, layers=layers)
    if a.kind == "dict":
        if a.keys == b.keys and not a.maybe and not b.maybe:
            return Value(kind="dict", qual=a.qual if a.qual == b.qual else "", keys=a.keys, items=tuple(join(x, y) for x, y in zip(a.items, b.items)))
        if a.qual == b.qual == LIST_DEFAULTDICT:
            # a key one side has not made yet holds an empty list there, which adds no element
            keys = a.keys + tuple(k for k in b.keys if k not in a.keys)
            items = tuple(
                join(a.items[a.keys.index(k)], b.items[b.keys.index(k)]) if k in a.keys and k in b.keys
                else (a.items[a.keys.index(k)] if k in a.keys else b.items[b.keys.index(k)])
                for k in keys
            )
            return Value(kind="dict", qual=LIST_DEFAULTDICT, keys=keys, items=items)
        return joined_dict(a, b, join, Value) or Value(kind="dict")
    if a.kind == "dist":
        return Value(kind="dist", elem=join(a.elem, b.elem) if a.elem is not None and b.elem is not None else None)
    if a.kind == "params" and a.owner == b.owner:
        return a
    if a.kind == "optimizer":  # `for opt in self.optimizers: opt.step()`: which one, unknown
        return a if a.owner == b.owner else Value(kind="optimizer", qual=ONE_OF_SEVERAL)
    if a.kind == "none":
        return a
    if a.unless_none is not None and b.unless_none is not None:
        return Value(unless_none=join(a.unless_none, b.unless_none))
    if a.kind == "class":
        return _one_of_classes(a, b)
    return UNREAD if a.unread or b.unread else UNKNOWN


def _one_of_classes(a: Value, b: Value) -> Value:
    """``net_type = ActorCritic if critic else DiscretePolicy``: one of the project's classes, not
    known which (instantiated and called as ``class_choices`` does for a registry's)."""
    classes = {id(c.cls): c for v in (a, b) for c in (v.choices or (v,)) if c.cls is not None}
    if len(classes) < 2 or any(c.cls is None for v in (a, b) for c in (v.choices or (v,))):
        return UNKNOWN
    return Value(kind="class", choices=tuple(classes.values()))


def _one_of_modules(a: Value, b: Value) -> tuple:
    """``model = Net_mnist()`` in one arm, ``model = Net_cifar10()`` in another (by a run-time
    setting): an instance of one of the project's classes, not known which; its methods are run on
    each as for a registry's choice (``class_choices.method_of_choices``). At most four classes."""
    if a.cls is b.cls and not a.choices and not b.choices:
        return ()
    made = {}
    for one in (c for v in (a, b) for c in (v.choices or (v,))):
        if one.cls is None:
            return ()
        made.setdefault(id(one.cls), one)
    return tuple(made.values()) if 1 < len(made) <= 4 else ()


def _none_or(a: Value, b: Value) -> Value:
    """``None`` on one path, a tensor, a sequence or a GradScaler on the other (``Value.unless_none``;
    ``scaler = GradScaler() if args.amp else None``)."""
    for none, other in ((a, b), (b, a)):
        if none.kind == "none" and other.kind in ("tensor", "seq", "scaler"):
            return Value(unless_none=other)
        if none.kind == "none" and other.unless_none is not None:
            return other
        if none.unless_none is not None and other.kind == none.unless_none.kind:
            return Value(unless_none=join(none.unless_none, other))
    return UNKNOWN


def member_of(container: Value, position: Optional[int]) -> Value:
    """A member of an ``nn.Sequential`` / ``nn.ModuleList`` (at ``position``, or any): the module listed
    there when it is known, else a module with the container's trainability."""
    items = container.items
    if position is not None and -len(items) <= position < len(items) and items[position].kind == "module":
        return items[position]
    member = container.elem
    if member is not None and member.kind == "module" and (member.params is True or member.params == container.params):
        return member
    return Value(kind="module", params=container.params)


def join_all(values) -> Value:
    it = iter(values)
    result = next(it)
    for v in it:
        result = join(result, v)
    return result


@dataclass(eq=False)
class ClassInfo:
    """A class defined in the linted file."""

    name: str
    is_module: bool = False
    params: Tri = None
    #: ``forward`` returns one tensor (not a tuple or a dict of them).
    single_output: bool = False
    #: some path of ``forward`` returns Python numbers, or lists not known to hold tensors (``plain_outputs``)
    plain_return: bool = False
    #: ``self.<attr>`` values established by ``__init__`` and not rebound elsewhere.
    attrs: dict = field(default_factory=dict)
    #: the methods defined in the class body, by name
    methods: dict = field(default_factory=dict)
    #: a LightningModule: its ``training_step`` is a training step the framework backpropagates
    lightning: bool = False
    #: derives from mmengine's BaseModel: its ``predict`` runs under the framework's no_grad loops
    mmengine: bool = False
    #: for a class of another file of the project: that module's names (``imports.Namespace``)
    namespace: Optional[object] = None
    #: a base class is not known here (imported from a file that was not found, or built by a call):
    #: it may be an ``nn.Module``
    open_base: bool = False
    #: fields whose value in ``attrs`` joins what other methods store (``fields.Fields``)
    method_fields: frozenset = frozenset()
    #: "X.Y" -> the list or dict in ``self.X.Y``, a field of an object in a field, joined over the methods
    #: that fill it (``nested_fields``)
    nested: dict = field(default_factory=dict)
    #: ``attrs`` as ``__init__`` left them, before what other methods store is joined in
    made: dict = field(default_factory=dict)
    #: the values of its base classes, in order (keyword arguments such as ``metaclass=`` aside)
    bases: tuple = ()
    #: a subclass of ``nn.Sequential`` given its layers by ``super().__init__``: how many have
    #: parameters (``sequential_subclasses``)
    layers: int = 0


def instance_fields(cls: ClassInfo, constructed: dict) -> dict:
    """The fields of an instance whose constructor set ``constructed`` (``Agent(net)``): those values,
    except that a field other methods store into keeps what they store too (the instance's
    ``plot_cost()`` plots the losses its ``learn()`` appended to the list ``__init__`` made empty). A
    field whose join over the methods was not known (``Fields._join_method_fields`` drops it from
    ``cls.attrs``: ``self.engine = object()`` in another method) is not known in the instance either."""
    attrs = dict(cls.attrs)
    for name, value in constructed.items():
        if name in cls.method_fields:
            value = join_all([value, cls.attrs[name]]) if name in cls.attrs else UNKNOWN
        attrs[name] = value
    return attrs


#: the ``qual`` of a ``collections.defaultdict(list)``: a key read before it is set holds a new empty list
LIST_DEFAULTDICT = "collections.defaultdict(list)"


def mapping(keys, values) -> Value:
    """A dict whose keys are known strings."""
    return Value(kind="dict", keys=tuple(keys), items=tuple(values))


def dict_item(value: Value, key: Optional[str]) -> Value:
    """``d[key]`` of a "dict" value; with an unknown key, any of its values."""
    if key is not None and key in value.keys:
        return value.items[value.keys.index(key)]
    if value.elem is not None and not value.keys:
        return value.elem  # `dict(model.named_parameters())[name]`: every value is one of its kind
    if key is None and value.items:
        return join_all(value.items)
    if key is not None and value.qual == LIST_DEFAULTDICT:
        return seq([])  # the new list a first `d[key].append(x)` appends to
    return UNKNOWN


def dict_values(value: Value) -> Value:
    """The values of a "dict" value, as a sequence."""
    if not value.items and value.elem is not None and not value.keys:
        return seq([value.elem])  # a comprehension's: every value is one of its kind
    return seq(list(value.items)) if value.items else Value(kind="seq", has_grad=None)
