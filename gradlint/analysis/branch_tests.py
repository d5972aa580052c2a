"""What a branch's test says about the path it guards, from the values the walk knows."""

from __future__ import annotations

import libcst as cst

from . import torch_api as api
from .syntax import dotted, per_node, walk
from .literals import string_value
from .values import FALSE, STRING, TRUE, UNKNOWN, Tri

_TYPE_TESTS = (cst.Equal, cst.Is, cst.NotEqual, cst.IsNot)
#: classes no tensor's ``type()`` is
_NOT_TENSOR_TYPES = frozenset(
    {"numpy.ndarray", "torch.autograd.Variable", "torch.autograd.variable.Variable"}
    | {"list", "tuple", "dict", "int", "float", "str", "bool"}
)


def type_test_truth(walker, test) -> Tri:
    """``type(x) == np.ndarray`` / ``type(x) is Variable`` on a tensor: false. A tensor's type
    is ``torch.Tensor`` (or a subclass); since PyTorch 0.4 no tensor's type is
    ``torch.autograd.Variable`` (``isinstance`` still says yes), so a helper's
    ``elif type(src) == Variable: x = src.data`` never runs (HDGan's ``to_numpy``)."""
    if type(test) is not cst.Comparison or len(test.comparisons) != 1:
        return None
    operator = type(test.comparisons[0].operator)
    left = test.left
    if operator not in _TYPE_TESTS or type(left) is not cst.Call or len(left.args) != 1 or dotted(left.func) != "type":
        return None
    path = dotted(left.args[0].value)
    value = walker.lookup(path) if path is not None else None
    if value is None or value.kind != "tensor" or walker.lookup("type") is not None:
        return None
    other = walker.eval(test.comparisons[0].comparator)
    if other.kind not in ("ref", "builtin") or api.canonical(other.qual) not in _NOT_TENSOR_TYPES:
        return None
    return operator in (cst.NotEqual, cst.IsNot)


_MODULE_BASES = frozenset({"torch.nn.Module", "torch.nn.modules.module.Module"})


def isinstance_test_truth(walker, test) -> Tri:
    """``isinstance(net, nn.Module)`` (or ``not isinstance(...)``) of a name the walk knows is a
    module: true; of a tensor: false. The book helpers that accept a module or a plain function
    (``if isinstance(net, torch.nn.Module): net.eval()``, d2l's ``evaluate_accuracy``) then switch
    the model they are given, known from the call. Of a tensor known to require grad (not a model
    output that may be a tuple), a test against types no tensor is (``isinstance(eye, (list,
    tuple))``) is false and one against ``torch.Tensor`` (or ``torch.is_tensor(eye)``) true: a
    helper's ``if isinstance(eye, (list, tuple)): eye = torch.tensor(eye)`` never runs for the
    tensor its call hands it (neural_renderer's ``look``)."""
    negated = type(test) is cst.UnaryOperation and type(test.operator) is cst.Not
    call = test.expression if negated else test
    if type(call) is not cst.Call:
        return None
    function = dotted(call.func)
    if function == "isinstance" and len(call.args) == 2 and walker.lookup("isinstance") is None:
        path = dotted(call.args[0].value)
    elif len(call.args) == 1 and api.canonical(walker.eval(call.func).qual) == "torch.is_tensor":
        path = dotted(call.args[0].value)
        value = walker.lookup(path) if path is not None else None
        return None if not _plain_grad_tensor(value) else not negated
    else:
        return None
    value = walker.lookup(path) if path is not None else None
    if value is None or value.kind not in ("module", "tensor"):
        return None
    cls = walker.eval(call.args[1].value)
    if _plain_grad_tensor(value):
        tensor_type = _tensor_type_test(cls)
        if tensor_type is not None:
            return tensor_type != negated
    if cls.kind != "ref" or api.canonical(cls.qual) not in _MODULE_BASES:
        return None
    return (value.kind == "module") != negated


_TENSOR_CLASSES = frozenset({"torch.Tensor"})


def _plain_grad_tensor(value) -> bool:
    """A tensor the walk knows requires grad, and not a value that may be a container of tensors."""
    return value is not None and value.kind == "tensor" and value.grad is True and not value.struct


def _tensor_type_test(cls) -> Tri:
    """Whether a tensor passes ``isinstance(t, cls)``: true for ``torch.Tensor``, false for classes
    (or a tuple of classes) no tensor is; None when unknown."""
    classes = cls.items if cls.kind == "seq" and cls.items else (cls,)
    answers = set()
    for one in classes:
        if one.kind not in ("ref", "builtin"):
            return None
        qual = api.canonical(one.qual)
        if qual in _TENSOR_CLASSES:
            answers.add(True)
        elif qual in _NOT_TENSOR_TYPES and qual != "torch.autograd.Variable" and qual != "torch.autograd.variable.Variable":
            answers.add(False)
        else:
            return None
    return True if True in answers else (False if answers else None)


def recomputed_is_fresh(before, ends, state):
    """After an ``if``: a tensor stale on some path (made so by a step) but recomputed on every
    path where it is fresh is not stale. An ``if``/``elif`` chain over a configuration string with
    no ``else`` (``if adv_loss == 'wgan-gp': d_loss_real = ... elif adv_loss == 'hinge': ...``)
    recomputes it on every path that runs; the fall-through keeping last iteration's value never
    does (Self-Attention-GAN). A path where it is fresh because nothing touched it (``if i % k == 0:
    opt.step()``) keeps the may-fact: there the step made it stale."""
    env = state.env
    for name, value in list(env.items()):
        if value.kind != "tensor" or not value.stale:
            continue
        fresh = [end.env.get(name) for end in ends]
        fresh = [v for v in fresh if v is not None and not v.stale]
        if fresh and all(v is not before.env.get(name) for v in fresh):
            env[name] = value.with_(stale=False)
    return state


def string_test(walker, test):
    """``mode == "eval"`` / ``mode != "train"`` of a name bound to a literal string: the name and
    the truth as a flag's value (unknown when either side is not a literal string). So are
    ``"train" == mode``, ``phase in ("train", "trn")`` / ``not in``, and ``phase is "train"`` /
    ``is not`` when both strings are identifier-like (CPython interns those: equal means identical).
    The name may be a field of ``self``; its callers decide whether its value is fixed there."""
    if len(test.comparisons) != 1:
        return test, UNKNOWN
    operator = type(test.comparisons[0].operator)
    name, other = test.left, test.comparisons[0].comparator
    if not _named(name) and operator in _SYMMETRIC:
        name, other = other, name
    if not _named(name):
        return test, UNKNOWN
    if operator in (cst.In, cst.NotIn):
        if type(other) not in (cst.List, cst.Tuple, cst.Set) or not other.elements:
            return test, UNKNOWN
        if any(type(e) is not cst.Element or type(e.value) is not cst.SimpleString for e in other.elements):
            return test, UNKNOWN
        strings = [string_value(e.value) for e in other.elements]
    elif operator in _SYMMETRIC and type(other) is cst.SimpleString:
        strings = [string_value(other)]
    else:
        return test, UNKNOWN
    mine = walker.lookup(dotted(name))
    if mine is None or not mine.qual.startswith(STRING) or not all(isinstance(s, str) for s in strings):
        return test, UNKNOWN
    held = mine.qual[len(STRING) :]
    same = held in strings
    if operator in (cst.Is, cst.IsNot) and same and not held.isidentifier():
        return test, UNKNOWN  # equal strings need not be one object
    return name, TRUE if same == (operator in _POSITIVE) else FALSE


def _named(node) -> bool:
    """A name, or a field of ``self`` (``self.backbone == "vgg"`` in a constructor, see ``flag_fields``)."""
    if type(node) is cst.Name:
        return True
    return type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == "self"


#: comparisons whose operands may be swapped; those true when the strings are the same
_SYMMETRIC = (cst.Equal, cst.NotEqual, cst.Is, cst.IsNot)
_POSITIVE = (cst.Equal, cst.Is, cst.In)


#: comparisons with ``None`` that ``none_test`` decides
_NONE_TESTS = (cst.Is, cst.IsNot, cst.Equal, cst.NotEqual)


def none_test(walker, test):
    """``x is None`` / ``x is not None`` of a name bound to ``None`` (a literal argument or default):
    the name and the truth as a flag's value (unknown otherwise: a value known to be something else
    may still be ``None`` on a path the walk joined away). ``run_epoch(model, dev_loader,
    optimiser=None)`` skips its ``if optimiser is not None:`` update. ``x == None`` / ``x != None``
    (older code: ``if not optimizer == None:``) is the same test for None, a module and a string literal."""
    if len(test.comparisons) != 1 or type(test.left) is not cst.Name:
        return test, UNKNOWN
    operator = type(test.comparisons[0].operator)
    comparator = test.comparisons[0].comparator
    if operator not in _NONE_TESTS or type(comparator) is not cst.Name or comparator.value != "None":
        return test, UNKNOWN
    mine = walker.lookup(test.left.value)
    if mine is None or mine.kind not in ("none", "module") and not mine.qual.startswith(STRING):
        return test, UNKNOWN
    # a module is never None: the join of None with one is no module (``if encoder is not None:
    # encoder.eval()`` of a validate() given the caller's encoder switches it); nor is a string
    # literal (``def main(finetune="ep049.pth")``: its ``if finetune is not None:`` arm runs)
    return test.left, TRUE if (mine.kind == "none") == (operator in (cst.Is, cst.Equal)) else FALSE


#: methods that change a dict in place
_DICT_WRITES = frozenset({"update", "pop", "popitem", "setdefault", "clear", "__setitem__", "__delitem__"})


def entry_test(walker, test):
    """``if cfg.get("finetune") is not None:`` / ``if cfg["finetune"]:`` / ``if cfg.get("amp"):`` on a
    dict the call bound to a literal with that key (``cfg = {"finetune": "culane.pth"}``, then
    ``build(cfg)``): the dict's name and the truth as a flag's value, as ``none_test`` for a name. A
    dict the function writes into, or a key some path may not set, stays unknown."""
    compared = None
    if type(test) is cst.Comparison and len(test.comparisons) == 1:
        operator = type(test.comparisons[0].operator)
        comparator = test.comparisons[0].comparator
        if operator not in (cst.Is, cst.IsNot) or type(comparator) is not cst.Name or comparator.value != "None":
            return test, UNKNOWN
        compared, test = operator, test.left
    found = _entry(test)
    if found is None:
        return test, UNKNOWN
    name, key = found
    mine = walker.lookup(name.value)
    if mine is None or mine.kind != "dict" or key not in mine.keys or _writes_into(walker.function, name.value):
        return test, UNKNOWN
    held = mine.items[mine.keys.index(key)]
    if held.kind == "none":
        truth = False
    elif held.kind == "number" and held.mode is not None:
        truth = held.mode if compared is None else True
    elif held.qual.startswith(STRING):
        truth = bool(held.qual[len(STRING) :]) if compared is None else True
    else:
        return test, UNKNOWN
    if compared is cst.Is:
        truth = held.kind == "none"
    elif compared is cst.IsNot:
        truth = held.kind != "none"
    return name, TRUE if truth else FALSE


def _entry(node):
    """``(name, key)`` of ``name["key"]`` or ``name.get("key")`` with a literal key, else None."""
    if type(node) is cst.Subscript and type(node.value) is cst.Name and len(node.slice) == 1:
        index = node.slice[0].slice
        key = string_value(index.value) if type(index) is cst.Index and type(index.value) is cst.SimpleString else None
        return (node.value, key) if isinstance(key, str) else None
    if type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value == "get":
        owner = node.func.value
        if type(owner) is cst.Name and len(node.args) == 1 and not node.args[0].keyword:
            key = string_value(node.args[0].value) if type(node.args[0].value) is cst.SimpleString else None
            return (owner, key) if isinstance(key, str) else None
    return None


def _writes_into(function, name: str) -> bool:
    if function is None:
        return True
    for node in walk(function.body):
        kind = type(node)
        if kind in (cst.AssignTarget, cst.AugAssign, cst.Del):
            target = node.target
            if type(target) is cst.Subscript and type(target.value) is cst.Name and target.value.value == name:
                return True
        elif kind is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in _DICT_WRITES:
            if type(node.func.value) is cst.Name and node.func.value.value == name:
                return True
        elif kind is cst.Arg and type(node.value) is cst.Name and node.value.value == name:
            return True  # handed to a call, which may write into it
    return False


@per_node
def declares_no_outer_names(function: cst.FunctionDef) -> bool:
    """Whether no ``global`` or ``nonlocal`` statement stands anywhere in ``function`` (its nested
    functions included): then only its own statements bind its local names, and the walk's value of
    one at a test is what every path reaching the test gives it."""
    return not any(type(node) in (cst.Global, cst.Nonlocal) for node in walk(function))


def is_main_guard(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (either way round, either quotes)."""
    if type(test) is not cst.Comparison or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if type(target.operator) is not cst.Equal:
        return False
    sides = (test.left, target.comparator)
    names = [side for side in sides if type(side) is cst.Name and side.value == "__name__"]
    strings = [side for side in sides if type(side) is cst.SimpleString and side.evaluated_value == "__main__"]
    return len(names) == 1 and len(strings) == 1
