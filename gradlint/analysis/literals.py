"""The text a string literal of the source stands for, evaluated once per literal text in the process."""

from __future__ import annotations


def string_value(node):
    """``node.evaluated_value`` (a str or bytes), evaluated once per literal text in the process:
    libcst evaluates a literal with ``ast.literal_eval``, a compile each time."""
    raw = node.value
    value = _STRING_VALUES.get(raw)
    if value is None:
        value = node.evaluated_value
        if len(_STRING_VALUES) >= 8192:
            _STRING_VALUES.clear()
        _STRING_VALUES[raw] = value
    return value


_STRING_VALUES: dict = {}
