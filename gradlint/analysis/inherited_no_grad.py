"""Methods that override a base class's method which the base's own module calls under no_grad.

llmcompressor's ``LinearExperts2D.from_experts_module`` (``@torch.no_grad()``, in
linear_experts.py) calls ``expert.copy_from_experts_module(experts, index)`` on each expert, whose
class is any subclass of ``ExpertMLP``: gpt_oss.py's ``GptOssExpertMLP(ExpertMLPWithGate)``
overrides that method with ``self.gate_proj.weight.copy_(...)``. The file defining the subclass
imports the base's module, not the other way round, so the importers' scan
(``Project.no_grad_methods``) does not see that call: a method of this file whose name the module
of one of its classes' bases calls (on any object) under no_grad may run without gradients.

The base's module is one the file imports directly, whose text is part of the file's result-cache
key already (``module_digests.dependencies``).
"""

from __future__ import annotations

import re
from typing import FrozenSet

import libcst as cst

from .project import _no_grad_calls, _read, defined_methods, imported_modules


def inherited_no_grad_methods(project, path: str, text: str, module: cst.Module) -> FrozenSet[str]:
    names = defined_methods(text)
    if not names:
        return frozenset()
    bases = set()
    for node in module.body:
        if type(node) is cst.ClassDef:
            for arg in node.bases:
                base = arg.value
                if type(base) is cst.Attribute:
                    base = base.attr
                if type(base) is cst.Name:
                    bases.add(base.value)
    if not bases:
        return frozenset()
    named = re.compile(rb"[ \t]+(?:" + b"|".join(re.escape(b.encode()) for b in sorted(bases)) + rb")\b")
    found: set = set()
    for imported in imported_modules(project, path, text):
        data = _read(imported) or b""
        if defines_class(data, named):
            found.update(name[1:] for name in _no_grad_calls(imported, project.package) if name[0] == ".")
    return frozenset(found) & names


def defines_class(data: bytes, named: "re.Pattern[bytes]") -> bool:
    """Whether a line of ``data`` is ``class`` after nothing but spaces and tabs, then what ``named``
    matches: ``re.search(rb"^[ \t]*class" + named.pattern, data, re.M)``, found from each ``class``
    in the text instead of trying the line start at every position of it (the imported modules'
    texts, for every linted file)."""
    start = 0
    while True:
        at = data.find(b"class", start)
        if at < 0:
            return False
        line = data.rfind(b"\n", 0, at) + 1
        if not data[line:at].strip(b" \t") and named.match(data, at + 5):
            return True
        start = at + 1
