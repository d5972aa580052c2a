"""The edit of a multi-line fix, computed from the one statement that holds the replaced node.

Rewriting and regenerating the whole module for each finding makes the JSON/SARIF edits of a
file quadratic in its size (a file of 500 functions, each with a `w += 1` on a leaf, ran out
of its minute of CPU). Code generation is compositional: a statement's code depends only on
the statement and on the indentation of the blocks around it, so the statement alone, fixed
and generated with that indentation, replaces exactly its own text. Whenever that cannot be
checked (the statement's code is not where the module puts it, the fix removes the
statement itself), the caller falls back to the whole module. A removed comment line (GRD100's
fix of a `# noqa` on a line of its own) is a change inside the statement around it.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

from .positions import Positions, _OffsetState


def fixed_text(module: cst.Module, text: str, fix, positions: Positions) -> Optional[Tuple[str, int, int]]:
    """``(new text, prefix, suffix)``: the text with ``fix`` applied, and how many of its first
    and last characters are known to be unchanged; None when the statement cannot be isolated."""
    target = positions.offsets(fix.old)
    if target is None or fix.new is None:
        return None
    found = _innermost_statement(module, target, positions)
    if found is None:
        return None
    statement, indents = found
    start = positions.offsets(statement)
    old = _OffsetState(module)
    old.indent_tokens = list(indents)
    statement._codegen(old)
    old_code = "".join(old.tokens)
    offset = start[0] - old.ranges[statement][0]
    if offset < 0 or text[offset : offset + len(old_code)] != old_code:
        return None
    from .fixer import _Replace  # the fixer's own node replacement

    try:
        new_statement = statement.visit(_Replace(fix.old, fix.new))
    except Exception:  # a fix the tree refuses: the whole module decides
        return None
    if not isinstance(new_statement, cst.CSTNode):  # the fix removes the statement itself
        return None
    new = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    new.indent_tokens = list(indents)
    new_statement._codegen(new)
    tail = offset + len(old_code)
    return text[:offset] + "".join(new.tokens) + text[tail:], offset, len(text) - tail


def _innermost_statement(module: cst.Module, target: Tuple[int, int], positions: Positions):
    """The innermost statement of a body around ``target`` and the indentation of its blocks."""
    indents: List[str] = []
    body = module.body
    while True:
        statement = next((s for s in body if _holds(positions.offsets(s, generate=False), target)), None)
        if statement is None:
            return None
        block = _block_within(statement, target, positions)
        if block is None:
            return statement, indents
        inner = next((s for s in block.body if _holds(positions.offsets(s, generate=False), target)), None)
        if inner is None:  # the target is the block's own header or footer: the statement holds it
            return statement, indents
        indents.append(module.default_indent if block.indent is None else block.indent)
        body = block.body


def _block_within(statement: cst.CSTNode, target: Tuple[int, int], positions: Positions):
    """The indented block inside ``statement`` (not inside a deeper statement) around ``target``."""
    stack = list(statement.children)
    while stack:
        node = stack.pop()
        if not _holds(positions.offsets(node, generate=False), target):
            continue
        if isinstance(node, cst.IndentedBlock):
            return node
        stack.extend(node.children)
    return None


def _holds(outer: Optional[Tuple[int, int]], inner: Tuple[int, int]) -> bool:
    return outer is not None and outer[0] <= inner[0] and inner[1] <= outer[1]
