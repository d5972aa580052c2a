"""--select / --ignore: codes or code prefixes (``GRD4``)."""

from __future__ import annotations

import re
from typing import Iterable, List, Optional, Tuple, Type

from .engine import ENGINE_CODES
from .rule import Rule
from .rules import ALL_RULES

_SELECTOR = re.compile(r"^GRD[0-9]{0,3}$")


class SelectionError(ValueError):
    pass


def parse_codes(value: Optional[str]) -> List[str]:
    if not value:
        return []
    codes = [c.strip().upper() for c in re.split(r"[,\s]+", value) if c.strip()]
    known = [rule.code for rule in ALL_RULES] + list(ENGINE_CODES)
    for code in codes:
        if not _SELECTOR.match(code) or not any(k.startswith(code) for k in known):
            raise SelectionError(f"unknown rule code or prefix: {code!r}")
    return codes


def _matches(code: str, selectors: Iterable[str]) -> bool:
    return any(code.startswith(s) for s in selectors)


def select_rules(select: List[str], ignore: List[str], extend: List[str] = ()) -> Tuple[Type[Rule], ...]:
    """Rules to run: the default set (errors and warnings) unless --select names others."""
    if select:
        chosen = [rule for rule in ALL_RULES if _matches(rule.code, select) or _matches(rule.code, extend)]
    else:
        chosen = [rule for rule in ALL_RULES if rule.default_enabled() or _matches(rule.code, extend)]
    return tuple(rule for rule in chosen if not _matches(rule.code, ignore))


def engine_code_enabled(code: str, ignore: List[str]) -> bool:
    """Input and internal errors are always reported unless explicitly ignored."""
    return not _matches(code, ignore)
