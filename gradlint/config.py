"""``[tool.gradlint]`` in ``pyproject.toml``: the nearest one above the linted paths."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

from .selection import SelectionError, parse_codes

KEYS = ("select", "ignore", "extend-select", "per-file-ignores", "exclude", "extend-exclude", "respect-gitignore", "baseline")


class ConfigError(ValueError):
    pass


@dataclass
class Config:
    path: Optional[Path] = None
    select: List[str] = field(default_factory=list)
    ignore: List[str] = field(default_factory=list)
    extend_select: List[str] = field(default_factory=list)
    per_file_ignores: Dict[str, List[str]] = field(default_factory=dict)
    exclude: Optional[List[str]] = None
    extend_exclude: List[str] = field(default_factory=list)
    respect_gitignore: bool = True
    #: the baseline file (``baseline = "..."``, relative to the config file)
    baseline: Optional[Path] = None

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    def ignored_codes_for(self, path: str) -> List[str]:
        if not self.per_file_ignores:
            return []
        relative = _relative(path, self.root)
        codes: List[str] = []
        for pattern, pattern_codes in self.per_file_ignores.items():
            if _matches(relative, pattern):
                codes.extend(pattern_codes)
        return codes

    def is_excluded(self, path: str) -> bool:
        patterns = list(self.exclude or []) + self.extend_exclude
        if not patterns:
            return False
        relative = _relative(path, self.root)
        return any(_matches(relative, pattern) for pattern in patterns)


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
    """The nearest pyproject.toml with a [tool.gradlint] table, walking up from the paths."""
    absolute = [os.path.abspath(p) for p in paths] or [os.getcwd()]
    start = Path(os.path.commonpath(absolute))
    if not start.is_dir():
        start = start.parent
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                text = candidate.read_text(encoding="utf-8")
                data = tomllib.loads(text)
            except (OSError, UnicodeDecodeError):
                continue
            except tomllib.TOMLDecodeError:
                if "tool.gradlint" in text:
                    return candidate  # ours and broken: loading it reports the error
                continue
            if "gradlint" in data.get("tool", {}):
                return candidate
    return None


def load_config(path: Path) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}")
    table = data.get("tool", {}).get("gradlint", {}) if path.name == "pyproject.toml" else data.get("tool", {}).get(
        "gradlint", data
    )
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.gradlint] must be a table")
    config = Config(path=path)
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.gradlint] (known: {', '.join(KEYS)})")
        try:
            if key in ("select", "ignore", "extend-select"):
                setattr(config, key.replace("-", "_"), _codes(value))
            elif key == "per-file-ignores":
                if not isinstance(value, dict):
                    raise ConfigError("must be a table of pattern = [codes]")
                config.per_file_ignores = {str(pattern): _codes(codes) for pattern, codes in value.items()}
            elif key in ("exclude", "extend-exclude"):
                setattr(config, key.replace("-", "_"), _strings(value))
            elif key == "respect-gitignore":
                if not isinstance(value, bool):
                    raise ConfigError("must be true or false")
                config.respect_gitignore = value
            elif key == "baseline":
                if not isinstance(value, str) or not value:
                    raise ConfigError("must be a path (a string)")
                config.baseline = path.parent / value
        except (ConfigError, SelectionError) as exc:
            raise ConfigError(f"{path}: key {key!r}: {exc}")
    return config


def _strings(value) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError("must be a list of strings")
    return list(value)


def _codes(value) -> List[str]:
    return parse_codes(",".join(_strings(value)))
