"""Persistent session stores (SQLite, Redis) and what they share: the default file, the JSON codec.

`bot.store.open_store(url)` picks one by URL scheme; each implements `bot.store.SessionStore`.
The modules here import their client libraries only when a store is opened, so importing `bot`
never loads `sqlite3` or `redis`.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

from ..session import Session
from ..userdirs import state_dir

LOCK_TIMEOUT = 30.0  # seconds a turn may hold a session's lock before others may take it
WAIT_TIMEOUT = 10.0  # seconds a turn waits for a session held by another request


def default_sqlite_path() -> Path:
    """Where the server keeps sessions unless told otherwise."""
    return state_dir() / "sessions.db"


def default_sqlite_url() -> str:
    return "sqlite:///" + str(default_sqlite_path())


def encode(session: Session) -> str:
    """A session as the JSON text a store keeps."""
    return json.dumps(session.to_dict(), ensure_ascii=False, separators=(",", ":"))


def decode(text: str | bytes) -> Session:
    """A stored session; text that is not JSON gives a fresh session (Session.from_dict warns
    about anything else it cannot use)."""
    try:
        return Session.from_dict(json.loads(text))
    except ValueError:
        return Session.from_dict(None)


_TOKEN_PREFIX = os.urandom(6).hex()
_tokens = itertools.count(1)


def new_token() -> str:
    """A lock owner's token, unique across processes and machines: random per process, then the
    pid and a counter (one system call per process, not per turn: os.urandom releases the GIL)."""
    return f"{_TOKEN_PREFIX}-{os.getpid()}-{next(_tokens)}"


def lost_lock_message(session_id: str, seconds: float) -> str:
    return (
        f"lost the lock of session {session_id!r} (the turn took longer than {seconds:g}s); "
        "its changes were not saved"
    )


def redact_url(url: str) -> str:
    """A store URL without its password, fit for logs and messages."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user + ':' if user else ''}***@{host}"
