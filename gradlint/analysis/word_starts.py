"""Searches for a pattern that must start at a word boundary, without a ``\\b`` at its head.

``re`` searches a pattern led by a literal by skipping to that literal's occurrences; a pattern
led by ``\\b`` is tried at every position of the text instead, about 30 times slower on a model
file where nothing matches. These are text pre-checks run on every file, whole.
"""

from __future__ import annotations

import re
from typing import Optional

_WORD_CHARACTER = re.compile(r"\w")


def found_at_word_start(pattern: "re.Pattern", text: str, start: int = 0, end: Optional[int] = None) -> bool:
    """Whether ``re.compile(r"\\b" + pattern.pattern)`` (for a ``pattern`` whose every match starts with
    a word character) finds a match in ``text[start:end]``, with ``search``'s ``pos`` and ``endpos``:
    a match starts where the character before it, in the whole text, is no word character."""
    end = len(text) if end is None else end
    while True:
        match = pattern.search(text, start, end)
        if match is None:
            return False
        at = match.start()
        if at == 0 or not _WORD_CHARACTER.match(text, at - 1):
            return True
        start = at + 1  # the leftmost match starts inside a word: one may start later
