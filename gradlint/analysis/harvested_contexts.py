"""Calls into the linted file seen while another file of the project is analysed.

When gradlint lints ``trainer.py`` it walks the files that call into it (``callers``); each call
those walks make into a function of ``trainer.py`` is a calling context for that function's
reporting walk there, as a call inside ``trainer.py`` itself would be.
"""

from __future__ import annotations

import libcst as cst

from .imports import origin
from .subclass_receivers import overrides_from_elsewhere
from .summaries import Context, constructed_objects


class HarvestedContexts:
    def _harvest_context(self, function: cst.FunctionDef, context: Context) -> None:
        """A call into the linted file, seen while analysing one of its callers (see ``callers``)."""
        where = origin(function)
        if where is None or where[0] != self.harvest_target:
            return
        # the receiver is this file's object; the linted file's walk uses its own class, given the
        # objects the caller's constructor call set on it (``OptimizerCallback(AmpEngine(), model,
        # opt)``: ``self.engine`` holds a scaler the linted file's walk could not know)
        fields = constructed_objects(context.receiver, context.fields)
        receiver = context.receiver if overrides_from_elsewhere(context.receiver, function) else None
        dropped = context.receiver if receiver is None else None  # its mode (``net.eval()``) still holds
        training = dropped.training if dropped is not None and dropped.kind == "module" else None
        context = Context(context.params, context.mode, receiver, fields, context.frozen, receiver_training=training)
        known = self.harvest.setdefault(where[1], [])
        if all(c.key() != context.key() for c in known):
            known.append(context)
