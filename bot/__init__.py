"""A rule-based career-advice chatbot for Machine Learning engineers, answering from four guides.

from bot import Engine
engine = Engine.load()
reply = engine.reply("how much do senior ML engineers make?", session="alice")
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

if "msgspec" not in sys.modules and "typing_extensions" not in sys.modules:
    # msgspec imports typing_extensions, when installed, only for what Python 3.11's own typing
    # has (get_type_hints with extras, Required): keeping it out saves about 8 ms of every start
    # (it imports `inspect`). Modules imported later still get the real typing_extensions.
    sys.modules["typing_extensions"] = None  # type: ignore[assignment]
    try:
        import msgspec  # noqa: F401
    finally:
        del sys.modules["typing_extensions"]

from .errors import CareerBotError, ContentError, InputError, Problem, StoreError, UsageError

if TYPE_CHECKING:
    from .engine import Engine
    from .reply import Citation, Reply
    from .session import Profile, Session
    from .store import MemoryStore, SessionStore, open_store

__all__ = [
    "CareerBotError",
    "Citation",
    "ContentError",
    "Engine",
    "InputError",
    "MemoryStore",
    "Problem",
    "Profile",
    "Reply",
    "Session",
    "SessionStore",
    "StoreError",
    "UsageError",
    "open_store",
]
__version__ = "0.1.0"

# imported on first use, so that `import bot.cli` stays light and the command line decides how
# the engine is loaded (see `bot.cli.main`)
_LAZY = {
    "Engine": "engine",
    "Citation": "reply",
    "Reply": "reply",
    "Profile": "session",
    "Session": "session",
    "MemoryStore": "store",
    "SessionStore": "store",
    "open_store": "store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
