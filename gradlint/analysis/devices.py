"""Device values: which device a ``.to(...)`` moves a tensor to, when the file says so for sure.

Only a device written as a CUDA device is known: the literal ``'cuda'`` / ``'cuda:0'``,
``torch.device('cuda')``, ``torch.device('cuda', 0)``, ``torch.device(type='cuda')``, or a name
bound to one of these. A device chosen at run time (``'cuda' if torch.cuda.is_available() else
'cpu'``) joins two strings into an unknown value: a ``.to()`` to it may return its receiver
unchanged, so nothing is claimed about it.
"""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from .syntax import kwarg
from .values import STRING, UNKNOWN, Value

#: the ``qual`` of the value of ``torch.device(...)`` whose type is known: ``device:cuda``
DEVICE = "device:"

_CUDA = re.compile(r"cuda(:\d+)?")


def _text(value: Value) -> Optional[str]:
    """The device string a value spells: a string literal, or a ``torch.device`` of a known type."""
    qual = value.qual
    if value.kind != "unknown" or not qual:
        return None
    if qual.startswith(STRING):
        return qual[len(STRING) :]
    if qual.startswith(DEVICE):
        return qual[len(DEVICE) :]
    return None


def is_cuda(value: Value) -> bool:
    text = _text(value)
    return text is not None and _CUDA.fullmatch(text) is not None


def device_value(node: cst.Call, value_of) -> Value:
    """The value of ``torch.device(...)``: a CUDA device when its type is spelt ``'cuda'``
    (``torch.device('cuda:1')``, ``torch.device('cuda', 0)``, ``torch.device(type='cuda')``),
    else unknown."""
    arg = kwarg(node, "type")
    if arg is None and node.args and node.args[0].keyword is None:
        arg = node.args[0]
    if arg is None or not is_cuda(value_of(arg.value)):
        return UNKNOWN
    return Value(kind="unknown", qual=DEVICE + "cuda")


def moves_to_cuda(name: str, node: cst.Call, value_of) -> bool:
    """``x.cuda()``, ``x.type(torch.cuda.FloatTensor)``, or ``x.to(d)`` / ``x.to(device=d)`` with ``d``
    known to be a CUDA device."""
    if name == "cuda":
        return True
    if name == "type":
        # `w.type(torch.cuda.FloatTensor)` (HandsOnDeepLearningWithPytorch#2): a CUDA tensor type
        arg = node.args[0] if node.args and node.args[0].keyword is None else kwarg(node, "dtype")
        qual = value_of(arg.value).qual if arg is not None else None
        return bool(qual) and qual.startswith("torch.cuda.") and qual.endswith("Tensor")
    if name != "to":
        return False
    arg = kwarg(node, "device")
    if arg is None and node.args and node.args[0].keyword is None:
        arg = node.args[0]
    return arg is not None and is_cuda(value_of(arg.value))
