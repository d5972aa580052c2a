"""``copy.deepcopy`` of a frozen module: a copy as frozen as its original.

StyleGAN2-ADA's training loop builds ``G = construct_class_by_name(...).train().requires_grad_(False)``
(its phases unfreeze it only while they train) and keeps an exponential moving average
``G_ema = copy.deepcopy(G).eval()``: deepcopy copies each parameter with its ``requires_grad``, so
``G_ema``'s parameters never require grad, its outputs carry no graph (``.numpy()`` on them works) and
its EMA update ``p_ema.copy_(p.lerp(p_ema, beta))`` writes into tensors that require nothing. The call
was unknown to the walk, and ``.eval()`` on an unknown object gives a module taken to own trainable
parameters. Only the frozen fact is carried over: a copy of a trainable module stays unknown, as before
(a DQN's target network, ``copy.deepcopy(net)``, is not claimed to train).
"""

from __future__ import annotations

from typing import Optional

from .values import Value

_DEEP_COPIES = frozenset({"copy.deepcopy"})


def frozen_module_copy(qual: str, args) -> Optional[Value]:
    """The value of ``copy.deepcopy(m)`` when ``m`` is known to own no trainable parameter: a module,
    or an unresolved object frozen whole (``build(**kw).requires_grad_(False)``)."""
    if qual not in _DEEP_COPIES or len(args) != 1:
        return None
    value = args[0][1]
    if value.kind not in ("module", "unknown") or value.params is not False:
        return None
    return value.with_()
