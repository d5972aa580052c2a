"""Classes of a file whose objects the files importing it call only under no_grad: their ``forward``
may run without gradients.

A continual learner keeps one generative model per class, ``self.dists = nn.ModuleList([Sampler(dim)
for _ in range(n)])``, trains each by its own ``fit`` (a loss of its inner network) and draws from one
inside ``@torch.no_grad() def replay(self)``: ``dist = self.dists[c]; samples = dist(256)``. The
sampler's ``forward`` returns ``self.sample(n)``, a denoising loop writing ``x -= step * net(x)`` in
place: nothing ever backpropagates it. A text scan, like ``instance_calls``: a name bound to a call of
one of the file's classes, alone or in a list display (``x = C(...)``, ``self.x = nn.ModuleList([C(``),
called only inside no-grad blocks, by its name (``x(...)``, ``self.x(...)``, ``self.x[i](...)``) or
through a local bound to an element of it (``d = self.x[i]``, then ``d(...)``). A call of such an
object outside those blocks, in any of the importers, keeps the class's forward in grad mode.
"""

from __future__ import annotations

import re
from typing import Iterable, Set

_CLASS = re.compile(rb"(?m)^class[ \t]+(\w+)")
#: ``x = `` / ``self.x = `` / ``self.x = nn.ModuleList([`` / ``x = [`` right before a constructor's name
_BINDING = re.compile(rb"(\w+)[ \t]*=[ \t]*(?:(?:[\w.]+\.)?|(?:[\w.]+\()?\[[ \t]*)$")
_NO_GRAD_LINE = re.compile(
    rb"^([ \t]*)(?:(?:async[ \t]+)?with\b.*\b(?:no_grad|inference_mode)\b|@[\w.]*\b(?:no_grad|inference_mode)\b)"
)


def classes_called_without_grad(text: bytes, callers: Iterable[bytes]) -> Set[str]:
    """The classes of ``text`` some caller binds and calls, every such call inside a no-grad block."""
    classes = _CLASS.findall(text)
    if not classes:
        return set()
    callers = list(callers)
    # only a file that mentions a no-grad context can call anything in one
    quiet_callers = [data for data in callers if b"no_grad" in data or b"inference_mode" in data]
    if not quiet_callers:
        return set()
    found = _called_so(classes, quiet_callers, True)
    if found:
        # an object of the class called with gradients by any caller keeps its forward in grad mode
        found -= _called_so([name.encode() for name in sorted(found)], callers, False)
    return found


def _called_so(classes, callers, only_without_grad: bool) -> Set[str]:
    """The classes some caller binds and calls: every call inside a no-grad block, or (with
    ``only_without_grad`` False) some call outside one."""
    constructed = re.compile(b"(?<!\\w)(" + b"|".join(re.escape(c) for c in classes) + rb")\(")
    found: Set[str] = set()
    for data in callers:
        bound = _bindings(data, constructed)
        if bound:
            lines = data.splitlines()
            quiet = _no_grad_lines(lines)
            for name, cls in bound.items():
                if _called_only_without_grad(name, lines, quiet) is only_without_grad:
                    found.add(cls)
    return found


def _bindings(data: bytes, constructed) -> dict:
    bound = {}
    for match in constructed.finditer(data):
        start = match.start()
        line = data[data.rfind(b"\n", 0, start) + 1 : start]
        binding = _BINDING.search(line)
        if binding is not None:
            bound[binding.group(1)] = match.group(1).decode("ascii", "replace")
    return bound


def _no_grad_lines(lines) -> Set[int]:
    """The numbers of the lines inside a ``with torch.no_grad():`` block or a no-grad decorated def."""
    inside: Set[int] = set()
    for number, line in enumerate(lines):
        match = _NO_GRAD_LINE.match(line)
        if match is None:
            continue
        indent = len(match.group(1))
        heading = line.lstrip().startswith(b"@")  # a decorator: its def line (and signature) comes first
        for later in range(number + 1, len(lines)):
            body = lines[later]
            stripped = body.lstrip()
            if heading:
                heading = not stripped.rstrip().endswith(b":") or stripped.startswith(b"@")
                continue
            if stripped and len(body) - len(stripped) <= indent:
                break
            inside.add(later)
    return inside


def _called_only_without_grad(name: bytes, lines, quiet: Set[int]):
    """Whether ``name`` (or an element of it, or a local alias of an element) is called only on
    ``quiet`` lines; None when it is not called."""
    word = re.escape(name)
    # on any object (`self.gen(`, `trainer.gen(`): a call of it on another object counts too
    direct = re.compile(rb"(?<![\w.])(?:\w+\.)*" + word + rb"(?:\[[^\]\n]*\])?\s*(?:\.forward\s*)?\(")
    alias = re.compile(rb"^[ \t]*(\w+)[ \t]*=[ \t]*(?:self\.)?" + word + rb"\[[^\]\n]*\][ \t]*$")
    aliases = {match.group(1) for line in lines for match in [alias.match(line)] if match is not None}
    calls = [direct]
    if aliases:
        names = b"|".join(re.escape(a) for a in sorted(aliases))
        calls.append(re.compile(rb"(?<![\w.])(?:" + names + rb")\s*(?:\.forward\s*)?\("))
    called = [number for number, line in enumerate(lines) if any(pattern.search(line) for pattern in calls)]
    if not called:
        return None  # not called at all: neither way
    return all(number in quiet for number in called)
