"""Searches for a pattern anchored at a word start or a line start, without the anchor at its head.

``re`` searches a pattern led by a literal by skipping to that literal's occurrences; a pattern
led by ``\\b`` or by a multiline ``^`` is tried at every position of the text instead: about 30
times slower for ``\\b`` on a model file where nothing matches, 2 to 4 times for ``^``. These are
text scans run on every file, whole.
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


def found_at_line_starts(at_text_start: "re.Pattern", after_newline: "re.Pattern", text):
    """``findall`` of a multiline pattern ``^P`` (of a str or bytes text), given ``P`` (``at_text_start``)
    and ``\\nP`` (``after_newline``): ``^`` matches at the text's start and after each ``\\n``, and a
    match that starts at its ``\\n`` ends where ``^P``'s ends. Every match of ``P`` must end with a
    character that is not ``\\n`` (then the next match cannot start at the previous one's end)."""
    first = at_text_start.match(text)
    if first is None:
        return after_newline.findall(text)
    if at_text_start.groups == 0:
        found = first.group()
    elif at_text_start.groups == 1:
        found = first.group(1) or text[:0]
    else:
        found = first.groups(text[:0])  # as findall gives a group that did not take part: empty
    return [found] + after_newline.findall(text, first.end())


_WORD = re.compile(r"\w+")


def whole_word_count(text: str, word: str, most: Optional[int] = None) -> int:
    """How many of the maximal runs of word characters of ``text`` are ``word`` (0 for a ``word`` that is
    not one such run), or ``most`` once that many are found: a search for each of a file's imported
    names, stopped early, reads less than splitting the whole text into words (and counting them all)."""
    if not _WORD.fullmatch(word):
        return 0
    count, start, size = 0, 0, len(text)
    while most is None or count < most:
        at = text.find(word, start)
        if at < 0:
            break
        after = at + len(word)
        if (at == 0 or not _WORD_CHARACTER.match(text, at - 1)) and (after == size or not _WORD_CHARACTER.match(text, after)):
            count += 1
            start = after  # (one starting inside this word is not whole)
        else:
            start = at + 1
    return count
