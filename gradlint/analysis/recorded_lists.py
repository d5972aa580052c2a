"""Local lists a function only fills and keeps in a field nobody asks for leaf-ness: asked by GRD302.

A feature-attribution pass seeds its scores with ``score = torch.ones(n).requires_grad_(True).to(device)``,
propagates them by arithmetic and records each layer's scores for plotting: ``scores.append(score)``,
then ``self.node_scores = list(reversed(scores))``. The ``.to`` makes a non-leaf, but the leaf-ness of
what the list holds matters only to code reading an element's ``.grad`` (or ``is_leaf``,
``retain_grad()``) or handing the field to an optimizer: when neither the file nor a file constructing
the class does so, appending the name to the list does not observe its leaf-ness either.
"""

from __future__ import annotations

import re
from typing import List

import libcst as cst

from .syntax import dotted, walk

#: calls that give a list's elements again, in the same or another order
_SAME_ELEMENTS = frozenset({"list", "reversed", "tuple"})
#: what a line naming the field must not mention: a use that needs a leaf
_LEAF_WORDS = re.compile(r"grad|is_leaf|optim|[Pp]aram")


def recorded_only(list_name: str, ctx) -> bool:
    """Whether the function's every mention of the local ``list_name`` builds it empty, appends to it or
    stores it (or ``list``/``reversed``/``tuple`` of it) in a field of ``self`` whose elements no file
    of the class observes as leaves (``_field_unobserved``)."""
    if ctx.function is None or ctx.current_class is None:
        return False
    allowed, fields = set(), set()
    mentions = []
    for node in walk(ctx.function.body):
        node_type = type(node)
        if node_type is cst.Name and node.value == list_name:
            mentions.append(node)
        elif node_type is cst.Attribute:
            allowed.add(id(node.attr))  # `self.scores`: a field of that name, not the local
        elif node_type is cst.Assign and len(node.targets) == 1:
            target = node.targets[0].target
            if type(target) is cst.Name and target.value == list_name:
                if type(node.value) is cst.List and not node.value.elements:
                    allowed.add(id(target))
                continue
            stored = _stored_list(node.value)
            if stored is not None and stored.value == list_name:
                if type(target) is not cst.Attribute or dotted(target.value) != "self":
                    return False
                allowed.add(id(stored))
                fields.add(target.attr.value)
        elif node_type is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value == "append":
            receiver = node.func.value
            if type(receiver) is cst.Name and receiver.value == list_name:
                allowed.add(id(receiver))
        elif node_type in (cst.Global, cst.Nonlocal, cst.Lambda, cst.FunctionDef):
            if any(type(n) is cst.Name and n.value == list_name for n in walk(node)):
                return False
    if not fields or any(id(node) not in allowed for node in mentions):
        return False
    return all(_field_unobserved(field, ctx) for field in fields)


def _stored_list(value):
    """The name ``value`` gives the elements of: ``scores``, ``list(reversed(scores))``, ``tuple(scores)``."""
    while type(value) is cst.Call and type(value.func) is cst.Name and value.func.value in _SAME_ELEMENTS:
        if len(value.args) != 1 or value.args[0].keyword is not None or value.args[0].star:
            return None
        value = value.args[0].value
    return value if type(value) is cst.Name else None


def _field_unobserved(field: str, ctx) -> bool:
    """No line naming ``.field`` in the file or a file constructing the class mentions a gradient, a
    leaf or an optimizer, and no name bound on such a line (``for s in self.field``) has its ``.grad``
    (``is_leaf``, ``retain_grad``) read."""
    from .callers import files_calling, read_text

    texts: List[str] = [ctx.source or ""]
    if ctx.path:
        texts += [read_text(caller) for caller in files_calling(ctx.path, [ctx.current_class.name])]
    naming = re.compile(r"\.%s\b" % re.escape(field))
    bound = re.compile(r"(?:\bfor\s+([\w\s,()]+?)\s+in\b|^\s*([\w\s,()]+?)\s*=(?!=))")
    for text in texts:
        for line in text.splitlines():
            if not naming.search(line):
                continue
            if _LEAF_WORDS.search(naming.sub("", line)):
                return False
            for match in bound.finditer(line):
                for name in re.findall(r"\w+", match.group(1) or match.group(2)):
                    if re.search(r"\b%s\.(?:grad\b|is_leaf\b|retain_grad\()" % re.escape(name), text):
                        return False
    return True
