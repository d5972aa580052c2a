"""Arguments of a callable the file's own ``backward()`` proved to be a loss (``output_fields``).

``loss = self.loss(output, y)`` then ``loss.backward()`` makes ``self.loss`` a loss function by the
file's own evidence: called on a grad tensor, it returns one. A known loss (``nn.CrossEntropyLoss``)
given an element of a model's output (``Value.output_part``: ``out, aux = model(x)``,
``result["output"]``) is given the part that carries the graph (``module_semantics._loss_input``);
so is a proven one. ``train_loss = self.loss(output, y)`` on the same kind of argument, in a branch
that sums it into a history, is then a grad tensor.
"""

from __future__ import annotations

from typing import Callable, Optional

from .values import Value


def proven_loss_arguments(args, prove: Callable) -> Optional[list]:
    """``args`` as the proven loss sees them, or None when nothing in them carries a graph. ``prove``
    makes the output part it takes as its input a grad tensor (``ModuleSemantics._loss_input_proven``)."""
    if any(value.is_grad_tensor or value.kind == "tensor" and value.grad and value.struct for _, value in args):
        return list(args)
    if not args:
        return None
    first, value = args[0]
    if value.kind != "tensor" or not value.output_part or value.grad is False:
        return None
    return [(first, prove(first, value))] + list(args[1:])


def trained_model(receiver: Value) -> bool:
    """A model whose parameters train (a module, its class unknown or its method unread, with
    parameters not frozen): a method of it that the file backpropagates the result of when training
    (``loss = model.compute_loss(batch); loss.backward()``) returns a graph built from them."""
    return receiver.kind == "module" and receiver.params is True
