"""Where nodes are in the source: libcst's ``PositionProvider`` ranges, at a fraction of its cost.

libcst's provider regenerates the code and tracks a line and a column through every
token, with a ``CodePosition`` for each node. Here the same code generation only
counts characters; the few nodes a finding is reported on are turned into lines and
columns afterwards, from the line starts of the generated text. The ranges are the
provider's: the same syntactic start and end (``record_syntactic_position``, with
hoisted start and end nodes), and the same handling of a file without a final newline
(libcst generates one and drops it, and the provider counts it).

The code is generated on demand, one statement of the module at a time: a node's offsets
depend only on the code generated before and inside it, so a finding in the first half of a
file costs the code generation of that half (a module's statements are all generated only for
a node that is in none of them).
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
        #: every token added, in order, the dropped trailing newline included: the text the
        #: provider counts lines and columns in
        self.counted: List[str] = []
        self._starts: List[int] = []

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.counted.append(value)
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        # the offset stays: the provider's line and column do not move back either (the
        # dropped newline stays in ``counted``)
        if self.tokens:
            self.tokens.pop()

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
        self._module = module
        self._state = _OffsetState(module)
        self._ranges = self._state.ranges
        #: the module's statements not generated yet, last first
        self._left = list(reversed(module.body))
        self._started = self._done = False
        #: where each line of the generated code starts, and how many tokens were scanned for them
        self._line_starts = [0]
        self._scanned = 0
        self._length = 0
        self._last = ""

    def get(self, node: cst.CSTNode) -> Optional[CodeRange]:
        offsets = self._ranges.get(node)
        while offsets is None and self._generate_more():
            offsets = self._ranges.get(node)
        if offsets is None:
            return None
        # a line start at the end of the code may still move (``\r`` then ``\n``): the code
        # after the node's end is generated first
        while offsets[1] >= self._length and self._generate_more():
            pass
        return CodeRange(self._position(offsets[0]), self._position(offsets[1]))

    def offsets(self, node: cst.CSTNode, generate: bool = True) -> Optional[Tuple[int, int]]:
        """The node's (start, end) offsets in the generated code, generating the module's
        statements up to it (only those generated so far with ``generate=False``), or None."""
        found = self._ranges.get(node)
        while found is None and generate and self._generate_more():
            found = self._ranges.get(node)
        return found

    def _generate_more(self) -> bool:
        """Generate the next statement of the module (the header before the first, the footer and
        the end after the last), as ``Module._codegen`` does; False when all was generated."""
        if self._done:
            return False
        state, module = self._state, self._module
        if not self._started:
            self._started = True
            state.before_codegen(module)
            for header in module.header:
                header._codegen(state)
        elif self._left:
            self._left.pop()._codegen(state)
        else:
            for footer in module.footer:
                footer._codegen(state)
            if module.has_trailing_newline:
                if len(state.tokens) == 0:
                    state.add_token(state.default_newline)
            else:
                state.pop_trailing_newline()
            state.after_codegen(module)
            self._done = True
        self._scan()
        return True

    def _scan(self) -> None:
        """The line starts of the code generated since the last scan."""
        counted = self._state.counted
        if self._scanned == len(counted):
            return
        chunk = "".join(counted[self._scanned :])
        self._scanned = len(counted)
        base = self._length
        starts = self._line_starts
        if chunk.startswith("\n") and base and starts[-1] == base and self._last == "\r":
            starts[-1] = base + 1  # ``\r\n`` split between two statements: one line end
            skip = 1
        else:
            skip = 0
        starts.extend(base + match.end() for match in _NEWLINE.finditer(chunk, skip))
        self._last = chunk[-1]
        self._length = base + len(chunk)

    def _position(self, offset: int) -> CodePosition:
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return CodePosition(line + 1, offset - self._line_starts[line])
