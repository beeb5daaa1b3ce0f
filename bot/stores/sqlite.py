"""Sessions in one SQLite file (WAL), shared safely by several worker processes on one machine.

Each session's turns run strictly in order across threads and processes: a turn takes the
session's row in `locks` (in the same short write transaction that reads the session) and gives
it back in the transaction that saves the session. The database's write lock is held only for
those two short transactions, never while the engine thinks, so workers answer in parallel.
A lock left by a process that died (SIGKILL mid-turn) is taken over at once when its process is
gone, else when it is older than `lock_timeout`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from ..errors import StoreError, UsageError
from ..session import Session
from ..store import DEFAULT_TTL, ThreadTurns, busy_message
from . import (
    LOCK_TIMEOUT,
    WAIT_TIMEOUT,
    decode,
    default_sqlite_path,
    encode,
    lost_lock_message,
    new_token,
)

log = logging.getLogger(__name__)

_SCHEMA = (
    (
        "CREATE TABLE IF NOT EXISTS sessions"
        " (id TEXT PRIMARY KEY, data TEXT NOT NULL, seen REAL NOT NULL)"
    ),
    "CREATE INDEX IF NOT EXISTS sessions_seen ON sessions (seen)",
    "CREATE TABLE IF NOT EXISTS locks (id TEXT PRIMARY KEY, owner TEXT, pid INTEGER, expires REAL)",
)
_PURGE_EVERY = 60.0  # seconds between sweeps of expired sessions, per process
_HELD: set[str] = set()  # the lock owners (tokens) this process holds now, in any store
_BUSY_TIMEOUT = 5.0  # seconds SQLite waits for another connection's write transaction


class SQLiteStore:
    """Sessions as JSON rows of one SQLite file; idle ones expire after `ttl` seconds."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        ttl: float = DEFAULT_TTL,
        lock_timeout: float = LOCK_TIMEOUT,
        wait_timeout: float = WAIT_TIMEOUT,
    ) -> None:
        if ttl <= 0 or lock_timeout <= 0 or wait_timeout <= 0:
            raise UsageError("a SQLite store needs a positive ttl, lock_timeout and wait_timeout")
        self.path = Path(path) if path is not None else default_sqlite_path()
        self.ttl, self.lock_timeout, self.wait_timeout = ttl, lock_timeout, wait_timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._writer = threading.Lock()
        self._threads = ThreadTurns(wait_timeout)
        self._last_purge = 0.0
        self._setup()

    @classmethod
    def from_url(cls, url: str, ttl: float = DEFAULT_TTL) -> SQLiteStore:
        """`sqlite:///relative/file.db` or `sqlite:////absolute/file.db` (SQLAlchemy's form);
        `sqlite://` alone is the default file under the XDG state directory."""
        if not url.lower().startswith("sqlite://"):
            raise UsageError(f"not a SQLite URL: {url!r} (expected sqlite:///PATH)")
        rest = url[len("sqlite://") :]
        if rest in ("", "/"):
            return cls(None, ttl)
        if not rest.startswith("/"):
            raise UsageError(
                f"bad SQLite URL {url!r}: use sqlite:///relative.db or sqlite:////abs/path.db"
            )
        path = rest[1:]
        if path == ":memory:":
            raise UsageError(
                "sqlite:///:memory: cannot be shared between workers; use memory:// instead"
            )
        return cls(path, ttl)

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    # -- the contract --------------------------------------------------------------------------

    @contextmanager
    def turn(self, session_id: str) -> Iterator[Session]:
        with self._threads.hold(session_id):
            owner, session = self._acquire(session_id)
            saved = False
            try:
                yield session
                self._save_and_release(session_id, session, owner)
                saved = True
            finally:
                if not saved:
                    self._release(session_id, owner)

    def get(self, session_id: str) -> Session | None:
        row = self._execute(
            "SELECT data FROM sessions WHERE id = ? AND seen >= ?",
            (session_id, time.time() - self.ttl),
        ).fetchone()
        return None if row is None else decode(row[0])

    def save(self, session_id: str, session: Session) -> None:
        with self._transaction() as db:
            self._write(db, session_id, session)

    def delete(self, session_id: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def ping(self) -> None:
        self._execute("SELECT count(*) FROM locks").fetchone()

    def close(self) -> None:
        """Close every connection this store opened (in any thread)."""
        with self._guard:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    # -- locking -------------------------------------------------------------------------------

    def _acquire(self, session_id: str) -> tuple[str, Session]:
        """Take the session's lock row and read the session in one transaction; wait (polling,
        with backoff) while another live process holds it."""
        owner = new_token()
        deadline = time.monotonic() + self.wait_timeout
        pause = 0.001
        while True:
            now = time.time()
            with self._transaction() as db:
                row = db.execute(
                    "SELECT owner, pid, expires FROM locks WHERE id = ?", (session_id,)
                ).fetchone()
                if row is None or self._stale(row, now):
                    db.execute(
                        "INSERT OR REPLACE INTO locks (id, owner, pid, expires)"
                        " VALUES (?, ?, ?, ?)",
                        (session_id, owner, os.getpid(), now + self.lock_timeout),
                    )
                    data = db.execute(
                        "SELECT data FROM sessions WHERE id = ? AND seen >= ?",
                        (session_id, now - self.ttl),
                    ).fetchone()
                    _HELD.add(owner)
                    return owner, decode(data[0]) if data else Session()
            if time.monotonic() + pause > deadline:
                raise StoreError(busy_message(session_id, self.wait_timeout))
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def _stale(self, row: tuple[str, int, float], now: float) -> bool:
        """A lock whose holder is gone: expired, its process dead, or this process's but not
        held by it (a process before a restart had the same pid)."""
        owner, pid, expires = row
        if expires < now:
            log.warning("taking over a session lock that expired (held by pid %s)", pid)
            return True
        if pid == os.getpid():
            return owner not in _HELD
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            log.warning("taking over a session lock left by pid %s, which is gone", pid)
            return True
        except PermissionError:
            return False
        return False

    def _save_and_release(self, session_id: str, session: Session, owner: str) -> None:
        try:
            with self._transaction() as db:
                if (
                    db.execute(
                        "DELETE FROM locks WHERE id = ? AND owner = ?", (session_id, owner)
                    ).rowcount
                    != 1
                ):
                    raise StoreError(lost_lock_message(session_id, self.lock_timeout))
                self._write(db, session_id, session)
        finally:
            _HELD.discard(owner)
        self._purge()

    def _release(self, session_id: str, owner: str) -> None:
        try:
            with self._transaction() as db:
                db.execute("DELETE FROM locks WHERE id = ? AND owner = ?", (session_id, owner))
        except StoreError:
            log.warning(
                "could not release the lock of session %r; it expires in %gs",
                session_id,
                self.lock_timeout,
            )
        finally:
            _HELD.discard(owner)

    # -- the database --------------------------------------------------------------------------

    def _setup(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder for the session database {self.path}: {exc}"
            ) from None
        try:
            with closing(
                sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT, isolation_level=None)
            ) as db:
                db.execute("PRAGMA journal_mode=WAL")
                for statement in _SCHEMA:
                    db.execute(statement)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot set up the session database {self.path}: {exc}") from None

    def _db(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections must not be shared between threads)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            try:
                # no busy timeout: _run waits for other writers itself, more finely
                db = sqlite3.connect(
                    self.path, timeout=0.0, isolation_level=None, check_same_thread=False
                )
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open the session database {self.path}: {exc}") from None
            try:
                # with WAL: safe when a process crashes. Even a pragma may find the database
                # busy (another connection is checkpointing), so it waits like any statement.
                self._run(db, "PRAGMA synchronous=NORMAL")
            except StoreError:
                db.close()
                raise
            self._local.db = db
            with self._guard:
                self._connections.append(db)
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once (BEGIN IMMEDIATE) so two writers never deadlock."""
        db = self._db()
        # one writer per process at a time: its threads wait on a lock, not by polling SQLite
        with self._writer:
            self._run(db, "BEGIN IMMEDIATE")
            try:
                yield db
                self._run(db, "COMMIT")
            except BaseException as exc:
                _rollback(db)
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"session database {self.path}: {exc}") from None
                raise

    def _run(
        self, db: sqlite3.Connection, sql: str, args: tuple[object, ...] = ()
    ) -> sqlite3.Cursor:
        """Run one statement, retrying while another process holds the write lock. SQLite's own
        busy handler sleeps 1, 2, 5, 10... ms; our transactions last tens of microseconds, so we
        poll much more finely (from 50 us), which keeps the tail latency low."""
        deadline = time.monotonic() + _BUSY_TIMEOUT
        pause = 0.00005
        while True:
            try:
                return db.execute(sql, args)
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() + pause > deadline:
                    raise StoreError(f"session database {self.path}: {exc}") from None
            except sqlite3.Error as exc:
                raise StoreError(f"session database {self.path}: {exc}") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.002)

    def _execute(self, sql: str, args: tuple[object, ...] = ()) -> sqlite3.Cursor:
        return self._run(self._db(), sql, args)

    @staticmethod
    def _write(db: sqlite3.Connection, session_id: str, session: Session) -> None:
        db.execute(
            "INSERT OR REPLACE INTO sessions (id, data, seen) VALUES (?, ?, ?)",
            (session_id, encode(session), time.time()),
        )

    def _purge(self) -> None:
        """Now and then, delete sessions idle longer than the TTL (get() already ignores them)."""
        now = time.monotonic()
        if now - self._last_purge < _PURGE_EVERY:
            return
        self._last_purge = now
        try:
            with self._transaction() as db:
                count = db.execute(
                    "DELETE FROM sessions WHERE seen < ?", (time.time() - self.ttl,)
                ).rowcount
        except StoreError as exc:
            log.warning("could not delete expired sessions: %s", exc)
            return
        if count:
            log.info("deleted %d expired session(s)", count)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    """Another connection holds the lock (the primary result code, without extended bits)."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )


def _rollback(db: sqlite3.Connection) -> None:
    try:
        db.execute("ROLLBACK")
    except sqlite3.Error:  # no transaction left to roll back (the failed COMMIT ended it)
        pass
