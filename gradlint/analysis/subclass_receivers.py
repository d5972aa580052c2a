"""A receiver from a caller in another file that the linted walk must keep: an instance of a
subclass the caller's file defines (``class FSLTrainer(Trainer)`` with its own ``after_backward``
hook, called by the base's ``train_step`` between backward() and step()). See ``callers``."""

from __future__ import annotations

from .imports import origin


def overrides_from_elsewhere(receiver, function) -> bool:
    """``function`` (a method of the linted file) is inherited as is by the receiver's class, which
    has methods from elsewhere (the caller's own, or another file's): the walk must run those."""
    cls = getattr(receiver, "cls", None)
    if cls is None or receiver.kind not in ("instance", "module"):
        return False
    if cls.methods.get(function.name.value) is not function:
        return False  # the method is not inherited as is
    home = origin(function)
    return home is not None and any(
        origin(method) is None or origin(method)[0] != home[0] for method in cls.methods.values()
    )
