"""Loop records a look-up leaves as they were.

A rule asking for the value of an expression the walk did not value (``ctx.value(call.func)`` for
``self.model(x).argmax``) evaluates it again, with the rules' hooks off. That evaluation runs what
the expression holds (the forward) in the state of the moment of asking, which is not the state
where the expression stands (after a ``with torch.no_grad():`` block, at a loop's end), and it
appended what it ran to the open loops' records: a look-up added a grad-mode forward to the
enclosing loop, and GRD505 reported it. The walk's records must say only what the walk did."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import fields
from typing import Iterator, List

from .state import LoopRecord

#: the record's fields a walk grows: lists it only appends to (kept as their lengths), sets and
#: dicts (kept as copies)
_LISTS = tuple(f.name for f in fields(LoopRecord) if f.name in {
    "backwards", "steps", "clears", "forwards", "local_calls", "stores", "repeated_steps",
    "conditional_repeats", "mode_switches", "inner_forwards", "inner_steps", "inner_backwards", "passes",
    "foreign_forwards", "helper_forwards",
})
_COPIED = ("bound", "switch_calls", "forward_calls", "update_calls", "inner_restores", "made_forwards")


def _contents(record: LoopRecord) -> tuple:
    return [len(getattr(record, name)) for name in _LISTS], [getattr(record, name).copy() for name in _COPIED]


def _restore(record: LoopRecord, contents: tuple) -> None:
    lengths, copies = contents
    # in place: others hold these containers (a summary's collector, a caller's record)
    for name, length in zip(_LISTS, lengths):
        del getattr(record, name)[length:]
    for name, kept in zip(_COPIED, copies):
        now = getattr(record, name)
        if now != kept:
            now.clear()
            now.update(kept)


@contextmanager
def records_kept(loops: List[LoopRecord]) -> Iterator[None]:
    """Whatever runs inside leaves the open loops' records (and their summaries' collectors) as
    they were."""
    if not loops:
        yield
        return
    records = [r for record in loops for r in (record, record.nested) if r is not None]
    saved = [(record, _contents(record)) for record in records]
    try:
        yield
    finally:
        for record, contents in saved:
            _restore(record, contents)
