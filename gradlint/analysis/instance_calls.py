"""Objects of a file's classes that the files importing it call under no_grad: their ``__call__`` may
run without gradients.

espnet2's ``asr_inference.py`` builds ``beam_search_transducer = BeamSearchTransducer(...)``, keeps it
as ``self.beam_search_transducer`` and calls it inside ``@torch.no_grad() def __call__``. The call
names the object, not the method, so ``Project.no_grad_methods`` (methods called by name on any
object) does not see it. A text scan, like that one: a name bound to a call of one of the file's
classes (``x = C(...)`` or ``self.x = C(...)``) and called under no_grad (``x(...)``/``.x(...)``).
Erring towards more such calls only makes the rules quieter.
"""

from __future__ import annotations

import re
from typing import Iterable

_CLASS = re.compile(rb"(?m)^class[ \t]+(\w+)")


def instance_called_without_grad(text: bytes, callers: Iterable[bytes], no_grad_calls) -> bool:
    """Whether some caller binds an object of a class defined in ``text`` and calls it under no_grad.
    ``no_grad_calls(i)``: the names the i-th caller calls under no_grad (``project._no_grad_calls``)."""
    classes = _CLASS.findall(text)
    if not classes:
        return False
    # searched from the class names (a pattern led by ``(\w+)`` is tried at every position of every
    # caller), then the binding read back from the match on its line
    constructed = re.compile(b"(?:" + b"|".join(re.escape(c) for c in classes) + rb")\(")
    for index, data in enumerate(callers):
        bound = _bound_names(data, constructed)
        if bound:
            calls = no_grad_calls(index)
            if any(name in calls or "." + name in calls for name in bound):
                return True
    return False


#: ``x = `` / ``self.x = `` / ``x = pkg.mod.`` right before a constructor's name, at the end of the text before it
_BINDING = re.compile(rb"(\w+)[ \t]*=[ \t]*(?:[\w.]+\.)?$")


def _bound_names(data: bytes, constructed) -> set:
    names = set()
    for match in constructed.finditer(data):
        start = match.start()
        if start and (data[start - 1 : start].isalnum() or data[start - 1 : start] == b"_"):
            continue  # the end of a longer name
        line = data[data.rfind(b"\n", 0, start) + 1 : start]
        binding = _BINDING.search(line)
        if binding is not None:
            names.add(binding.group(1).decode("ascii", "replace"))
    return names
