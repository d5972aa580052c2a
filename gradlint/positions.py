"""Where nodes are in the source: libcst's ``PositionProvider`` ranges, at a fraction of its cost.

libcst's provider regenerates the code and tracks a line and a column through every
token, with a ``CodePosition`` for each node. Here the same code generation only
counts characters; the few nodes a finding is reported on are turned into lines and
columns afterwards, from the line starts of the generated text. The ranges are the
provider's: the same syntactic start and end (``record_syntactic_position``, with
hoisted start and end nodes), and the same handling of a file without a final newline
(libcst generates one and drops it, and the provider counts it).
"""

from __future__ import annotations

import bisect
import re
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Tuple

import libcst as cst
from libcst.metadata import CodePosition, CodeRange
from libcst._nodes.internal import CodegenState

_NEWLINE = re.compile(r"\r\n?|\n")


class _OffsetState(CodegenState):
    """Code generation that records each node's (start, end) offsets in the generated text."""

    def __init__(self, module: cst.Module):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        self.ranges: Dict[cst.CSTNode, Tuple[int, int]] = {}
        self.dropped = ""
        self._starts: List[int] = []

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        # the offset stays: the provider's line and column do not move back either
        if self.tokens:
            self.dropped = self.tokens.pop()

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._starts.pop()
        if node not in self.ranges:  # a syntactic range recorded inside wins
            self.ranges[node] = (start, self.offset)

    @contextmanager
    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None, end_node: Optional[cst.CSTNode] = None
    ) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.ranges[start_node][0]
            if end_node is not None:
                end = self.ranges[end_node][1]
            self.ranges[node] = (start, end)


class Positions:
    """``get(node)``: the node's ``CodeRange``, as ``PositionProvider`` gives it, or None."""

    def __init__(self, module: cst.Module):
        state = _OffsetState(module)
        module._codegen(state)
        self._ranges = state.ranges
        code = "".join(state.tokens) + state.dropped
        self._line_starts = [0] + [match.end() for match in _NEWLINE.finditer(code)]

    def get(self, node: cst.CSTNode) -> Optional[CodeRange]:
        offsets = self._ranges.get(node)
        if offsets is None:
            return None
        return CodeRange(self._position(offsets[0]), self._position(offsets[1]))

    def _position(self, offset: int) -> CodePosition:
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return CodePosition(line + 1, offset - self._line_starts[line])
