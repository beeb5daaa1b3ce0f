"""Where sessions live between turns: the store contract, and the bounded in-memory store.

A store hands out one session per turn, in order::

    with store.turn("alice") as session:   # loads it (a new Session if none), holding its lock
        ...                                  # the engine reads and changes it
                                             # saved on a normal exit; on an error, not saved

Persistent stores (SQLite, Redis) implement the same five methods and keep each session as the
JSON of `Session.to_dict()`; `open_store(url)` picks one by URL scheme.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol, runtime_checkable

from .errors import StoreError, UsageError
from .session import Session

DEFAULT_MAX_SESSIONS = 10_000
MEMORY_WAIT = 60.0  # seconds a turn waits for another turn of its session in the memory store
DEFAULT_TTL = 7 * 24 * 3600.0  # seconds a session may sit idle before it is forgotten


@runtime_checkable
class SessionStore(Protocol):
    """What the engine needs of a session store. Implementations must be safe across threads."""

    def turn(self, session_id: str) -> AbstractContextManager[Session]:
        """Load the session (a fresh one if absent or expired) and yield it while holding a lock
        that keeps this session's turns strictly in order; save it when the block ends normally,
        drop the changes when it raises."""
        ...

    def get(self, session_id: str) -> Session | None:
        """A copy of the saved session, or None when there is none (or it expired)."""
        ...

    def save(self, session_id: str, session: Session) -> None:
        """Replace the saved session (restarting its idle time)."""
        ...

    def delete(self, session_id: str) -> None:
        """Forget the session and everything held for it; no error if there is none."""
        ...

    def ping(self) -> None:
        """Return if the store can be used now; raise StoreError saying why not."""
        ...


class ThreadTurns:
    """One lock per session for the threads of this process, kept only while some turn wants it:
    threads queue here, so only one of them at a time waits on the store's own lock."""

    def __init__(self, wait_timeout: float) -> None:
        self.wait_timeout = wait_timeout
        self._locks: dict[str, tuple[threading.Lock, int]] = {}  # lock and how many turns want it
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, session_id: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(session_id, (None, 0))
            lock = lock or threading.Lock()
            self._locks[session_id] = (lock, users + 1)
        try:
            if not lock.acquire(timeout=self.wait_timeout):
                raise StoreError(busy_message(session_id, self.wait_timeout))
            try:
                yield
            finally:
                lock.release()
        finally:
            with self._guard:
                lock, users = self._locks[session_id]
                if users <= 1:
                    del self._locks[session_id]
                else:
                    self._locks[session_id] = (lock, users - 1)


def busy_message(session_id: str, seconds: float) -> str:
    return (
        f"session {session_id!r} is busy: another request for it held it for over {seconds:g}s; "
        "try again"
    )


class MemoryStore:
    """Sessions in this process only: at most `max_sessions`, least recently used evicted first,
    and none kept after `ttl` idle seconds. Each session's lock lives only while a turn uses it."""

    def __init__(
        self,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_sessions < 1 or ttl <= 0:
            raise UsageError("a memory store needs max_sessions >= 1 and a positive ttl")
        self.max_sessions, self.ttl, self._clock = max_sessions, ttl, clock
        self._sessions: OrderedDict[str, tuple[float, Session]] = OrderedDict()
        self._threads = ThreadTurns(MEMORY_WAIT)
        self._guard = threading.Lock()

    def __len__(self) -> int:
        with self._guard:
            self._expire()
            return len(self._sessions)

    @contextmanager
    def turn(self, session_id: str) -> Iterator[Session]:
        with self._threads.hold(session_id):
            session = self.get(session_id) or Session()
            yield session
            self._keep(session_id, session)  # the turn's own copy: no one else holds it

    def get(self, session_id: str) -> Session | None:
        with self._guard:
            self._expire()
            entry = self._sessions.get(session_id)
        return None if entry is None else entry[1].copy()

    def save(self, session_id: str, session: Session) -> None:
        self._keep(session_id, session.copy())

    def _keep(self, session_id: str, session: Session) -> None:
        with self._guard:
            self._sessions[session_id] = (self._clock(), session)
            self._sessions.move_to_end(session_id)
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)

    def delete(self, session_id: str) -> None:
        with self._guard:
            self._sessions.pop(session_id, None)

    def ping(self) -> None:
        return None

    def _expire(self) -> None:
        """Drop sessions idle longer than the TTL (oldest first, so this stops early)."""
        horizon = self._clock() - self.ttl
        while self._sessions:
            session_id, (seen, _) = next(iter(self._sessions.items()))
            if seen >= horizon:
                break
            del self._sessions[session_id]


def open_store(
    url: str, max_sessions: int = DEFAULT_MAX_SESSIONS, ttl: float = DEFAULT_TTL
) -> SessionStore:
    """The store a URL names: `memory://`, `sqlite:///path/to/file.db`, `redis://host:port/db`."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "memory":
        return MemoryStore(max_sessions, ttl)
    if scheme == "sqlite":
        from .stores.sqlite import SQLiteStore

        return SQLiteStore.from_url(url, ttl=ttl)
    if scheme in ("redis", "rediss", "unix"):
        from .stores.redis import RedisStore

        return RedisStore.from_url(url, ttl=ttl)
    raise UsageError(
        f"unknown session store {url!r}: use memory://, sqlite:///PATH or redis://HOST:PORT/DB"
    )
