"""Output formats."""

from __future__ import annotations

import json
from typing import List

from .rule import Finding


def format_text(findings: List[Finding]) -> str:
    """flake8-compatible: ``path:line:col: CODE message``."""
    return "".join(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}\n" for f in findings)


def format_json(findings: List[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2) + "\n"


FORMATTERS = {"text": format_text, "json": format_json}
