"""``model.eval()`` / ``model.train()`` switch every submodule of ``model`` too.

``nn.Module.eval()`` sets ``training`` on the module and, recursively, on its children. After
``model.eval()``, ``model.encoder(x)`` and ``model.decoder(h)`` run in eval mode although no
``eval()`` named them: a generation script that steps a language model's layers one by one
(``h = model.lstm1(emb[:, t])``, ``logits = model.decoder(h)``) evaluates it as ``model(x)`` would.
A submodule switched by its own name after its parent keeps that later mode.
"""

from typing import Dict

from .values import Value


def in_parent_mode(field: Value, parent: Value) -> Value:
    """A submodule read from ``parent``'s class fields: in the mode ``parent`` was last switched to."""
    if field.kind == "module" and field.training is None and parent.training is not None:
        return field.with_(training=parent.training)
    return field


def switch_submodules(env: Dict[str, Value], path: str, training) -> None:
    """``path.eval()``: the submodules the walk holds under ``path.`` follow it (set earlier, say by
    ``path.encoder.train()``, they would otherwise keep a mode the parent's switch overrode)."""
    prefix = path + "."
    for name, value in list(env.items()):
        if name.startswith(prefix) and value.kind == "module" and value.training != training:
            env[name] = value.with_(training=training)


def switched_parent(path: str, source: str):
    """The nearest enclosing module of ``path`` that the source switches to eval mode by name
    (``model`` for ``model.lstm1``), or None."""
    parts = path.split(".")
    for end in range(len(parts) - 1, 0, -1):
        parent = ".".join(parts[:end])
        if f"{parent}.eval(" in source:
            return parent
    return None


def unnamed_receiver_fields(receiver: Value) -> tuple:
    """The submodules of an object the call reaches by no name of the caller (``choose_action(s)``
    with ``choose_action = policy.act``, ``bound_methods``): the caller's walk holds no path for them
    to be switched under, so they are in the mode the object was last switched to (``Context.fields``)."""
    if receiver.cls is None or receiver.training is None:
        return ()
    attrs = receiver.cls.attrs.items()
    return tuple((attr, in_parent_mode(value, receiver)) for attr, value in sorted(attrs) if value.kind == "module" and value.training is None)
