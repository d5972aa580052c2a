"""Dict keys set on some paths only.

``out = {"logits": logits}; if labels is not None: out["loss"] = self.loss_fn(logits, labels)``:
after the ``if`` the dict holds ``"loss"`` on one path and lacks it on the other. Iterating it, or
asking what it holds, cannot count on the key; but ``out["loss"]`` raises ``KeyError`` on the path
that lacks it, so where a subscript read returns, the dict came the way that set the key, and the
value read is the one set there (``Value.maybe``: the keys some path lacks, with their values).
``d.get("loss")`` returns ``None`` there instead, so only a subscript read uses them.
"""

from __future__ import annotations

from typing import Callable, Optional


def joined_dict(a, b, join: Callable, make: Callable):
    """The join of two dicts of known keys: the keys both hold, joined; the keys one of them lacks,
    as ``maybe`` keys with the value of the side(s) holding one. ``None`` when a side's keys are not
    known (an empty ``keys`` is no evidence that the dict is empty)."""
    if not (a.keys or a.maybe) or not (b.keys or b.maybe):
        return None
    held_a, held_b = _held(a), _held(b)
    common = tuple(k for k in a.keys if k in b.keys)
    items = tuple(join(a.items[a.keys.index(k)], b.items[b.keys.index(k)]) for k in common)
    maybe = []
    for key in list(held_a) + [k for k in held_b if k not in held_a]:
        if key in common:
            continue
        if key in held_a and key in held_b:
            maybe.append((key, join(held_a[key], held_b[key])))
        else:
            maybe.append((key, held_a.get(key) or held_b.get(key)))
    qual = a.qual if a.qual == b.qual else ""
    return make(kind="dict", qual=qual, keys=common, items=items, maybe=tuple(maybe))


def read_key(value, key: Optional[str]):
    """The value a subscript read ``d[key]`` returns, for a key only some paths set (else None)."""
    if key is None:
        return None
    return next((held for k, held in value.maybe if k == key), None)


def _held(value) -> dict:
    held = dict(value.maybe)
    held.update(zip(value.keys, value.items))
    return held
