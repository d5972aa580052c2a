"""Whether a tree libcst parsed uses syntax of a Python newer than the one running gradlint.

gradlint asks CPython first (its errors are better placed, and it rejects what libcst lets
through, such as Python 2's ``except E, e:``). Text CPython rejects is still linted when
libcst's tree shows syntax of a newer Python, which this Python cannot judge:

- PEP 695 (3.12): ``type X = ...``, ``def f[T](x: T)``, ``class C[T]``: nodes of their own;
- PEP 701 (3.12): f-strings whose replacement fields hold the f-string's own quote, a
  backslash, a comment, or (in a one-line f-string) a line break. The tree has no node of
  its own for them, so the fields' source is read;
- PEP 750 (3.14): t-strings.

and nothing else stops it: with those parts set back to older syntax, CPython accepts the text.
"""

from __future__ import annotations

import ast
import sys
from typing import List

import libcst as cst

#: libcst nodes of syntax newer than the Python running gradlint may be, and that version.
_NEWER_NODES = {"TypeAlias": (3, 12), "TypeParameters": (3, 12), "TemplatedString": (3, 14)}

#: f-strings of any content, PEP 701's
_FREE_FSTRINGS = (3, 12)

#: what a replacement field could not hold before PEP 701 (besides the f-string's quote)
_OLD_FIELD_BANS = ("\\", "#")

_BARE = cst.Module(body=[])


def uses_newer_syntax(module: cst.Module) -> bool:
    """Whether ``module`` uses syntax of a Python newer than the one running gradlint, and only
    that makes this Python reject it: the text with each such part set back to older syntax
    compiles here (a Python 2 ``except E, e:`` beside a PEP 701 f-string is still an error)."""
    lowering = _Lowering()
    lowered = module.visit(lowering)
    if not lowering.changed:
        return False
    try:
        ast.parse(lowered.code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


class _Lowering(cst.CSTTransformer):
    """Sets each part of newer syntax back to syntax this Python reads: an f-string or t-string
    becomes ``""``, a type alias ``pass``, and type parameters go (only to check the rest)."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = False

    def _newer(self, name: str) -> bool:
        version = _NEWER_NODES[name] if name in _NEWER_NODES else _FREE_FSTRINGS
        newer = sys.version_info < version
        self.changed = self.changed or newer
        return newer

    def leave_FormattedString(self, original: cst.FormattedString, updated: cst.FormattedString) -> cst.BaseExpression:
        if _free_fstring(original) and self._newer("FormattedString"):
            return cst.SimpleString('""', lpar=updated.lpar, rpar=updated.rpar)
        return updated

    def leave_TemplatedString(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        if self._newer("TemplatedString"):
            return cst.SimpleString('""', lpar=getattr(updated, "lpar", ()), rpar=getattr(updated, "rpar", ()))
        return updated

    def leave_TypeAlias(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        return cst.Pass() if self._newer("TypeAlias") else updated

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        return self._untyped(updated)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        return self._untyped(updated)

    def _untyped(self, node):
        if node.type_parameters is not None and self._newer("TypeParameters"):
            return node.with_changes(type_parameters=None)
        return node


def _free_fstring(node: cst.FormattedString) -> bool:
    """Whether one of the f-string's replacement fields needs PEP 701 (nested f-strings are
    read as part of their enclosing field: their quotes are that field's text)."""
    quote = node.end
    for field in _fields(node.parts):
        text = "".join(
            _BARE.code_for_node(part)
            for part in (field.whitespace_before_expression, field.expression, field.whitespace_after_expression)
        )
        if quote in text or any(ban in text for ban in _OLD_FIELD_BANS):
            return True
        if len(quote) == 1 and ("\n" in text or "\r" in text):
            return True
    return False


def _fields(parts) -> List[cst.FormattedStringExpression]:
    """The replacement fields of an f-string's parts, those of format specs (``{x:>{width}}``) included."""
    found: List[cst.FormattedStringExpression] = []
    pending = list(parts)
    while pending:
        part = pending.pop()
        if isinstance(part, cst.FormattedStringExpression):
            found.append(part)
            pending.extend(part.format_spec or ())
    return found
