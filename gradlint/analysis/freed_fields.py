"""Graphs freed through the fields of an object, across its methods.

A GAN trainer keeps its step's tensors on ``self``: ``forward()`` sets ``self.fake_B =
self.netG(self.real_A)``, ``backward_D()`` backpropagates the discriminator's loss on
``self.netD(self.fake_B)``, ``backward_G()`` then the generator's on ``self.netD(self.fake_B)``
again, and ``optimize_parameters()`` calls the three in turn. Without ``self.fake_B.detach()``
in ``backward_D()``, its backward() frees the generator's graph held by ``self.fake_B`` and
``backward_G()``'s backward() raises "Trying to backward through the graph a second time"
(checked with torch 2.13).

So a method's summary tells which of its object's fields hold a graph its backward() freed
when it returns (``Summary.freed_fields``), the caller marks them freed on the object it called
the method on, and a method called on an object with freed fields is walked with them freed
(``Context.freed_fields``), where GRD504 reports the backward() that needs them. A field bound
again is no longer freed: in the method itself by ``Bindings._set``, by a method it calls
(``self.forward()`` computing ``self.fake_B`` anew) in ``SummaryReplay._apply_field_stores``, which
tells a field assigned anew from a list only appended to (``field_stores.assigned_fields``).
"""

from __future__ import annotations

from typing import Optional

FIELD = "self."


def exported_fields(freed: frozenset) -> frozenset:
    """The fields (``"fake_B"``) of ``self`` among a function's freed paths, as it returns."""
    return frozenset(path[len(FIELD) :] for path in freed if path.startswith(FIELD) and path.count(".") == 1)


def receiver_freed_fields(freed: frozenset, receiver_path: Optional[str]) -> frozenset:
    """The fields of the object at ``receiver_path`` (``self``, ``trainer``) whose graphs the caller's
    walk knows freed: the callee's ``self.<field>`` holds them."""
    if not freed or not receiver_path:
        return frozenset()
    prefix = receiver_path + "."
    return frozenset(path[len(prefix) :] for path in freed if path.startswith(prefix) and "." not in path[len(prefix) :])


def as_fields(fields: frozenset, owner: str = "self") -> frozenset:
    """The paths of ``fields`` on ``owner``."""
    return frozenset(f"{owner}.{name}" for name in fields)
