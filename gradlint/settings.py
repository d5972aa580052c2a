"""The settings each file is linted with: its nearest ``[tool.gradlint]``, then the command line.

In a monorepo every project's ``pyproject.toml`` governs its own files, whatever else is
linted in the same run (pre-commit passes whichever files are staged).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Type

from .config import Config, ConfigError, Pattern, config_in, load_config, matches
from .engine import ENGINE_CODES
from .rule import Finding, Rule
from .selection import SelectionError, engine_code_enabled, parse_codes, select_rules


@dataclass
class Overrides:
    """What the command line says; ``None`` leaves the configuration's value."""

    select: Optional[List[str]] = None
    ignore: Optional[List[str]] = None
    extend_select: List[str] = field(default_factory=list)
    extend_ignore: List[str] = field(default_factory=list)
    exclude: Optional[List[Pattern]] = None
    extend_exclude: List[Pattern] = field(default_factory=list)
    per_file_ignores: Optional[List[Tuple[Pattern, List[str]]]] = None


@dataclass(frozen=True)
class Settings:
    config: Config
    rules: Tuple[Type[Rule], ...]
    #: every code or prefix switched off (engine errors GRD001/GRD002 too)
    ignored: Tuple[str, ...]
    exclude: Tuple[Pattern, ...]
    per_file_ignores: Tuple[Tuple[Pattern, Tuple[str, ...]], ...]

    def is_excluded(self, path: str) -> bool:
        return any(matches(path, pattern) for pattern in self.exclude)

    def ignored_codes_for(self, path: str) -> List[str]:
        return [code for pattern, codes in self.per_file_ignores if matches(path, pattern) for code in codes]

    def reports(self, finding: Finding) -> bool:
        """Whether the run shows a finding: engine errors unless ignored by name, rules' findings
        unless a per-file ignore switches them off for this path."""
        if finding.code in ENGINE_CODES and not engine_code_enabled(finding.code, list(self.ignored)):
            return False
        return not any(finding.code.startswith(code) for code in self.ignored_codes_for(finding.path))

    def describe(self) -> str:
        """``--show-settings``: what applies, one ``key = value`` a line."""

        def patterns(items) -> str:
            return "[" + ", ".join(f'"{_shown(root, glob)}"' for root, glob in items) + "]"

        lines = [
            f"config = {self.config.path or '(none: defaults)'}",
            f"rules = [{', '.join(rule.code for rule in self.rules)}]",
            f"ignore = [{', '.join(self.ignored)}]",
            f"exclude = {patterns(self.exclude)}",
            "per-file-ignores = {"
            + ", ".join(f'"{_shown(root, glob)}" = [{", ".join(codes)}]' for (root, glob), codes in self.per_file_ignores)
            + "}",
            f"respect-gitignore = {str(self.config.respect_gitignore).lower()}",
            f"max-file-size = {_bytes(self.config.max_file_size)}",
            f"max-memory = {_bytes(self.config.max_memory)}",
        ]
        return "\n".join(lines) + "\n"


def _bytes(count: int) -> str:
    """A size as the configuration writes it: "4 GiB", "1500 B"; 0 (unbounded) as 0."""
    if not count:
        return "0"
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count % size == 0:
            return f'"{count // size} {unit}"'
    return f'"{count} B"'


def _shown(root: Path, glob: str) -> str:
    return os.path.join(os.path.relpath(root), glob) if root != Path.cwd().resolve() else glob


class Resolver:
    """Settings per file, each from the nearest configuration (or the one ``--config`` names)."""

    def __init__(
        self,
        overrides: Overrides,
        explicit: Optional[Config] = None,
        fallback: Optional[Config] = None,
        errors: Optional[List[str]] = None,
    ):
        self.overrides = overrides
        self.explicit = explicit
        #: for a file with no configuration above it (the one above the paths given, if any)
        self.fallback = fallback or Config()
        self._by_config: Dict[Optional[Path], Settings] = {}
        self._by_directory: Dict[str, Optional[Path]] = {}
        self._by_path: Dict[str, Settings] = {}
        #: one line per broken configuration met; its files were linted with the default settings
        self.errors: List[str] = errors if errors is not None else []

    def for_path(self, path: str) -> Settings:
        """The settings of the nearest configuration; a broken one is noted in ``errors`` and its
        files get the default settings, so that one bad file does not stop the run."""
        if self.explicit is not None:
            return self._settings(self.explicit)
        known = self._by_path.get(path)
        if known is None:
            known = self._by_path[path] = self._for_new_path(path)
        return known

    def _for_new_path(self, path: str) -> Settings:
        absolute = os.path.abspath(path)
        directory = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        found = self._nearest_config(directory)
        if found is None or found == self.fallback.path:
            return self._settings(self.fallback)
        if found not in self._by_config:
            self._by_config[found] = self._resolve(self.load(found))
        return self._by_config[found]

    def _nearest_config(self, directory: str) -> Optional[Path]:
        """``config.nearest_config``, each folder looked at once for all the files below it."""
        if directory not in self._by_directory:
            parent = os.path.dirname(directory)
            found = config_in(Path(directory))
            if found is None and parent != directory:
                found = self._nearest_config(parent)
            self._by_directory[directory] = found
        return self._by_directory[directory]

    def load(self, path: Path) -> Config:
        return load_or_default(path, self.errors)

    def _settings(self, config: Config) -> Settings:
        if config.path not in self._by_config:
            self._by_config[config.path] = self._resolve(config)
        return self._by_config[config.path]

    def _resolve(self, config: Config) -> Settings:
        o = self.overrides
        selected = o.select if o.select is not None else config.select
        ignored = (o.ignore if o.ignore is not None else config.ignore) + o.extend_ignore
        extended = o.extend_select + (config.extend_select if o.select is None else [])
        exclude = (o.exclude if o.exclude is not None else list(config.exclude or [])) + config.extend_exclude
        per_file = o.per_file_ignores if o.per_file_ignores is not None else config.per_file_ignores
        return Settings(
            config,
            select_rules(selected, ignored, extended),
            tuple(ignored),
            tuple(exclude + o.extend_exclude),
            tuple((pattern, tuple(codes)) for pattern, codes in per_file),
        )


def load_or_default(path: Path, errors: List[str]) -> Config:
    """``path``'s configuration; if it is broken, the defaults (rooted there) and a line in ``errors``."""
    try:
        return load_config(path)
    except ConfigError as exc:
        errors.append(f"{exc}; its files are linted with the default settings")
        return Config(path=path)


def cli_patterns(value: Optional[str]) -> Optional[List[Pattern]]:
    """``--exclude a,b/*``: globs relative to the current directory."""
    if value is None:
        return None
    root = Path.cwd().resolve()
    return [(root, glob.strip()) for glob in value.split(",") if glob.strip()]


def cli_per_file_ignores(values: Tuple[str, ...]) -> Optional[List[Tuple[Pattern, List[str]]]]:
    """``--per-file-ignores "tests/*:GRD301,GRD201 *.ipynb:GRD505"`` (flake8's syntax; repeatable)."""
    if not values:
        return None
    root = Path.cwd().resolve()
    entries = []
    for value in values:
        for entry in value.split():
            glob, colon, codes = entry.rpartition(":")
            if not colon or not glob:
                raise SelectionError(f"--per-file-ignores: {entry!r} is not PATTERN:CODES")
            entries.append(((root, glob), parse_codes(codes)))
    return entries
