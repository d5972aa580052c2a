"""Where in a block of statements each plain name is bound, and assigned alone: found once per block.

The proofs of a binding (``evidence``) look at the statements that run after it until its name is bound
again. Scanning them for each binding of a block is quadratic in the block's length (a generated loop
body of 3000 assignments took minutes); with this index each binding looks only at the statements that
matter to it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Dict, Iterable, List, Tuple

import libcst as cst

from .syntax import per_node
from .usage_scans import bound_names

class _Index:
    __slots__ = ("smalls", "first_of", "binders", "assigned")

    def __init__(self, statements) -> None:
        #: the block's small statements in the order they run (a compound statement counts as one):
        #: (position of its statement, the small statement)
        self.smalls: List[Tuple[int, cst.CSTNode]] = []
        #: position of a statement -> number of its first small statement
        self.first_of: List[int] = []
        #: name -> numbers of the small statements that bind it (``usage_scans.binds``), ascending
        self.binders: Dict[str, List[int]] = {}
        #: name -> numbers of the statements ``name = value`` (one target, a plain name), ascending
        self.assigned: Dict[str, List[int]] = {}
        for position, stmt in enumerate(statements):
            self.first_of.append(len(self.smalls))
            for small in stmt.body if type(stmt) is cst.SimpleStatementLine else (stmt,):
                number = len(self.smalls)
                self.smalls.append((position, small))
                for name in bound_names(small):  # (``binds``: an expression statement of a dotted name binds none)
                    self.binders.setdefault(name, []).append(number)
                if type(small) is cst.Assign and len(small.targets) == 1 and type(small.targets[0].target) is cst.Name:
                    self.assigned.setdefault(small.targets[0].target.value, []).append(number)
        self.first_of.append(len(self.smalls))


@per_node  # (by the block's identity: a block is asked about once per binding in it)
def _index(statements) -> _Index:
    return _Index(statements)


def assignments_until_rebound(statements, index: int, name: str, targets: Iterable[str]) -> Tuple[list, bool]:
    """The small statements ``target = value`` (one plain-name target among ``targets``) after statement
    ``index`` of ``statements``, in the order they run, up to the first small statement that binds
    ``name`` (included: it is asked about before it rebinds), and whether there is one: ([(position of its
    statement, small statement)], rebound). The same as looking at each small statement in turn."""
    block = _index(statements)
    start = block.first_of[index + 1]
    rebinding = block.binders.get(name, ())
    at = bisect_left(rebinding, start)
    stop = rebinding[at] if at < len(rebinding) else len(block.smalls)
    numbers = sorted(
        number
        for target in set(targets)
        if target != name
        for number in _between(block.assigned.get(target, ()), start, stop)
    )
    return [block.smalls[number] for number in numbers], stop < len(block.smalls)


def _between(numbers, start: int, stop: int):
    return numbers[bisect_left(numbers, start) : bisect_right(numbers, stop)]


def value_bound_before(statements, index: int, name: str):
    """The value of ``name = value`` when that is the last small statement of the block binding ``name``
    before statement ``index``; None when the last binding is another kind (a loop, a tuple target, a
    compound statement binding it inside) or the block binds ``name`` nowhere before it."""
    block = _index(statements)
    binders = block.binders.get(name, ())
    at = bisect_left(binders, block.first_of[index])
    if at == 0:
        return None
    number = binders[at - 1]
    assigned = block.assigned.get(name, ())
    found = bisect_left(assigned, number)
    if found == len(assigned) or assigned[found] != number:
        return None
    return block.smalls[number][1].value
