"""GRD100: a ``# noqa: GRDxxx`` that suppresses nothing (like Ruff's RUF100).

Not an analysis rule: it needs every other rule's reports, so the engine runs it after
them (:func:`unused_noqa`). A code is judged only when every rule it names ran on the
file; codes of other tools (``E501``) and bare ``# noqa`` are left alone.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Optional, Sequence, Set, Type

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..rule import Fix, Rule

#: the directive inside a comment, and its codes (the same syntax the engine honours)
_DIRECTIVE = re.compile(
    r"(?P<lead>\s*)#\s*noqa:\s?(?P<codes>[A-Z][0-9A-Z]*(?:(?:\s*,\s*|\s+)[A-Z][0-9A-Z]*)*)", re.IGNORECASE
)


class UnusedNoqa(Rule):
    code = "GRD100"
    name = "unused-noqa"
    severity = "info"
    summary = "a `# noqa: GRDxxx` comment that suppresses nothing"
    requires = (("noqa",),)
    #: nothing to prove under torch: the rule is about gradlint's own comments
    runtime_evidence = False


def unused_noqa(module: cst.Module, raw: Sequence[tuple], ran: Iterable[Type[Rule]]) -> List[tuple]:
    """(rule, comment, message, fix) for each noqa comment naming GRD codes that suppress nothing.

    ``raw`` holds the other rules' reports before suppression, ``ran`` the rules that ran
    on the file (or could not fire on it).
    """
    ran_codes = {rule.code for rule in ran}
    from . import ALL_RULES  # the catalog imports this module

    catalog = [rule.code for rule in ALL_RULES]
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    reported: dict = {}
    for rule, node, _, _ in raw:
        where = positions.get(node)
        if where is not None:
            reported.setdefault(where.start.line, set()).add(rule.code)
    rule = UnusedNoqa()
    reports = []
    for comment, owner in _noqa_comments(module):
        match = _DIRECTIVE.search(comment.value)
        where = positions.get(comment)
        if match is None or where is None:
            continue
        codes = [c for c in re.split(r"[\s,]+", match.group("codes")) if c]
        on_line = reported.get(where.start.line, set())
        unused = [c for c in codes if _judged(c.upper(), catalog, ran_codes) and not _suppresses(c.upper(), on_line)]
        if not unused:
            continue
        kept = [c for c in codes if c not in unused]
        message = (
            f"`{match.group(0).strip()}`: {', '.join(unused)} "
            f"{'suppresses' if len(unused) == 1 else 'suppress'} nothing on this line. Remove "
            f"{'it' if len(unused) == 1 else 'them'}, so the comment keeps meaning what it says."
        )
        reports.append((rule, comment, message, _fix(comment, owner, match, kept)))
    return reports


def _judged(code: str, catalog: List[str], ran: Set[str]) -> bool:
    named = [c for c in catalog if c.startswith(code)]
    return code.startswith("GRD") and code != UnusedNoqa.code and bool(named) and all(c in ran for c in named)


def _suppresses(code: str, reported: Set[str]) -> bool:
    return any(found.startswith(code) for found in reported)


class _Comments(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: List[tuple] = []

    def visit_TrailingWhitespace(self, node: cst.TrailingWhitespace) -> None:
        if node.comment is not None and "noqa" in node.comment.value.lower():
            self.found.append((node.comment, node))

    def visit_EmptyLine(self, node: cst.EmptyLine) -> None:
        if node.comment is not None and "noqa" in node.comment.value.lower():
            self.found.append((node.comment, node))


def _noqa_comments(module: cst.Module) -> List[tuple]:
    visitor = _Comments()
    module.visit(visitor)
    return visitor.found


def _fix(comment: cst.Comment, owner: cst.CSTNode, match, kept: List[str]) -> Optional[Fix]:
    """Keep the codes still in use; with none left, drop the directive (and an emptied comment)."""
    value = comment.value
    if kept:
        rest = value[: match.start("codes")] + ", ".join(kept) + value[match.end("codes") :]
    else:
        before, after = value[: match.start()].rstrip(), value[match.end() :].strip()
        if before.strip("# "):
            rest = before + ("  " + after if after else "")
        else:  # the directive opened the comment
            rest = after if not after or after.startswith("#") else "# " + after
    try:
        if rest:
            return Fix(owner, owner.with_changes(comment=cst.Comment(rest)))
        if isinstance(owner, cst.TrailingWhitespace):
            return Fix(owner, owner.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None))
        return Fix(owner, cst.RemovalSentinel.REMOVE)
    except cst.CSTValidationError:  # an odd comment: report it, offer no fix
        return None
