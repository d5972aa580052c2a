"""Device values: which device a ``.to(...)`` moves a tensor to, when the file says so for sure.

Only a device written as a CUDA device is known to be one: the literal ``'cuda'`` / ``'cuda:0'``,
``torch.device('cuda')``, ``torch.device('cuda', 0)``, ``torch.device(type='cuda')``, or a name
bound to one of these. A device chosen at run time (``torch.device('cuda' if
torch.cuda.is_available() else 'cpu')``, or the bare choice of the two strings) is a device of a
type not known (``DEVICE`` alone): a ``.to()`` to it returns its receiver unchanged on a machine
without a GPU, and a copy made by an op on the GPU the script chose it for. ``tensor_methods``
marks such a move of a leaf made on the CPU (``Value.moved``): GRD301 reads its ``.grad`` as the
GPU run does (GRD302 reports the move itself).
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
    if arg is None:
        return UNKNOWN
    value = value_of(arg.value)
    if is_cuda(value) or _text(value) == "cpu":
        return Value(kind="unknown", qual=DEVICE + _text(value).partition(":")[0])
    return DEVICE_CHOSEN if is_device_choice(value) and len(node.args) == 1 else UNKNOWN


#: a device whose type the run chooses (``torch.device('cuda' if torch.cuda.is_available() else 'cpu')``)
DEVICE_CHOSEN = Value(kind="unknown", qual=DEVICE)


def is_device_choice(value: Value) -> bool:
    return value.kind == "unknown" and value.qual == DEVICE


def device_choice(body: Value, orelse: Value) -> Optional[Value]:
    """``'cuda' if torch.cuda.is_available() else 'cpu'``: a CUDA device on one arm, the CPU on the
    other (either order, strings or ``torch.device`` values): a device chosen at run time."""
    texts = {_text(body), _text(orelse)}
    if None in texts or len(texts) != 2 or "cpu" not in texts:
        return None
    other = next(text for text in texts if text != "cpu")
    return DEVICE_CHOSEN if _CUDA.fullmatch(other) else None


def moves_to_cpu(name: str, node: cst.Call, value_of) -> bool:
    """``x.cpu()``, ``x.to('cpu')``, ``x.to(torch.device('cpu'))``, ``x.to(device=d)`` with ``d`` one of these."""
    if name == "cpu":
        return True
    destination = _destination(name, node, value_of)
    return destination is not None and _text(destination) == "cpu"


def may_leave_cpu(name: str, node: cst.Call, value_of) -> bool:
    """``x.to(device)`` / ``x.to(device=device)`` with a device the run chooses (``DEVICE_CHOSEN``)."""
    destination = _destination(name, node, value_of)
    return destination is not None and is_device_choice(destination)


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
    destination = _destination(name, node, value_of)
    return destination is not None and is_cuda(destination)


def _destination(name: str, node: cst.Call, value_of) -> Optional[Value]:
    """The value of the device (or dtype) argument of ``x.to(d)`` / ``x.to(device=d)``."""
    if name != "to":
        return None
    arg = kwarg(node, "device")
    if arg is None and node.args and node.args[0].keyword is None:
        arg = node.args[0]
    return value_of(arg.value) if arg is not None else None
