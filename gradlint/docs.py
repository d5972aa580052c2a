"""Rule pages: ``gradlint rule CODE`` and the rendered ``docs/rules/<CODE>.md``."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Type

from .engine import ENGINE_CODES
from .rule import Rule
from .rules import ALL_RULES, BY_CODE
from .verify import RuntimeDeclaration, fixtures_root


def render_rule(rule: Type[Rule]) -> str:
    """The rule's page: its README (what / why / example / fix) and the runtime-verified fixtures."""
    folder = fixtures_root() / rule.code
    readme = folder / "README.md"
    page = readme.read_text(encoding="utf-8").rstrip() + "\n" if readme.is_file() else f"# {rule.code} {rule.name}\n"
    bad, good = folder / "bad.py", folder / "good.py"
    if bad.is_file() and good.is_file():
        bad_text, good_text = bad.read_text(encoding="utf-8"), good.read_text(encoding="utf-8")
        declaration = RuntimeDeclaration.parse(bad_text)
        if declaration is not None:
            outcome = {
                "raises": f"raises `{declaration.category}: {declaration.prefix}`",
                "warns": f"warns `{declaration.category}: {declaration.prefix}`",
                "asserts": "fails its final assertion of the correct behaviour",
            }[declaration.kind]
            page += (
                "\n## Verified fixtures\n\n"
                f"`gradlint verify {rule.code}` runs these under torch: the program below {outcome}, "
                "the fixed one runs clean, and gradlint reports exactly the lines marked `# expect:`.\n"
            )
        elif not rule.runtime_evidence:
            page += (
                "\n## Fixtures\n\n"
                f"`gradlint verify {rule.code}` checks that gradlint reports exactly the lines of `bad.py` "
                "marked `# expect:` and nothing in `good.py`. It does not run them: this rule has no torch "
                "behaviour to prove.\n"
            )
        page += f"\n### bad.py\n\n```python\n{bad_text.rstrip()}\n```\n"
        page += f"\n### good.py\n\n```python\n{good_text.rstrip()}\n```\n"
    return page


def render_engine_page(code: str) -> str:
    """The page of GRD001/GRD002: what gradlint reports when it cannot lint a file."""
    readme = fixtures_root() / code / "README.md"
    name, summary = ENGINE_CODES[code]
    return readme.read_text(encoding="utf-8").rstrip() + "\n" if readme.is_file() else f"# {code} {name}\n\n{summary}\n"


def render_page(code: str) -> str:
    """The page of any code gradlint reports (a rule, or GRD001/GRD002)."""
    return render_engine_page(code) if code in ENGINE_CODES else render_rule(BY_CODE[code])


def render_all() -> Dict[str, str]:
    pages = {f"{rule.code}.md": render_rule(rule) for rule in ALL_RULES}
    pages.update({f"{code}.md": render_engine_page(code) for code in ENGINE_CODES})
    index = ["# gradlint rules\n", "| code | name | severity | summary |", "|---|---|---|---|"]
    for code, (name, summary) in ENGINE_CODES.items():
        index.append(f"| [{code}]({code}.md) | {name} | error | {summary} (always reported) |")
    for rule in ALL_RULES:
        index.append(f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.severity} | {rule.summary} |")
    pages["README.md"] = "\n".join(index) + "\n"
    return pages


def write_docs(directory: Path, check: bool) -> list:
    """Write the pages (or, with ``check``, list the ones that are missing or out of date)."""
    stale = []
    directory.mkdir(parents=True, exist_ok=True) if not check else None
    for name, content in render_all().items():
        path = directory / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != content:
            stale.append(str(path))
            if not check:
                path.write_text(content, encoding="utf-8")
    return stale
