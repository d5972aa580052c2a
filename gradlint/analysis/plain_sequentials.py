"""Models written as ``nn.Sequential`` of torch layers that read no mode (see ``mode_free``).

``model_2 = nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 1)).to(device)`` runs the same in
train and eval mode: ``model_2.eval()`` left in place inside its training loop changes nothing (the
tutorials' per-epoch "testing" block). ``mode_free`` judges classes of the project; this judges the
display itself. Claimed only when every binding of the name in its scope is such a display, and
every layer in it is a call of torch's (possibly another such ``nn.Sequential``) that reads no mode.
"""

from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

from .mode_free import is_torch_layer_without_mode, library_name
from .syntax import walk
from .values import Value

_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
#: methods that hand back the module they are called on
_SAME_MODULE = frozenset({"to", "cuda", "cpu", "float", "double", "half", "train", "requires_grad_"})


def _sequential_layers(expr: cst.BaseExpression, resolve) -> Optional[list]:
    """The layer calls of an ``nn.Sequential(...)`` display (moved or cast), else None."""
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in _SAME_MODULE:
        expr = expr.func.value
    if not isinstance(expr, cst.Call) or not _is_sequential(expr.func, resolve):
        return None
    layers = []
    for arg in expr.args:
        if arg.keyword is not None or arg.star or not isinstance(arg.value, cst.Call):
            return None
        layers.append(arg.value)
    return layers


def _is_sequential(func: cst.BaseExpression, resolve) -> bool:
    return library_name(func, resolve) in ("torch.nn.Sequential", "torch.nn.modules.container.Sequential")


def _plain(expr: cst.Call, resolve) -> bool:
    inner = _sequential_layers(expr, resolve)
    if inner is not None:
        return all(_plain(layer, resolve) for layer in inner)
    return is_torch_layer_without_mode(expr.func, resolve)


def sequential_mode_free(
    name: str, scope: Optional[cst.CSTNode], resolve: Callable[[str], Optional[Value]]
) -> bool:
    """Every binding of the plain ``name`` in ``scope`` (a function or the module) is an
    ``nn.Sequential`` of torch layers that read no mode."""
    if scope is None or "." in name:
        return False
    if isinstance(scope, cst.FunctionDef) and any(
        p.name.value == name for p in walk(scope.params) if isinstance(p, cst.Param)
    ):
        return False  # also bound by the caller's argument
    root = scope.body if isinstance(scope, cst.FunctionDef) else scope
    found = False
    for node in walk(root, prune=_NESTED):
        targets = ()
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For, cst.WithItem, cst.NamedExpr)):
            targets = [getattr(node, "target", None) or getattr(node, "asname", None)]
        bound = any(isinstance(n, cst.Name) and n.value == name for t in targets if t is not None for n in walk(t))
        if not bound:
            continue
        if not isinstance(node, cst.Assign) or len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return False
        layers = _sequential_layers(node.value, resolve)
        if not layers or not all(_plain(layer, resolve) for layer in layers):
            return False
        found = True
    return found
