"""The Matrix adapter against a real Synapse on loopback, seen through people's Matrix clients."""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import pytest

from bot import Engine, MemoryStore, SessionStore, open_store

from .synapse_server import Synapse, start_synapse

try:
    import nio

    from bot.matrix.service import MatrixBot, MatrixConfig
except ImportError:  # the fixture skips, and under CI a skipped real_server test fails the run
    nio = None

pytestmark = pytest.mark.real_server

BOT, BOT_PASSWORD = "careerbot", "bot-password"
WAIT = 20.0  # seconds to wait for an answer before calling it lost
GOOGLE = "What is Google's hiring process?"
SOURCE = "How to Become an ML Engineer at Top-Tier Companies"


@dataclass
class Accounts:
    server: Synapse
    bot: str
    bot_token: str
    people: dict[str, str]  # localpart -> user id
    admin_token: str


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Accounts]:
    if nio is None:
        pytest.skip("matrix-nio is not installed (pip install '.[matrix]')")
    try:
        server = start_synapse(tmp_path_factory.mktemp("synapse"))
    except FileNotFoundError as exc:
        pytest.skip(f"Synapse is not available: {exc} (.ci/run installs it)")
    try:
        bot = server.register(BOT, BOT_PASSWORD)
        people = {name: server.register(name, name + "-password") for name in ("alice", "bob")}
        server.register("admin", "admin-password", admin=True)
        yield Accounts(
            server,
            bot,
            server.login(BOT, BOT_PASSWORD),
            people,
            server.login("admin", "admin-password"),
        )
    finally:
        server.stop()


# -- a person's client -----------------------------------------------------------------------


class Person:
    """A person's own Matrix client: sends messages, and collects what others send per room."""

    def __init__(self, server: Synapse, localpart: str) -> None:
        self.localpart = localpart
        self.client = nio.AsyncClient(server.url, f"@{localpart}:localhost")
        self.inbox: dict[str, asyncio.Queue[tuple[Any, float]]] = defaultdict(asyncio.Queue)
        self.typing: list[tuple[str, tuple[str, ...]]] = []  # (room, who is typing) as seen
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        response = await self.client.login(self.localpart + "-password")
        assert isinstance(response, nio.LoginResponse), response
        await self.client.sync(timeout=0)  # from now on: only new messages
        self._task = asyncio.create_task(self._listen())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task:
            self._task.cancel()
        await self.client.close()

    async def _listen(self) -> None:
        while True:
            response = await self.client.sync(timeout=30_000)
            if not isinstance(response, nio.SyncResponse):
                await asyncio.sleep(0.1)
                continue
            arrived = time.perf_counter()
            for room_id, info in response.rooms.join.items():
                for ephemeral in info.ephemeral:
                    if isinstance(ephemeral, nio.TypingNoticeEvent):
                        self.typing.append((room_id, tuple(ephemeral.users)))
                for event in info.timeline.events:
                    if isinstance(event, nio.RoomMessage) and event.sender != self.client.user_id:
                        self.inbox[room_id].put_nowait((event, arrived))
            for room_id in response.rooms.invite:
                await self.client.join(room_id)

    async def direct_chat(self, bot: str) -> str:
        """A new direct chat with the bot; returns once the bot has joined and said hello."""
        response = await self.client.room_create(
            invite=[bot], is_direct=True, preset=nio.RoomPreset.trusted_private_chat
        )
        assert isinstance(response, nio.RoomCreateResponse), response
        hello = await self.next_message(response.room_id)
        assert "career advice for Machine Learning engineers" in hello["body"]
        return str(response.room_id)

    async def send(self, room_id: str, text: str, **extra: Any) -> tuple[str, float]:
        """Send `text`; its event id and when it was sent."""
        started = time.perf_counter()
        response = await self.client.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": text, **extra}
        )
        assert isinstance(response, nio.RoomSendResponse), response
        return str(response.event_id), started

    async def ask(self, room_id: str, text: str) -> dict[str, Any]:
        """Send `text` and return the content of the next message someone else sends there."""
        await self.send(room_id, text)
        return await self.next_message(room_id)

    async def next_message(self, room_id: str, wait: float = WAIT) -> dict[str, Any]:
        event, _ = await asyncio.wait_for(self.inbox[room_id].get(), wait)
        return dict(event.source["content"])

    async def silence(self, room_id: str, seconds: float = 1.5) -> None:
        """Fail if anyone else says anything in the room within `seconds`."""
        try:
            event, _ = await asyncio.wait_for(self.inbox[room_id].get(), seconds)
        except TimeoutError:
            return
        pytest.fail(f"unexpected message in {room_id}: {event.source['content'].get('body')!r}")


@asynccontextmanager
async def running_bot(
    accounts: Accounts, state: Path, store: SessionStore | None = None, engine: Engine | None = None
) -> AsyncIterator[MatrixBot]:
    """The bot in this process, logged in with its access token, until the block ends."""
    engine = engine or Engine.load(store=store if store is not None else MemoryStore())
    bot = MatrixBot(
        engine,
        MatrixConfig(
            accounts.server.url,
            access_token=accounts.bot_token,
            state_path=state,
            sync_timeout_ms=10_000,
        ),
    )
    task = asyncio.create_task(bot.run())
    ready = asyncio.create_task(bot.ready.wait())
    done, _ = await asyncio.wait({task, ready}, timeout=WAIT, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        ready.cancel()
        task.result()  # raises what stopped it
    assert ready in done, "the bot did not finish its first sync"
    try:
        yield bot
    finally:
        await bot.stop()
        await asyncio.wait_for(task, WAIT)


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


# -- tests -----------------------------------------------------------------------------------


def test_a_question_gets_its_answer_with_sources_and_follow_ups_in_context(
    matrix: Accounts, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with (
            running_bot(matrix, tmp_path / "state.json"),
            Person(matrix.server, "alice") as alice,
        ):
            room = await alice.direct_chat(matrix.bot)
            answer = await alice.ask(room, GOOGLE)
            assert answer["msgtype"] == "m.notice"
            assert answer["body"].startswith("Google's hiring for ML engineers")
            assert f"Sources: {SOURCE}" in answer["body"]
            assert "1. What are the general interview stages?" in answer["body"]
            assert answer["format"] == "org.matrix.custom.html"
            html = answer["formatted_body"]
            assert "<ul><li>Coding round focused on algorithms.</li>" in html
            assert "<ol><li>What are the general interview stages?</li>" in html

            follow_up = await alice.ask(room, "and Amazon?")
            assert follow_up["body"].startswith("Amazon's hiring for ML engineers")

            picked = await alice.ask(room, "2")
            assert picked["body"].startswith(
                "→ What are their notable ML projects?\n\nNotable ML projects at Amazon"
            )

            sources = await alice.ask(room, "!sources")
            assert "The last answer comes from:" in sources["body"]
            assert "Amazon" in sources["body"] and SOURCE in sources["body"]

            # the bot was seen typing, and stopped
            assert (room, (matrix.bot,)) in alice.typing
            deadline = time.monotonic() + WAIT
            while alice.typing[-1] != (room, ()) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert alice.typing[-1] == (room, ())

    run(scenario())


def test_two_people_in_two_rooms_keep_separate_sessions(matrix: Accounts, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with (
            running_bot(matrix, tmp_path / "state.json"),
            Person(matrix.server, "alice") as alice,
            Person(matrix.server, "bob") as bob,
        ):
            alice_room, bob_room = await asyncio.gather(
                alice.direct_chat(matrix.bot), bob.direct_chat(matrix.bot)
            )
            assert (await alice.ask(alice_room, GOOGLE))["body"].startswith("Google's hiring")
            assert (await bob.ask(bob_room, "What does Meta look for?"))["body"].startswith(
                "Meta's hiring"
            )
            # each follow-up continues its own conversation
            assert (await alice.ask(alice_room, "and Amazon?"))["body"].startswith(
                "Amazon's hiring"
            )
            assert (await bob.ask(bob_room, "what are their projects?"))["body"].startswith(
                "Notable ML projects at Meta"
            )
            assert (await bob.ask(bob_room, "I live in Seattle"))["body"].startswith("Got it")
            assert "Seattle" in (await bob.ask(bob_room, "!profile"))["body"]
            assert (
                "I don't know anything about you yet"
                in (await alice.ask(alice_room, "!profile"))["body"]
            )
            # forgetting one conversation leaves the other alone
            assert "forgotten" in (await bob.ask(bob_room, "!reset"))["body"]
            assert "Amazon" in (await alice.ask(alice_room, "!why"))["body"]
            assert "Ask me a question first" in (await bob.ask(bob_room, "!why"))["body"]

    run(scenario())


def test_in_a_group_room_only_messages_addressed_to_the_bot_are_answered(
    matrix: Accounts, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with (
            running_bot(matrix, tmp_path / "state.json"),
            Person(matrix.server, "alice") as alice,
            Person(matrix.server, "bob") as bob,
        ):
            created = await alice.client.room_create(
                name="ML careers", invite=[matrix.bot, bob.client.user_id]
            )
            room = created.room_id
            hello = await alice.next_message(room)  # bob joins too (his client accepts invites)
            while "career advice" not in hello.get("body", ""):
                hello = await alice.next_message(room)
            assert f'start your message with "{BOT}:"' in hello["body"]

            await alice.send(room, "What is Google's hiring process, bob?")
            question, _ = await alice.send(room, f"{BOT}: {GOOGLE}")
            answer = await alice.next_message(room)
            assert answer["body"].startswith("Google's hiring")  # the unaddressed one got nothing
            assert answer["m.relates_to"] == {"m.in_reply_to": {"event_id": question}}
            assert answer["m.mentions"] == {"user_ids": [alice.client.user_id]}

            pill = f'<a href="https://matrix.to/#/{matrix.bot}">{BOT}</a> and Amazon?'
            await alice.send(
                room,
                f"{BOT} and Amazon?",
                format="org.matrix.custom.html",
                formatted_body=pill,
                **{"m.mentions": {"user_ids": [matrix.bot]}},
            )
            assert (await alice.next_message(room))["body"].startswith("Amazon's hiring")
            # bob's "and Amazon?" in the same room starts his own conversation
            bob_answer = await bob.ask(room, f"@{BOT}, and Amazon?")
            while bob_answer.get("m.mentions") != {"user_ids": [bob.client.user_id]}:
                bob_answer = await bob.next_message(room)
            assert not bob_answer["body"].startswith("Amazon's hiring")

    run(scenario())


def test_a_restart_keeps_the_conversation_and_answers_nothing_twice(
    matrix: Accounts, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    shared = MemoryStore()

    def store() -> SessionStore:
        """SQLite when the store exists (it lives on another branch), else one memory store kept
        across the two runs, which is what a persistent store gives a new process."""
        try:
            return open_store(f"sqlite:///{tmp_path / 'sessions.db'}")
        except ImportError:
            return shared

    async def scenario() -> None:
        async with Person(matrix.server, "alice") as alice:
            async with running_bot(matrix, state, store()):
                room = await alice.direct_chat(matrix.bot)
                assert (await alice.ask(room, GOOGLE))["body"].startswith("Google's hiring")
            # the bot is down: this waits for it
            await alice.send(room, "and Amazon?")
            await alice.silence(room, 0.5)
            async with running_bot(matrix, state, store()) as bot:
                answer = await alice.next_message(room)
                assert answer["body"].startswith("Amazon's hiring")  # not Google's again
                await alice.silence(room)
                assert bot.answered == 1

    run(scenario())


def test_rate_limited_answers_are_retried_until_sent(matrix: Accounts, tmp_path: Path) -> None:
    path = f"/_synapse/admin/v1/users/{matrix.bot}/override_ratelimit"
    matrix.server.admin(
        matrix.admin_token, "POST", path, {"messages_per_second": 2, "burst_count": 1}
    )

    async def scenario() -> None:
        async with (
            running_bot(matrix, tmp_path / "state.json"),
            Person(matrix.server, "alice") as alice,
        ):
            room = await alice.direct_chat(matrix.bot)
            for question in (GOOGLE, "and Amazon?", "and Meta?"):
                await alice.send(room, question)
            bodies = [(await alice.next_message(room))["body"] for _ in range(3)]
            assert [b.split("'")[0] for b in bodies] == ["Google", "Amazon", "Meta"]

    try:
        run(scenario())
    finally:
        matrix.server.admin(matrix.admin_token, "DELETE", path, {})


def test_the_careerbot_matrix_command_answers_and_stops_on_sigterm(
    matrix: Accounts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The installed command with a password login, and the round trip a person sees."""
    env = {
        **os.environ,
        "CAREERBOT_MATRIX_HOMESERVER": matrix.server.url,
        "CAREERBOT_MATRIX_USER_ID": matrix.bot,
        "CAREERBOT_MATRIX_PASSWORD": BOT_PASSWORD,
    }
    env.pop("CAREERBOT_MATRIX_ACCESS_TOKEN", None)
    log = tmp_path / "bot.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "matrix", "--state", str(tmp_path / "state.json")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )

    async def scenario() -> list[float]:
        async with Person(matrix.server, "alice") as alice:
            deadline = time.monotonic() + WAIT
            while "logged in" not in log.read_text() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            room = await alice.direct_chat(matrix.bot)
            times = []
            for question in [GOOGLE, "and Amazon?", "how much do ML engineers make?", "2"] * 5:
                _, sent = await alice.send(room, question)
                event, arrived = await asyncio.wait_for(alice.inbox[room].get(), WAIT)
                assert event.sender == matrix.bot and "body" in event.source["content"]
                times.append(arrived - sent)
            return times

    try:
        times = run(scenario())
    finally:
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=WAIT)
    assert status == 0, log.read_text()
    assert "stopped after answering 20 message(s)" in log.read_text()
    median, p90 = statistics.median(times), statistics.quantiles(times, n=10)[-1]
    with capsys.disabled():
        print(
            f"\nMatrix round trip on loopback, message to answer, over {len(times)} messages: "
            f"median {median * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms"
        )
    assert median < 1.0
