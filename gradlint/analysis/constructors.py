"""Calls of the project's own classes: ``Trainer(model, optimizer)``, ``Net(cfg)``.

The constructor is walked silently with its arguments (as a function's call is, see ``calls``), and
the instance it makes has the fields ``__init__`` set from them: a model handed to a trainer, a
frozen backbone, a module holding parameters. One instance per (class, arguments, grad mode), so
that its methods' contexts match from one call to the next.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from .arguments import bind_arguments, stores_literal_defaults
from .calls import MAX_INLINE_WALKS
from .constructor_freezes import left_frozen, mentions_requires_grad, settled_freezes
from .frozen_fields import frozen_fields_only
from .handed_optimizers import owners_as_fields
from .imports import out_of_time
from .summaries import Context, says_nothing
from .values import ClassInfo, Value, instance_fields
from .value_paths import without_paths


class Constructors:
    """Interprets calls of the classes the project defines."""

    def _instantiate(self, cls: ClassInfo, call: cst.Call, args) -> Value:
        """``Trainer(model, optimizer)``: an instance whose fields ``__init__`` set from these arguments."""
        receiver = Value(kind="module", params=cls.params, cls=cls) if cls.is_module else Value(kind="instance", cls=cls)
        init = cls.methods.get("__init__")
        # a constructor that sets requires_grad is walked with its defaults too (`Extractor()` freezing itself),
        # and one that stores a literal default in a field (`TripletLoss()`: `self.margin = margin`, 1.0)
        freezing = init is not None and cls.is_module and mentions_requires_grad(init)
        if init is None or not (args or freezing or stores_literal_defaults(init)):
            return receiver
        params = bind_arguments(init, call, args, bound_self=True)
        if params is None or not freezing and all(value.kind == "unknown" for value in params.values()):
            return receiver
        params = owners_as_fields(params, call, init)
        if self.reporting and self._recording_contexts and cls.namespace is None:
            # `PFATrainer(UNet())`: the constructor's reporting walk sees the model it is given,
            # as a function's sees its caller's arguments
            context = Context({name: without_paths(value) for name, value in params.items()}, self.state.mode, receiver)
            known = self.calls.contexts.setdefault(id(init), [])
            if not says_nothing(context, cls) and all(c.key() != context.key() for c in known):
                known.append(context)
        key = ("instance", id(cls)) + Context(params, self.state.mode, None).key()
        summary = self.calls.summaries.get(key)
        if summary is None:
            if id(init) in self.calls.active or self.calls.walks >= MAX_INLINE_WALKS or out_of_time():
                return receiver
            self.calls.walks += 1
            names = cls.namespace.env if cls.namespace is not None else None
            summary = self._summarise(init, Context(params, self.state.mode, receiver), names)
            summary.freezes = settled_freezes(init, summary.freezes)
            self.calls.summaries[key] = summary
        if summary.freezes and self.reporting:
            self._constructed[id(call)] = summary
        if summary.instance is None:
            attrs = instance_fields(cls, summary.fields)
            summary.instance = receiver
            if attrs != cls.attrs:
                instance = replace(cls, attrs=attrs)
                if instance.params is None and any(
                    v.is_grad_tensor or (v.kind == "module" and v.params) for v in attrs.values()
                ):
                    instance.params = True
                summary.instance = receiver.with_(cls=instance, params=instance.params if cls.is_module else None)
            if cls.is_module and left_frozen(summary.freezes):
                # frozen whole by its constructor: so it stays, returned or wrapped (see constructor_freezes)
                summary.instance = summary.instance.with_(params=False)
            elif cls.is_module and summary.instance.params is None and frozen_fields_only(
                cls.bases, list(cls.methods.values()), attrs, list(cls.methods.values())
            ):
                # every part this call's constructor made is frozen (`PNet()` picking a frozen network)
                summary.instance = summary.instance.with_(params=False)
        return summary.instance
