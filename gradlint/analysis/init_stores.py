"""Which stores a class's ``__init__`` walk records as that class's fields (``scopes._conditional_fields``
reads them: a field set on one path of ``__init__`` only).

A callee walked in the middle of ``__init__`` stores into its own ``self``: that is the class's object
only when the callee runs on it (``self._build()``, ``super().__init__()``). Another class's
constructor (``self.net = ResNet18(n)``, whose ``ResNet.__init__`` sets ``self.bn1`` and ``self.layer1``)
stores into the object it builds: taken for the class's own fields, those made a continual-learning
model that wraps a network in ``self.net`` look like it held parameters outside ``self.net``.
"""

from __future__ import annotations


def callee_stores(stores, receiver, own):
    """The record of stores a callee summarised during ``__init__`` writes to: ``stores`` when it runs
    on ``own`` (the caller's ``self``), else none."""
    if stores is None or receiver is None or own is None:
        return None
    if receiver is own or receiver.cls is not None and receiver.cls is own.cls:
        return stores
    return None
