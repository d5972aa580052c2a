"""Uses that only a tensor survives: evidence that a model output of unknown structure is one tensor
(``tensor_uses`` draws the same kind of evidence for a parameter whose ``.to(device)`` is dropped).

``fake = G(z)`` with ``G``'s class in a file the analysis did not load leaves the output's
structure unknown (``Value.struct``: a tensor, a tuple, a dict, a ``ModelOutput``), so ``fake[0]``
may be a tuple's first element, whose grad is not known (``Value.output_part``). A method or an
attribute that only a tensor has, used on the name unconditionally next (``D(fake.detach())``,
``fake.sum().backward()``, ``fake.size(0)``, ``fake.shape[0]``), settles it: on a tuple, a list, a
dict or a ``ModelOutput`` the use raises ``AttributeError``, so the code that runs relies on a
tensor. A use under a test (``x.detach() if torch.is_tensor(x) else x``, ``and``/``or``, a
comprehension or a lambda that may not run) proves nothing; so does a use after ``name`` is bound
again.

The members are chosen so that no container a model returns has them: not ``to`` (a
``BatchEncoding`` has one), not ``keys``/``items``/``get``, not ``index``/``count`` (tuples), not
``max``/``min``/``split`` (names shared with other objects a model might hand back), and ``mean``
only called (a distribution's ``mean`` is a property).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .syntax import dotted, walk
from .tensor_uses import TENSOR_USE_EVIDENCE
from .usage_scans import binds

#: members of ``torch.Tensor`` that no container a model hands back has (``TENSOR_USE_EVIDENCE``, and the
#: moves and reductions that a module or a torch_geometric ``Data`` shares with tensors, but a tuple,
#: a list, a dict, a ``ModelOutput`` or a distribution has not)
_TENSOR_ONLY_METHODS = TENSOR_USE_EVIDENCE | frozenset(
    "detach detach_ backward size cpu cuda sum mean argmax argmin softmax log_softmax sigmoid float double "
    "half long contiguous clamp flatten norm pow exp log abs".split()
)
_TENSOR_ONLY_ATTRIBUTES = frozenset({"shape", "ndim", "grad_fn", "T"})

#: parts of a statement that may not run: a test's arms, a short circuit, deferred code
_MAY_NOT_RUN = (cst.IfExp, cst.BooleanOperation, cst.Lambda, cst.GeneratorExp, cst.ListComp, cst.SetComp, cst.DictComp)


def used_as_tensor_next(statements, name: str) -> Optional[bool]:
    """True: a statement of ``statements``, run in order, uses ``name`` as only a tensor can be
    used before ``name`` is bound again; False: ``name`` is bound again first; None: neither."""
    for stmt in statements:
        if type(stmt) is not cst.SimpleStatementLine:
            if binds(stmt, name):
                return False
            continue
        for small in stmt.body:
            if _uses_as_tensor(small, name):
                return True
            if binds(small, name):
                return False
    return None


def _uses_as_tensor(node: cst.CSTNode, name: str) -> bool:
    for part in walk(node, _MAY_NOT_RUN):
        if type(part) is cst.Attribute and dotted(part.value) == name:
            attr = part.attr.value
            if attr in _TENSOR_ONLY_ATTRIBUTES:
                return True
            if attr in _TENSOR_ONLY_METHODS and _called(node, part):
                return True
    return False


def _called(root: cst.CSTNode, attribute: cst.Attribute) -> bool:
    return any(type(part) is cst.Call and part.func is attribute for part in walk(root, _MAY_NOT_RUN))
