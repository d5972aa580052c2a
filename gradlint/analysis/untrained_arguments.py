"""What a project function trains, of the models its caller froze whole (GRD407 across functions).

``main()`` freezes every parameter of ``model`` and calls ``train(model, data)``, whose loop
backpropagates ``mse_loss(model(x), y)``: walked in the caller's context, the callee knows the loss
requires no grad (its only module has none), and the backward raises. The caller's rule reports
the freeze, the line to change, once it knows the call does that. So a function being summarised
notes each backward() of a loss known to require no grad computed only through its parameters, and
each step of an optimizer over a parameter's module known to have no trainable parameter left
(``Summary.untrained``, in its parameters' names); a call puts them in the caller's names
(``untrained_calls``), and into the caller's own summary when its parameters are the ones given
(``main -> fit -> train_step``). A callee that unfreezes a part, or places a new head on the model,
knows its loss requires grad (or may): nothing is noted.
"""

from __future__ import annotations

from typing import Optional

from .arguments import parameters, rename_path
from .values import Value

BACKWARD = "backward"
STEP = "step"


class UntrainedArguments:
    """Notes of the function being summarised (a mixin of the analyzer)."""

    #: while a function is summarised: (kind, paths in its names) of what trained nothing
    _untrained: Optional[list] = None

    def _note_untrained_backward(self, receiver_node) -> None:
        if self._untrained is None:
            return
        value = self.value(receiver_node)
        if value.kind == "tensor" and value.grad is False and not value.struct and value.through:
            self._note_untrained(BACKWARD, value.through)

    def _note_untrained_step(self, optimizer: Value) -> None:
        owner = optimizer.owner
        if self._untrained is None or optimizer.kind != "optimizer" or owner is None or optimizer.owners:
            return
        module = self.lookup(owner)
        if module is not None and module.kind == "module" and module.params is False:
            self._note_untrained(STEP, (owner,))

    def _note_untrained(self, kind: str, paths) -> None:
        """Kept when every path is below a parameter of the function (not ``self``: the caller's
        object is not renamed here)."""
        if self.function is None:
            return
        names = {param.name.value for param in parameters(self.function)} - {"self"}
        if all(path.split(".", 1)[0] in names for path in paths):
            entry = (kind, tuple(sorted(paths)))
            if entry not in self._untrained:
                self._untrained.append(entry)

    def _replay_untrained(self, untrained: tuple, call, renames: dict) -> None:
        """The callee's notes, in this scope's names, for the paths the call gave it."""
        found = []
        for kind, paths in untrained:
            if all(renames.get(path.split(".", 1)[0]) not in (None, "self") for path in paths):
                found.append((kind, tuple(rename_path(renames, path) for path in paths)))
        if not found:
            return
        if self.reporting:
            self.untrained_calls[id(call)] = found
        if self._untrained is not None:
            for kind, paths in found:
                self._note_untrained(kind, paths)
