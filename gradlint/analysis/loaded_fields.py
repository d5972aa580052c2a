"""The submodules of a model whose class is not known here, named by the project's classes.

A generation script loads a whole pickled model and steps through its layers:
``model = torch.load("language.model")``, ``model.eval()``, then ``h = model.lstm1(embed[:, t])``,
``logits = model.decoder(h)`` in a sampling loop (share020's ``generate_review.py``; a chatbot's
``model.encoder(...)`` / ``model.decoder(...)`` in corpus25). ``torch.load`` gives back an object of
unknown class; ``eval()`` shows it is a module, but not what ``model.lstm1`` is. Unpickling needs
the class to be importable, so the script imports (or defines) it: when the classes of modules the
file's namespace holds give ``lstm1`` as a field holding a module, and none of them has a method
of that name, ``model.lstm1`` is read as that submodule (in the mode the model was switched to).
Nothing is claimed when the classes disagree or give no such field.
"""

from __future__ import annotations

from typing import Iterable, Optional

from .values import Value, join_all


def loaded_model_field(model: Value, attr: str, namespace: Iterable[Value]) -> Optional[Value]:
    """``model.<attr>`` of a module of unknown class, from the module classes in ``namespace``."""
    if model.kind != "module" or model.cls is not None or model.qual or model.choices:
        return None
    fields = []
    for value in namespace:
        cls = value.cls if value.kind == "class" else None
        if cls is None or not cls.is_module:
            continue
        if attr in cls.methods:
            return None  # a method of that name: what the call does is not a submodule's forward
        field = cls.attrs.get(attr)
        if field is not None:
            fields.append(field)
    if not fields or any(field.kind != "module" for field in fields):
        return None
    return join_all(fields)


def file_namespace(walker) -> Iterable[Value]:
    """The values of the file's module-level names, as the walk sees them."""
    names = walker.outer if walker.outer is not None else walker.state.env
    return names.values()
