"""A method read off an object without calling it: the bound method a helper is handed.

``run_episode(policy.act, env)`` after ``policy.eval()``, with ``def run_episode(choose_action, env)``
calling ``choose_action(state)`` each step: the helper's loop runs ``act`` on that object, in the
mode the object was switched to. The value keeps the object (``elem``) and the method's name
(``qual``); calling it is ``_method_call`` on the object (``call_values``). Only a method the
object's class (or each of its possible classes) defines is so read: a field of the same name is
the field's value.
"""

from __future__ import annotations

from typing import Optional

from .values import Value


def bound_method(obj: Value, attr: str) -> Optional[Value]:
    """``obj.attr`` as a method bound to ``obj``, when ``obj`` is an object of a known class that has it."""
    if obj.kind not in ("module", "instance"):
        return None
    classes = [choice.cls for choice in obj.choices] if obj.choices else [obj.cls]
    if not classes or any(cls is None or attr not in cls.methods or attr in cls.attrs for cls in classes):
        return None
    return Value(kind="method", qual=attr, elem=obj)
