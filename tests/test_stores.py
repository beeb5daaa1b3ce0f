"""The session-store contract, run against every store: memory, SQLite and a real redis-server."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot import Engine, MemoryStore, Session, SessionStore, StoreError, UsageError, open_store
from bot.stores import default_sqlite_path
from bot.stores.sqlite import SQLiteStore

KINDS = ["memory", "sqlite", pytest.param("redis", marks=pytest.mark.real_server)]
MakeStore = Callable[..., SessionStore]


@pytest.fixture(params=KINDS)
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStore]:
    """A function making a fresh store of one kind (all made by one test share their data)."""
    made: list[SessionStore] = []
    kind = request.param
    url = {"memory": "memory://", "sqlite": f"sqlite:///{tmp_path}/sessions.db"}.get(kind)
    if kind == "redis":
        url = request.getfixturevalue("redis_url")

    def make(ttl: float = 3600.0) -> SessionStore:
        store = open_store(url, ttl=ttl) if kind != "memory" or not made else made[0]
        made.append(store)
        return store

    make.url = url  # type: ignore[attr-defined]
    make.kind = kind  # type: ignore[attr-defined]
    yield make
    for store in made:
        close = getattr(store, "close", None)
        if close:
            close()


def test_implements_the_protocol(make_store: MakeStore) -> None:
    assert isinstance(make_store(), SessionStore)


def test_absent_session_is_none_and_a_turn_creates_it(make_store: MakeStore) -> None:
    store = make_store()
    assert store.get("alice") is None
    with store.turn("alice") as session:
        assert session == Session()
        session.turns = 1
        session.slots["company"] = "google"
    saved = store.get("alice")
    assert saved is not None and saved.turns == 1 and saved.slots == {"company": "google"}


def test_get_returns_a_copy(make_store: MakeStore) -> None:
    store = make_store()
    store.save("alice", Session(turns=3))
    copy = store.get("alice")
    assert copy is not None
    copy.turns = 99
    assert store.get("alice") == Session(turns=3)


def test_an_error_inside_a_turn_saves_nothing(make_store: MakeStore) -> None:
    store = make_store()
    store.save("alice", Session(turns=1))
    with pytest.raises(RuntimeError), store.turn("alice") as session:
        session.turns = 2
        raise RuntimeError("the engine failed")
    assert store.get("alice") == Session(turns=1)
    with pytest.raises(RuntimeError), store.turn("bob") as session:
        session.turns = 5
        raise RuntimeError("the engine failed")
    assert store.get("bob") is None
    with store.turn("alice") as session:  # the lock was given back
        session.turns += 1
    assert store.get("alice") == Session(turns=2)


def test_save_replaces_and_delete_forgets(make_store: MakeStore) -> None:
    store = make_store()
    profile_session = Session(turns=2)
    profile_session.profile.region = "seattle"
    store.save("alice", profile_session)
    assert store.get("alice") == profile_session
    store.save("alice", Session(turns=7))
    assert store.get("alice") == Session(turns=7)
    store.delete("alice")
    assert store.get("alice") is None
    store.delete("alice")  # no error when there is none
    store.delete("nobody")


def test_ping(make_store: MakeStore) -> None:
    make_store().ping()


def test_unusual_session_ids(make_store: MakeStore) -> None:
    store = make_store()
    for session_id in ("ünïcødé 🙂", "a:b:lock:c", "x" * 128, "'; DROP TABLE sessions; --", "*"):
        with store.turn(session_id) as session:
            session.items.append(session_id)
        assert store.get(session_id) == Session(items=[session_id])
    assert store.get("a") is None


def test_idle_sessions_expire(make_store: MakeStore) -> None:
    store = make_store(ttl=0.4) if make_store.kind != "memory" else MemoryStore(ttl=0.4)  # type: ignore[attr-defined]
    store.save("alice", Session(turns=1))
    with store.turn("bob") as session:
        session.turns = 1
    assert store.get("alice") is not None
    time.sleep(0.6)
    assert store.get("alice") is None and store.get("bob") is None
    with store.turn("alice") as session:
        assert session == Session()  # expired: a turn starts afresh


def test_threads_keep_every_turn_in_order(make_store: MakeStore) -> None:
    store = make_store()
    threads = [
        threading.Thread(target=_turns, args=(store, "shared", f"t{n}", 40)) for n in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _check_order(store.get("shared"), 6 * 40)


def test_two_stores_on_one_url_share_sessions(make_store: MakeStore) -> None:
    first, second = make_store(), make_store()
    with first.turn("alice") as session:
        session.turns = 4
    assert second.get("alice") == Session(turns=4)


# -- several processes ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("redis", marks=pytest.mark.real_server)])
def test_two_processes_hammering_one_session_lose_and_reorder_nothing(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path}/sessions.db"
        if kind == "sqlite"
        else request.getfixturevalue("redis_url")
    )
    open_store(url)  # creates the database before the processes race to
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    count = 50  # turns per thread; three threads per process
    workers = [
        context.Process(target=_process_turns, args=(url, "shared", f"p{n}", count, start))
        for n in range(2)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    _check_order(open_store(url).get("shared"), 2 * 3 * count)


def _process_turns(
    url: str, session_id: str, name: str, count: int, start: multiprocessing.synchronize.Event
) -> None:
    store = open_store(url)
    start.wait(30)
    threads = [
        threading.Thread(target=_turns, args=(store, session_id, f"{name}.{t}", count))
        for t in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _turns(store: SessionStore, session_id: str, name: str, count: int) -> None:
    """Each turn reads the session, pauses (as the engine would think) and appends one item."""
    for i in range(count):
        with store.turn(session_id) as session:
            turns = session.turns
            time.sleep(0.0002)
            session.turns = turns + 1
            session.items.append(f"{name}:{i}")


def _check_order(session: Session | None, total: int) -> None:
    """Every turn is there (none read a state another turn was changing) and each writer's
    turns are in the order it made them."""
    assert session is not None
    assert session.turns == len(session.items) == total, "a turn was lost"
    numbers: dict[str, list[int]] = {}
    for item in session.items:
        name, i = item.rsplit(":", 1)
        numbers.setdefault(name, []).append(int(i))
    for name, seen in numbers.items():
        assert seen == list(range(len(seen))), f"{name}'s turns were reordered"


# -- stores one by one ---------------------------------------------------------------------


def test_sqlite_lock_left_by_a_killed_process_is_taken_over_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/sessions.db"
    store = SQLiteStore.from_url(url)
    context = multiprocessing.get_context("spawn")
    dying = context.Process(target=_die_inside_a_turn, args=(url, "alice"))
    dying.start()
    dying.join(30)
    assert dying.exitcode == 9
    started = time.monotonic()
    with store.turn("alice") as session:  # the lock row of the dead process is still there
        session.turns += 1
    assert time.monotonic() - started < 1.0
    assert store.get("alice") == Session(turns=1)


def _die_inside_a_turn(url: str, session_id: str) -> None:
    store = open_store(url)
    with store.turn(session_id) as session:
        session.turns = 100
        os._exit(9)  # as SIGKILL would: no cleanup, the lock row stays


def test_sqlite_waits_for_a_live_holder_then_gives_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/sessions.db"
    store = SQLiteStore.from_url(url)
    store.wait_timeout = 0.3
    context = multiprocessing.get_context("spawn")
    holding, done = context.Event(), context.Event()
    holder = context.Process(target=_hold_a_turn, args=(url, "alice", holding, done))
    holder.start()
    try:
        assert holding.wait(30)
        started = time.monotonic()
        with pytest.raises(StoreError, match="busy"), store.turn("alice"):
            pass
        assert 0.25 < time.monotonic() - started < 2
    finally:
        done.set()
        holder.join(30)
    with store.turn("alice") as session:
        session.turns += 1
    assert store.get("alice") == Session(turns=2)


def _hold_a_turn(
    url: str,
    session_id: str,
    holding: multiprocessing.synchronize.Event,
    done: multiprocessing.synchronize.Event,
) -> None:
    with open_store(url).turn(session_id) as session:
        session.turns = 1
        holding.set()
        done.wait(30)


def test_sqlite_new_connection_waits_while_another_holds_the_database(tmp_path: Path) -> None:
    """A thread's first statement (even a pragma) may find the file locked by another process:
    it waits like any statement instead of failing the turn."""
    path = tmp_path / "sessions.db"
    store = SQLiteStore(path)
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("PRAGMA locking_mode=EXCLUSIVE")  # with WAL: no other connection may read
    blocker.execute("BEGIN EXCLUSIVE")
    threading.Timer(0.2, blocker.close).start()
    results: list[object] = []
    reader = threading.Thread(target=lambda: results.append(store.get("absent")))
    reader.start()  # a new thread: a new connection
    reader.join(10)
    assert results == [None]


def test_sqlite_two_stores_of_one_process_wait_for_each_other(tmp_path: Path) -> None:
    first = SQLiteStore(tmp_path / "s.db")
    second = SQLiteStore(tmp_path / "s.db", wait_timeout=0.2)
    with first.turn("alice"), pytest.raises(StoreError, match="busy"), second.turn("alice"):
        pass


def test_sqlite_expired_lock_is_taken_over(tmp_path: Path) -> None:
    first = SQLiteStore(tmp_path / "s.db", lock_timeout=0.2)
    second = SQLiteStore(tmp_path / "s.db", lock_timeout=0.2)
    with pytest.raises(StoreError, match="lost the lock"), first.turn("alice") as session:
        time.sleep(0.3)
        with second.turn("alice") as other:  # first's lock expired: second takes the session
            other.turns = 2
        session.turns = 1
    assert first.get("alice") == Session(turns=2)  # first's late save was refused


def test_sqlite_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert SQLiteStore.from_url(f"sqlite:///{tmp_path}/a.db").path == tmp_path / "a.db"
    monkeypatch.chdir(tmp_path)
    assert SQLiteStore.from_url("sqlite:///rel.db").path == Path("rel.db")
    assert SQLiteStore.from_url("sqlite://").path == default_sqlite_path()
    assert str(default_sqlite_path()).startswith(os.environ["XDG_STATE_HOME"])
    for bad in ("sqlite:///:memory:", "sqlite:relative.db"):
        with pytest.raises(UsageError):
            SQLiteStore.from_url(bad)


def test_sqlite_unwritable_folder_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot"):
        SQLiteStore(blocker / "sub" / "s.db")


@pytest.mark.real_server
def test_redis_lock_of_a_dead_holder_expires(redis_url: str) -> None:
    from bot.stores.redis import RedisStore

    first = RedisStore.from_url(redis_url)
    first.lock_timeout = 0.3
    first.client.set("careerbot:lock:alice", "someone-who-died", px=300)
    started = time.monotonic()
    with first.turn("alice") as session:
        session.turns = 1
    assert 0.2 < time.monotonic() - started < 2
    assert first.get("alice") == Session(turns=1)
    assert first.client.get("careerbot:lock:alice") is None
    assert 0 < first.client.pttl("careerbot:session:alice") <= 3600 * 24 * 7 * 1000


def test_redis_down_is_a_store_error() -> None:
    pytest.importorskip("redis")
    from tests.servers import free_port

    store = open_store(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(StoreError, match="session store redis://127.0.0.1"):
        store.ping()
    with pytest.raises(StoreError), store.turn("alice"):
        pass


def test_redis_url_password_is_not_shown() -> None:
    pytest.importorskip("redis")
    store = open_store("redis://user:secret@127.0.0.1:1/0")
    assert "secret" not in repr(store)


def test_engine_keeps_a_conversation_in_sqlite_across_restarts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/sessions.db"
    first = Engine.load(store=open_store(url))
    assert "Google" in first.reply("what is Google's hiring process?", session="alice").text
    second = Engine.load(store=open_store(url))  # another process, later
    reply = second.reply("and Amazon?", session="alice")
    assert reply.intent == "company_hiring" and "Amazon" in reply.text
