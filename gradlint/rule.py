"""The rule base class and the finding record."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import ClassVar, Optional, Tuple

SEVERITIES = ("error", "warning", "info")


@functools.total_ordering
@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    code: str
    message: str
    end_line: int = 0
    end_column: int = 0
    name: str = ""
    severity: str = "error"
    #: "safe", "unsafe" or "" when the rule offers no fix here
    fix: str = ""
    #: in a notebook, the cell (counting every cell from 1) that ``line`` and ``column`` are in; else 0
    cell: int = 0
    #: the fix as text edits, ``(start line, start column, end line, end column, new text)``
    #: in the same coordinates as ``line``/``column`` (the end is exclusive)
    edits: Tuple[Tuple[int, int, int, int, str], ...] = ()

    def _order(self) -> tuple:
        return (self.path, self.cell, self.line, self.column, self.code, self.message, self.end_line, self.end_column)

    def __lt__(self, other: "Finding") -> bool:
        return self._order() < other._order()

    @property
    def location(self) -> str:
        """The file as text output names it: ``train.ipynb:cell 4`` for a notebook cell."""
        return f"{self.path}:cell {self.cell}" if self.cell else self.path

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "cell": self.cell or None,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "severity": self.severity,
            "fix": self.fix_dict(),
        }

    def fix_dict(self) -> Optional[dict]:
        """The fix as JSON reports it: how safe it is, and the edits that apply it."""
        if not self.fix:
            return None
        return {
            "applicability": self.fix,
            "edits": [
                {
                    "start": {"line": start_line, "column": start_column},
                    "end": {"line": end_line, "column": end_column},
                    "content": content,
                }
                for start_line, start_column, end_line, end_column, content in self.edits
            ],
        }


class Rule:
    """One pitfall. A fresh instance lints each file.

    Subclasses set the class attributes and implement some of the analysis hooks
    (``on_call``, ``on_assign``, ``on_augassign``, ``on_attribute``, ``on_comparison``,
    ``on_expr_stmt``, ``on_freeze``, ``on_backward``, ``on_autograd_grad``, ``on_return``, ``on_scope_end``,
    ``on_file_end``); each receives the node and the analysis (``ctx``), and reports
    with ``self.report(ctx, node, message)``.
    """

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    severity: ClassVar[str] = "error"
    summary: ClassVar[str] = ""
    #: Substrings a file must contain for the rule to possibly fire there: every
    #: group needs one of its strings. Checked before parsing, so it must be sound.
    requires: ClassVar[Tuple[Tuple[str, ...], ...]] = ()
    #: whether ``gradlint verify`` proves the rule by running its fixtures under torch
    #: (a rule about gradlint's own comments has no torch behaviour to prove)
    runtime_evidence: ClassVar[bool] = True
    #: whether the rule predicts a RuntimeError at the very node it reports (a backward() on a cut
    #: value): silent where a test runs that node to see it raise (``analysis.expected_errors``)
    raises_where_reported: ClassVar[bool] = False

    @classmethod
    def default_enabled(cls) -> bool:
        return cls.severity != "info"

    @classmethod
    def may_fire(cls, text: str) -> bool:
        """Whether the rule could fire on ``text``. An override must stay a test of whether
        the text holds something: true on several texts joined by newlines exactly when true
        on one of them (the result cache relies on it, see ``analysis.project``)."""
        return all(any(s in text for s in group) for group in cls.requires)

    def report(self, ctx, node, message: str, fix: "Fix" = None) -> None:
        if self.raises_where_reported:
            from .analysis.expected_errors import expected_to_raise

            if expected_to_raise(ctx, node):
                return
        ctx.report(self, node, message, fix)


@dataclass(frozen=True)
class Fix:
    """Replace ``old`` (a node of the linted tree) by ``new``; unsafe fixes may change behaviour."""

    old: object
    new: object
    safe: bool = True


_EMPTY_MODULE = None


def source(node, limit: int = 60) -> str:
    """The source text of a node, shortened for a message."""
    global _EMPTY_MODULE
    import libcst as cst

    if _EMPTY_MODULE is None:
        _EMPTY_MODULE = cst.Module(body=[])
    text = " ".join(_EMPTY_MODULE.code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def header(node, limit: int = 60) -> str:
    """A statement's source for a message: a loop by its ``for`` line, anything else whole."""
    import libcst as cst

    if isinstance(node, cst.For):
        return f"for {source(node.target, limit)} in {source(node.iter, limit)}"
    return source(node, limit)
