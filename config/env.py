"""Reading settings from the environment (config/settings.py): typed, with clear errors."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    """A string setting; NAME_FILE, when set, names a file holding the value (Docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from error


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, *, var_dir: Path, file_name: str, make: Callable[[], str]) -> str:
    """A secret from the environment (`env_str`). Unset, the embedded default keeps one per
    checkout in `var_dir/file_name` (made once by `make`, readable by the owner only), so that
    it survives restarts; CHIBO_EMBEDDED_SECRET=0 (production) makes it required instead."""
    value = env_str(name)
    if value:
        return value
    if not env_bool("CHIBO_EMBEDDED_SECRET", default=True):
        raise ImproperlyConfigured(f"{name} must be set in production")
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / file_name
    if not path.exists():
        path.write_text(make(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
