"""``[tool.gradlint]`` in ``pyproject.toml``: the nearest one above each linted file.

A table can inherit another with ``extend = "../pyproject.toml"``: the extended file's
settings apply first, this table's keys replace them. Patterns (``exclude``,
``per-file-ignores``) stay relative to the file that wrote them.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import FrozenSet, List, Optional, Sequence, Tuple

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

from .selection import SelectionError, parse_codes

KEYS = (
    "extend",
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "respect-gitignore",
    "baseline",
    "max-file-size",
    "max-memory",
)

#: a glob and the directory it is relative to
Pattern = Tuple[Path, str]


class ConfigError(ValueError):
    pass


@dataclass
class Config:
    path: Optional[Path] = None
    select: List[str] = field(default_factory=list)
    ignore: List[str] = field(default_factory=list)
    extend_select: List[str] = field(default_factory=list)
    per_file_ignores: List[Tuple[Pattern, List[str]]] = field(default_factory=list)
    exclude: Optional[List[Pattern]] = None
    extend_exclude: List[Pattern] = field(default_factory=list)
    respect_gitignore: bool = True
    #: the baseline file (``baseline = "..."``, relative to the config file)
    baseline: Optional[Path] = None
    #: files larger than this many bytes are not linted (GRD001)
    max_file_size: int = 1 << 20
    #: memory a worker process may take beyond its start, in bytes (0: unbounded)
    max_memory: int = 4 << 30

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    def ignored_codes_for(self, path: str) -> List[str]:
        codes: List[str] = []
        for pattern, pattern_codes in self.per_file_ignores:
            if matches(path, pattern):
                codes.extend(pattern_codes)
        return codes

    def is_excluded(self, path: str) -> bool:
        return any(matches(path, pattern) for pattern in list(self.exclude or []) + self.extend_exclude)


def matches(path: str, pattern: Pattern) -> bool:
    root, glob = pattern
    return _matches(_relative(path, root), glob)


def _relative(path: str, root: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _matches(relative: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern + "/*"):
        return True
    # a bare name matches that file or directory anywhere
    return "/" not in pattern and any(fnmatch.fnmatch(part, pattern) for part in relative.split("/"))


def find_config(paths: Sequence[str]) -> Optional[Path]:
    """The nearest pyproject.toml with a [tool.gradlint] table above all the paths (their common parent)."""
    absolute = [os.path.abspath(p) for p in paths] or [os.getcwd()]
    return nearest_config(os.path.commonpath(absolute))


def nearest_config(path: str) -> Optional[Path]:
    """The nearest pyproject.toml with a [tool.gradlint] table, walking up from ``path``."""
    start = Path(os.path.abspath(path))
    if not os.path.isdir(start):  # also when it cannot be looked at (a name too long...)
        start = start.parent
    for directory in (start, *start.parents):
        found = config_in(directory)
        if found is not None:
            return found
    return None


def config_in(directory: Path) -> Optional[Path]:
    """The folder's pyproject.toml if it has a [tool.gradlint] table (or is broken in a way loading it reports)."""
    candidate = directory / "pyproject.toml"
    if not candidate.is_file():
        return None
    try:
        text = candidate.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError):
        return None
    except tomllib.TOMLDecodeError:
        return candidate if "tool.gradlint" in text else None  # ours and broken: loading it reports the error
    tool = data.get("tool", {})
    return candidate if not isinstance(tool, dict) or "gradlint" in tool else None


def load_config(path: Path, _extending: FrozenSet[Path] = frozenset()) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}")
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table, not {type(tool).__name__} {tool!r}"[:200])
    table = tool.get("gradlint", {}) if path.name == "pyproject.toml" else tool.get("gradlint", data)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.gradlint] must be a table")
    config = Config(path=path)
    unknown = [key for key in table if key not in KEYS]
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} in [tool.gradlint] (known: {', '.join(KEYS)})")
    if "extend" in table:
        config = replace(_extended(path, table["extend"], _extending), path=path)
    root = path.parent.resolve()
    for key, value in table.items():
        try:
            if key in ("select", "ignore", "extend-select"):
                setattr(config, key.replace("-", "_"), _codes(value))
            elif key == "per-file-ignores":
                if not isinstance(value, dict):
                    raise ConfigError("must be a table of pattern = [codes]")
                config.per_file_ignores = [((root, str(pattern)), _codes(codes)) for pattern, codes in value.items()]
            elif key in ("exclude", "extend-exclude"):
                setattr(config, key.replace("-", "_"), [(root, pattern) for pattern in _strings(value)])
            elif key == "respect-gitignore":
                if not isinstance(value, bool):
                    raise ConfigError("must be true or false")
                config.respect_gitignore = value
            elif key == "baseline":
                if not isinstance(value, str) or not value:
                    raise ConfigError("must be a path (a string)")
                config.baseline = path.parent / value
            elif key == "max-file-size":
                config.max_file_size = _size(value)
            elif key == "max-memory":
                config.max_memory = 0 if value == 0 and not isinstance(value, bool) else _size(value)
        except (ConfigError, SelectionError) as exc:
            raise ConfigError(f"{path}: key {key!r}: {exc}")
    return config


def _extended(path: Path, value, extending: FrozenSet[Path]) -> Config:
    """The configuration ``extend = "..."`` names (relative to ``path``'s directory)."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}: key 'extend': must be a path (a string)")
    target = (path.parent / value).resolve()
    if target in extending or target == path.resolve():
        raise ConfigError(f"{path}: key 'extend': {value} extends itself (a cycle)")
    if not target.is_file():
        raise ConfigError(f"{path}: key 'extend': no such file: {value}")
    return load_config(target, extending | {path.resolve()})


_UNITS = {"": 1, "b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}


def _size(value) -> int:
    """A byte count: an integer, or a string such as "2 MiB"."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", value) if isinstance(value, str) else None
    if match is None or match.group(2).lower() not in _UNITS or float(match.group(1)) <= 0:
        raise ConfigError('must be a positive number of bytes, or a size such as "2 MiB"')
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _strings(value) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError("must be a list of strings")
    return list(value)


def _codes(value) -> List[str]:
    return parse_codes(",".join(_strings(value)))
