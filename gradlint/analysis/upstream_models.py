"""GRD405 for separate models: the one optimizer updates models whose inputs come from another
model that runs with gradients, feeds the backpropagated loss, and that nothing freezes.

Reverse distillation (RD4AD #33): ``encoder, bn = resnet18(pretrained=True)``, ``decoder =
de_resnet18()``, ``Adam(list(decoder.parameters()) + list(bn.parameters()))``; each step runs
``inputs = encoder(img)``, ``outputs = decoder(bn(inputs))`` and backpropagates a loss of both.
The encoder is only put in eval mode (for its batch-norm statistics), so every backward() computes
gradients for all its weights (``encoder.layer1[0].weight.grad`` is filled under torch 2.13),
which no optimizer uses. Only a model upstream of the trained ones (what they are trained on, a
backbone) is reported: a loss network downstream of them (a perceptual loss's VGG) is another
matter. A model whose forward runs under ``no_grad``, or whose output is detached before the
trained models see it, is not upstream of them here.
"""

from __future__ import annotations

from typing import Optional

from .syntax import within


def unfrozen_upstream(rule, owners: frozenset) -> Optional[str]:
    """The first model upstream of the optimizer's ``owners`` (fed into their calls with gradients)
    that runs with gradients, owns trainable parameters and that nothing may freeze, in a file that
    backpropagates and steps. When the file's losses are known (their ``through``), the model must
    be among the modules they went through; a loss a helper of another file sums from lists of
    features may carry none, and then the trained models' inputs say it."""
    if not owners or not rule._stepped or not rule._backprop_seen:
        return None
    if not all(owner in rule._trained_calls for owner in owners):
        return None
    upstream = set().union(*(rule._fed_from.get(owner, ()) for owner in owners))
    for model in sorted(upstream):
        if any(within(model, o) or within(o, model) for o in owners):
            continue
        if model not in rule._trained_calls or rule._trained_calls[model].params is not True:
            continue
        if rule._backprop_through and model not in rule._backprop_through:
            continue  # the loss is known, and went elsewhere
        if any(within(t, model) or within(model, t) for t in rule._touched):
            continue
        return model
    return None
