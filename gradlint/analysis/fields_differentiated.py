"""Fields of a module that the project differentiates only through ``torch.autograd.grad``.

A meta-learning policy keeps a context vector as a field, ``self.context = torch.zeros(n,
requires_grad=True).to(device)``, and the training script of another file adapts it functionally:
``grads = autograd.grad(loss, clone.context); clone.context = clone.context - lr * grads[0]``. The
``.to`` makes a non-leaf, but ``autograd.grad`` differentiates a non-leaf as well, and nothing reads
the field's ``.grad`` or hands it to an optimizer (the only uses a leaf is needed for): nothing is lost.
The same question as ``differentiated.only_differentiated`` asks of a name, asked of a field across the
files that construct its class.
"""

from __future__ import annotations

import ast
import re
from typing import Iterable

import libcst as cst

from .callers import files_calling, read_text
from .differentiated import differentiated_inputs
from .syntax import module_nodes

#: what a leaf is needed for, beside ``autograd.grad``: its ``.grad``, or an optimizer over it
_LEAF_USE = r"\.{field}\b\s*\.grad\b|(?:optim|Adam|SGD|RMSprop|param_group).*\.{field}\b"


def field_only_differentiated(field: str, class_name: str, ctx) -> bool:
    """Whether ``self.<field>`` of ``class_name`` is what some ``autograd.grad`` call differentiates
    (``inputs``: ``obj.<field>``, alone or in a list or tuple), in this file or in a file constructing
    the class, and none of those files reads ``.<field>.grad`` or names the field on a line with an
    optimizer."""
    if not ctx.path or ctx.module_node is None:
        return False
    callers = files_calling(ctx.path, [class_name])
    texts = [ctx.source] + [read_text(caller) for caller in callers]
    leaf_use = re.compile(_LEAF_USE.format(field=re.escape(field)))
    if any(leaf_use.search(text) for text in texts):
        return False
    own = module_nodes(ctx.module_node).of(cst.Call)
    if any(field in _cst_fields(given) for given in differentiated_inputs(own, ctx)):
        return True
    return any(field in text and "grad" in text and _differentiates_field(text, field) for text in texts[1:])


def _cst_fields(given) -> set:
    named = [e.value for e in given.elements] if type(given) in (cst.List, cst.Tuple) else [given]
    return {e.attr.value for e in named if type(e) is cst.Attribute}


def _differentiates_field(text: str, field: str) -> bool:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    grad_names = _grad_names(tree)
    for node in ast.walk(tree):
        if type(node) is not ast.Call or _dotted(node.func) not in grad_names:
            continue
        given = next((k.value for k in node.keywords if k.arg == "inputs"), None)
        if given is None and len(node.args) > 1:
            given = node.args[1]
        if given is None:
            continue
        named: Iterable = given.elts if type(given) in (ast.List, ast.Tuple) else [given]
        if any(type(e) is ast.Attribute and e.attr == field for e in named):
            return True
    return False


def _grad_names(tree) -> set:
    """The dotted names ``torch.autograd.grad`` goes by in the file."""
    names = {"torch.autograd.grad"}
    for node in tree.body:
        if type(node) is ast.Import:
            names.update(f"{a.asname}.grad" for a in node.names if a.name == "torch.autograd" and a.asname)
        elif type(node) is ast.ImportFrom and node.module == "torch":
            names.update(f"{a.asname or a.name}.grad" for a in node.names if a.name == "autograd")
        elif type(node) is ast.ImportFrom and node.module == "torch.autograd":
            names.update(a.asname or a.name for a in node.names if a.name == "grad")
    return names


def _dotted(node) -> str:
    parts = []
    while type(node) is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is not ast.Name:
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))
