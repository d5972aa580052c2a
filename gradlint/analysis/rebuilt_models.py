"""A model rebuilt the same way in every iteration of a loop over data.

``for img in images: model = CRNN(32, 1, 37, 256); model.load_state_dict(w); model.eval();
preds = model(image)`` builds one model again and again (for nothing) and evaluates it over the
images: an evaluation loop like any other. A model built from what the loop iterates
(``for model_class in classes: model = model_class(config)``, a test over architectures) is a
different model each time, run once: not evaluated repeatedly.
"""

import libcst as cst

from .data_loops import counts_only
from .syntax import dotted, walk


def _names(node) -> set:
    return {inner.value for inner in walk(node) if type(inner) is cst.Name}


def _bindings(body, path: str):
    """The values assigned to ``path`` in ``body`` (None for a binding that is not a plain assignment)."""
    for inner in walk(body):
        if type(inner) is cst.Assign:
            for target in inner.targets:
                if dotted(target.target) == path:
                    yield inner.value
                elif any(dotted(t) == path for t in walk(target.target) if t is not target.target):
                    yield None  # `model, opt = build(cfg)`: not followed here
        elif type(inner) is cst.AnnAssign and inner.value is not None and dotted(inner.target) == path:
            yield inner.value
        elif type(inner) in (cst.AugAssign, cst.For, cst.WithItem, cst.AsName, cst.NamedExpr):
            target = getattr(inner, "target", None) or getattr(inner, "name", None)
            if target is not None and any(dotted(t) == path for t in walk(target)):
                yield None


def _varying(loop: cst.For) -> set:
    """The names whose value may change from one iteration to the next: the loop's targets and
    the names assigned in its body from them (``cls = REGISTRY[name]``), to a fixed point."""
    varying = _names(loop.target)
    assigns = [inner for inner in walk(loop.body) if type(inner) is cst.Assign]
    changed = True
    while changed:
        changed = False
        for assign in assigns:
            if _names(assign.value) & varying:
                for target in assign.targets:
                    new = _names(target.target) - varying
                    if new:
                        varying |= new
                        changed = True
    return varying


def rebuilt_alike(loop: cst.CSTNode, path: str) -> bool:
    """``loop`` iterates data and every binding of ``path`` in its body is a plain assignment of a
    value that reads nothing the iteration varies (``model = CRNN(32, 1, 37, 256)``, ``model =
    model.cuda()``): the same model in every iteration."""
    if type(loop) is not cst.For or counts_only(loop.iter) or not path:
        return False
    values = list(_bindings(loop.body, path))
    if not values or any(value is None for value in values):
        return False
    varying = _varying(loop)
    if any(_names(value) & varying for value in values):
        return False
    # `model.load_state_dict(torch.load(path))` with `path` the loop's checkpoint: another model each time
    return not any(_loads_varying(node, path, varying) for node in walk(loop.body))


def _loads_varying(node, path: str, varying: set) -> bool:
    """``path.load...(...)`` given something the iteration varies (``model.load_state_dict(torch.load(ckpt))``,
    ``model.load_weights(f)``): weights loaded from what the loop iterates. Not a forward-like method
    given the iteration's data (``model.predict(x)``), which runs the same model."""
    if type(node) is not cst.Call or type(node.func) is not cst.Attribute or dotted(node.func.value) != path:
        return False
    if "load" not in node.func.attr.value.lower():
        return False
    return any(_names(arg.value) & varying for arg in node.args)


def iterated_models(loop: cst.CSTNode, path: str, value_of) -> bool:
    """``path`` is bound in ``loop``'s body only as the target of inner loops over models that exist
    before it (``for m in models:`` of a list of models, ``for net in [enc, dec]:``): each iteration of
    ``loop`` runs those same models again, none built in it."""
    inner = [node for node in walk(loop.body) if type(node) is cst.For and type(node.target) is cst.Name and node.target.value == path]
    bindings = list(_bindings(loop.body, path))
    if not inner or len(bindings) != len(inner) or any(value is not None for value in bindings):
        return False  # bound otherwise as well
    return all(_existing_models(node.iter, value_of) for node in inner)


def _existing_models(node: cst.BaseExpression, value_of) -> bool:
    """A container of models named (``models``, ``self.nets``) or a display of models' names
    (``[enc, dec]``): not models built where the loop runs (``[Net(), Net()]``)."""
    if type(node) in (cst.List, cst.Tuple):
        return all(
            type(e) is cst.Element and dotted(e.value) is not None and value_of(e.value).kind == "module"
            for e in node.elements
        )
    if dotted(node) is None:
        return False
    value = value_of(node)
    if value.kind != "seq":
        return False
    if value.items:
        return all(item.kind == "module" for item in value.items)
    return value.elem is not None and value.elem.kind == "module"
