"""``--fix``: apply the rules' fixes, one at a time, keeping only those that verify."""

from __future__ import annotations

import ast
from collections import Counter
from typing import List, Sequence, Tuple, Type

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .engine import collect, is_suppressed, lint_text
from .rule import Rule

MAX_FIXES_PER_FILE = 200


class _Replace(cst.CSTTransformer):
    def __init__(self, old: cst.CSTNode, new: cst.CSTNode):
        super().__init__()
        self.old, self.new = old, new

    def on_leave(self, original_node, updated_node):
        return self.new if original_node is self.old else updated_node


def fix_text(text: str, path: str, rules: Sequence[Type[Rule]], unsafe: bool) -> Tuple[str, int]:
    """The source with every applicable fix applied, and how many were applied.

    A fix is kept only if the result parses and its rule then reports fewer
    findings while no other rule reports more: so a fix never makes the code
    worse for the linter, and running it twice changes nothing the second time.
    """
    applied = 0
    skipped = set()
    while applied < MAX_FIXES_PER_FILE:
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError:
            break
        candidates = _candidates(module, text, rules, unsafe)
        before = None
        progressed = False
        for key, code, fix in candidates:
            if key in skipped:
                continue
            new_text = module.visit(_Replace(fix.old, fix.new)).code
            if before is None:
                before = Counter(f.code for f in lint_text(text, path, rules))
            if _improves(new_text, path, rules, code, before):
                text = new_text
                applied += 1
                progressed = True
                break
            skipped.add(key)
        if not progressed:
            break
    return text, applied


def _candidates(module, text, rules, unsafe) -> List[tuple]:
    raw, _ = collect(module, rules)
    fixable = [(rule, node, fix) for rule, node, _, fix in raw if fix is not None and (fix.safe or unsafe)]
    if not fixable:
        return []
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    lines = text.splitlines()
    result = []
    for rule, node, fix in fixable:
        where = positions.get(node)
        if where is None:
            continue
        line = lines[where.start.line - 1] if where.start.line <= len(lines) else ""
        if is_suppressed(line, rule.code):
            continue
        # the key survives re-parsing: a fix that failed once is not tried again
        key = (rule.code, line.strip(), where.start.column)
        result.append((key, rule.code, fix))
    return result


def _improves(new_text: str, path: str, rules, code: str, before: Counter) -> bool:
    try:
        ast.parse(new_text)
        cst.parse_module(new_text)
    except (SyntaxError, ValueError, cst.ParserSyntaxError):
        return False
    after = Counter(f.code for f in lint_text(new_text, path, rules))
    if after[code] >= before[code]:
        return False
    return all(after[c] <= before[c] for c in after)
