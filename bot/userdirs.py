"""Where the bot keeps files of its own for the user: the XDG state and cache folders."""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(variable: str, fallback: str) -> Path:
    """`$variable/careerbot`, else `~/<fallback>/careerbot`; a relative value is ignored, as the
    XDG spec asks."""
    value = os.environ.get(variable, "")
    base = Path(value) if value and os.path.isabs(value) else Path.home() / fallback
    return base / "careerbot"


def state_dir() -> Path:
    """What the bot keeps between runs: REPL history, sessions, the unanswered log, sync state."""
    return _xdg("XDG_STATE_HOME", ".local/state")


def cache_dir() -> Path:
    """What can be rebuilt at any time: the compiled content."""
    return _xdg("XDG_CACHE_HOME", ".cache")
