"""Sessions in Redis, for workers on several machines: JSON with an idle TTL, a lock per session.

Like Rasa's lock store (rasa/core/lock_store.py), a session's turns are kept in order by a lock
in Redis that every worker respects; ours is the single-instance lock the Redis documentation
describes for SET: `SET lock:ID TOKEN NX PX lifetime` to take it, released only by the holder
(a script compares the token). Taking the lock and reading the session is one round trip;
saving the session and releasing the lock is another, and saves nothing if the lock was lost.
A lock whose holder died expires after `lock_timeout`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import StoreError, UsageError
from ..session import Session
from ..store import DEFAULT_TTL, ThreadTurns, busy_message
from . import (
    LOCK_TIMEOUT,
    WAIT_TIMEOUT,
    decode,
    encode,
    lost_lock_message,
    new_token,
    redact_url,
)

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)

# KEYS: lock, session; ARGV: token, lock lifetime (ms). Returns {taken, session JSON or false}.
_TAKE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('GET', KEYS[2])}
end
return {0, false}
"""
# KEYS: lock, session; ARGV: token, session JSON, ttl (ms). Saves only while holding the lock.
_SAVE_AND_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""
# KEYS: lock; ARGV: token. Releases only the holder's own lock.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
_SOCKET_TIMEOUT = 2.0  # seconds; Redis answers in well under a millisecond when it is well


class RedisStore:
    """Sessions as JSON strings under `{prefix}session:{id}`, each expiring after `ttl` idle
    seconds; a turn's lock under `{prefix}lock:{id}`."""

    def __init__(
        self,
        client: redis.Redis,
        ttl: float = DEFAULT_TTL,
        prefix: str = "careerbot:",
        lock_timeout: float = LOCK_TIMEOUT,
        wait_timeout: float = WAIT_TIMEOUT,
        where: str = "redis",
    ) -> None:
        if ttl <= 0 or lock_timeout <= 0 or wait_timeout <= 0:
            raise UsageError("a Redis store needs a positive ttl, lock_timeout and wait_timeout")
        self.client, self.prefix, self.where = client, prefix, where
        self.ttl, self.lock_timeout, self.wait_timeout = ttl, lock_timeout, wait_timeout
        self._take = client.register_script(_TAKE)
        self._save_and_release = client.register_script(_SAVE_AND_RELEASE)
        self._release = client.register_script(_RELEASE)
        self._errors = _redis_errors()
        self._threads = ThreadTurns(wait_timeout)

    @classmethod
    def from_url(cls, url: str, ttl: float = DEFAULT_TTL, prefix: str = "careerbot:") -> RedisStore:
        """`redis://[:password@]host:port/db`, `rediss://...` (TLS) or `unix:///path/to/socket`."""
        try:
            import redis
        except ImportError:
            raise UsageError(
                'the Redis session store needs the redis package: pip install "careerbot[redis]"'
            ) from None
        try:
            client = redis.Redis.from_url(
                url, socket_timeout=_SOCKET_TIMEOUT, socket_connect_timeout=_SOCKET_TIMEOUT
            )
        except ValueError as exc:
            raise UsageError(f"bad Redis URL {redact_url(url)!r}: {exc}") from None
        return cls(client, ttl, prefix, where=redact_url(url))

    def __repr__(self) -> str:
        return f"RedisStore({self.where!r})"

    # -- the contract --------------------------------------------------------------------------

    @contextmanager
    def turn(self, session_id: str) -> Iterator[Session]:
        with self._threads.hold(session_id):
            token, session = self._acquire(session_id)
            saved = False
            try:
                yield session
                self._save_releasing(session_id, session, token)
                saved = True
            finally:
                if not saved:
                    self._call(self._release, [self._lock_key(session_id)], [token])

    def get(self, session_id: str) -> Session | None:
        data = self._call(self.client.get, self._session_key(session_id))
        return None if data is None else decode(data)

    def save(self, session_id: str, session: Session) -> None:
        self._call(
            self.client.set, self._session_key(session_id), encode(session), px=self._ttl_ms()
        )

    def delete(self, session_id: str) -> None:
        self._call(self.client.delete, self._session_key(session_id))

    def ping(self) -> None:
        self._call(self.client.ping)

    def close(self) -> None:
        self.client.close()

    # -- locking -------------------------------------------------------------------------------

    def _acquire(self, session_id: str) -> tuple[str, Session]:
        token = new_token()
        keys = [self._lock_key(session_id), self._session_key(session_id)]
        lifetime = max(1, math.ceil(self.lock_timeout * 1000))
        deadline = time.monotonic() + self.wait_timeout
        pause = 0.001
        while True:
            taken, data = self._call(self._take, keys, [token, lifetime])
            if taken:
                return token, decode(data) if data is not None else Session()
            if time.monotonic() + pause > deadline:
                raise StoreError(busy_message(session_id, self.wait_timeout))
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def _save_releasing(self, session_id: str, session: Session, token: str) -> None:
        keys = [self._lock_key(session_id), self._session_key(session_id)]
        if not self._call(self._save_and_release, keys, [token, encode(session), self._ttl_ms()]):
            raise StoreError(lost_lock_message(session_id, self.lock_timeout))

    # -- Redis ---------------------------------------------------------------------------------

    def _session_key(self, session_id: str) -> str:
        return f"{self.prefix}session:{session_id}"

    def _lock_key(self, session_id: str) -> str:
        return f"{self.prefix}lock:{session_id}"

    def _ttl_ms(self) -> int:
        return max(1, math.ceil(self.ttl * 1000))

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one Redis command; its failures become StoreError naming the server."""
        try:
            return method(*args, **kwargs)
        except self._errors as exc:
            raise StoreError(f"session store {self.where}: {exc}") from None


def _redis_errors() -> type[Exception]:
    import redis

    return redis.exceptions.RedisError
