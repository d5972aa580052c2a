"""Lightning's manual optimization: ``self.automatic_optimization = False``.

Lightning then leaves backward, steps and gradient clears to ``training_step``, which it calls
once per batch: the method is the body of a training loop (a step with no ``zero_grad()``
accumulates gradients over every batch). ``self.optimizers()`` gives what the class's
``configure_optimizers()`` returns: one optimizer, a list or tuple of them, or a pair of such a
list and a list of schedulers (Lightning wraps each in a LightningOptimizer, whose ``step()`` and
``zero_grad()`` are the optimizer's).
"""

from __future__ import annotations

from typing import Optional

from .values import UNKNOWN, ClassInfo, Value


def manual_optimization(cls: Optional[ClassInfo]) -> bool:
    """A LightningModule whose ``__init__`` sets ``self.automatic_optimization = False``."""
    if cls is None or not cls.lightning:
        return False
    flag = cls.attrs.get("automatic_optimization")
    return flag is not None and flag.kind == "number" and flag.mode is False


def optimizers_of(configured: Value) -> Value:
    """What ``self.optimizers()`` gives, from ``configure_optimizers()``'s value."""
    if configured.kind == "optimizer":
        return configured
    if configured.kind != "seq" or not configured.items:
        return UNKNOWN
    if all(item.kind == "optimizer" for item in configured.items):
        return configured
    first = configured.items[0]
    if len(configured.items) == 2 and first.kind == "seq" and first.items and all(item.kind == "optimizer" for item in first.items):
        # ([opt_g, opt_d], [sched_g, sched_d]): the optimizers, as a list (even of one)
        return first
    return UNKNOWN
