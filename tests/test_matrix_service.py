"""The Matrix bot's handling of events, with matrix-nio's own event types and a recording client."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot import Engine, MemoryStore
from bot.errors import UsageError

nio = pytest.importorskip("nio")

from bot.matrix import command
from bot.matrix.retry import Backoff
from bot.matrix.service import MatrixBot, MatrixConfig, is_direct

BOT = "@careerbot:example.org"
ALICE, BOB = "@alice:example.org", "@bob:example.org"
ROOM = "!room:example.org"


class RecordingClient:
    """Stands in for nio's AsyncClient: records typing notices and sends, in order; the first
    `limited` sends are refused with a rate limit."""

    def __init__(self, limited: int = 0) -> None:
        self.user_id = BOT
        self.rooms: dict[str, Any] = {}
        self.calls: list[tuple[str, Any]] = []
        self.limited = limited

    async def room_typing(self, room_id: str, on: bool, timeout: int = 0) -> None:
        self.calls.append(("typing", on))

    async def room_send(
        self, room_id: str, kind: str, content: dict[str, Any], tx_id: str = ""
    ) -> Any:
        if self.limited:
            self.limited -= 1
            self.calls.append(("limited", tx_id))
            return nio.RoomSendError("Too Many Requests", "M_LIMIT_EXCEEDED", retry_after_ms=1)
        self.calls.append(("send", {"room": room_id, "content": content, "txn": tx_id}))
        return nio.RoomSendResponse("$answer" + str(len(self.calls)), room_id)

    def sent(self) -> list[dict[str, Any]]:
        return [value for name, value in self.calls if name == "send"]


def make_bot(tmp_path: Path, client: RecordingClient, engine: Engine | None = None) -> MatrixBot:
    engine = engine or Engine.load(store=MemoryStore())
    config = MatrixConfig(
        "http://127.0.0.1:1",
        access_token="token",
        state_path=tmp_path / "state.json",
        request_backoff=Backoff(first=0.001, attempts=3),
    )
    bot = MatrixBot(engine, config)
    bot.client = client  # type: ignore[assignment]
    bot.state = bot._load_state(BOT)
    return bot


def room(*people: str, invited: tuple[str, ...] = ()) -> Any:
    r = nio.MatrixRoom(ROOM, BOT)
    for user in (BOT, *people):
        r.add_member(user, None, None)
    for user in invited:
        r.add_member(user, None, None, invited=True)
    return r


def text_event(body: str, sender: str = ALICE, event_id: str = "$q1", **content: Any) -> Any:
    return nio.RoomMessageText.from_dict(
        {
            "type": "m.room.message",
            "event_id": event_id,
            "sender": sender,
            "origin_server_ts": 1,
            "content": {"msgtype": "m.text", "body": body, **content},
        }
    )


def handle(bot: MatrixBot, r: Any, *events: Any) -> None:
    asyncio.run(_events(bot, r, events))


async def _events(bot: MatrixBot, r: Any, events: tuple[Any, ...]) -> None:
    bot.client.rooms[r.room_id] = r
    for event in events:
        await bot._event(r, event)


def test_an_answer_is_sent_between_typing_notices_and_remembered(tmp_path: Path) -> None:
    client = RecordingClient()
    bot = make_bot(tmp_path, client)
    handle(bot, room(ALICE), text_event("what is Google's hiring process?"))
    assert [name for name, _ in client.calls] == ["typing", "send", "typing"]
    assert [on for name, on in client.calls if name == "typing"] == [True, False]
    sent = client.sent()[0]
    assert sent["content"]["body"].startswith("Google's hiring")
    assert sent["content"]["m.mentions"] == {}  # a direct chat: no reply, no ping
    assert sent["txn"].startswith("careerbot-")
    assert bot._state().answered("$q1") and bot.answered == 1
    # the same event again (a replayed sync) is not answered twice
    handle(bot, room(ALICE), text_event("what is Google's hiring process?"))
    assert len(client.sent()) == 1


def test_the_transaction_id_is_fixed_by_the_question(tmp_path: Path) -> None:
    first, second = RecordingClient(), RecordingClient()
    handle(make_bot(tmp_path / "a", first), room(ALICE), text_event("hi", event_id="$same"))
    handle(make_bot(tmp_path / "b", second), room(ALICE), text_event("hi", event_id="$same"))
    assert first.sent()[0]["txn"] == second.sent()[0]["txn"]


def test_a_rate_limited_send_is_retried_with_the_same_transaction(tmp_path: Path) -> None:
    client = RecordingClient(limited=2)
    bot = make_bot(tmp_path, client)
    handle(bot, room(ALICE), text_event("how much do ML engineers make?"))
    names = [name for name, _ in client.calls]
    assert names == ["typing", "limited", "limited", "send", "typing"]
    assert client.calls[1][1] == client.calls[2][1] == client.sent()[0]["txn"]


def test_a_send_that_keeps_failing_is_given_up_and_not_marked_answered(tmp_path: Path) -> None:
    client = RecordingClient(limited=10)
    bot = make_bot(tmp_path, client)
    handle(bot, room(ALICE), text_event("hi"))
    assert client.sent() == [] and not bot._state().answered("$q1")
    assert client.calls[-1] == ("typing", False)  # the typing notice is withdrawn all the same


def test_the_bot_ignores_itself_notices_and_edits(tmp_path: Path) -> None:
    client = RecordingClient()
    bot = make_bot(tmp_path, client)
    notice = nio.RoomMessageNotice.from_dict(
        {
            "type": "m.room.message",
            "event_id": "$n",
            "sender": ALICE,
            "origin_server_ts": 1,
            "content": {"msgtype": "m.notice", "body": "another bot"},
        }
    )
    edit = text_event(
        "* hi", event_id="$e", **{"m.relates_to": {"rel_type": "m.replace", "event_id": "$q"}}
    )
    handle(bot, room(ALICE), text_event("hi", sender=BOT, event_id="$own"), notice, edit)
    assert client.calls == []


def test_in_a_group_room_it_answers_only_when_addressed_and_replies_to_the_asker(
    tmp_path: Path,
) -> None:
    client = RecordingClient()
    bot = make_bot(tmp_path, client)
    group = room(ALICE, BOB)
    assert not is_direct(group) and is_direct(room(ALICE)) and is_direct(room(invited=(ALICE,)))
    handle(
        bot,
        group,
        text_event("what is Google's hiring process?", event_id="$a"),
        text_event("careerbot: what is Google's hiring process?", sender=BOB, event_id="$b"),
    )
    (sent,) = client.sent()
    assert sent["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": "$b"}}
    assert sent["content"]["m.mentions"] == {"user_ids": [BOB]}


def test_commands_go_to_the_chat_commands(tmp_path: Path) -> None:
    client = RecordingClient()
    bot = make_bot(tmp_path, client)
    handle(bot, room(ALICE), text_event("!help"))
    assert "!reset" in client.sent()[0]["content"]["body"]


def test_a_number_asks_the_suggestion_shown_even_after_a_decline(tmp_path: Path) -> None:
    client = RecordingClient()
    bot = make_bot(tmp_path, client)
    handle(
        bot,
        room(ALICE),
        text_event("what is Google's hiring process?", event_id="$1"),
        text_event("asdf qwerty", event_id="$2"),
        text_event("1", event_id="$3"),
        text_event("9", event_id="$4"),
        text_event("!reset", event_id="$5"),
    )
    bodies = [sent["content"]["body"] for sent in client.sent()]
    declined = bodies[1].split("1. ", 1)[1].split("\n")[0]  # the first suggestion shown
    assert bodies[2].startswith(f"→ {declined}\n\n")
    assert bodies[3].startswith("There is no question 9 here")
    assert "forgotten" in bodies[4]
    assert bot.shown.resolve("matrix:!room:example.org @alice:example.org", "1") == "1"


def test_an_encrypted_room_is_told_once_that_the_bot_cannot_read_it(tmp_path: Path) -> None:
    client = RecordingClient()
    bot = make_bot(tmp_path, client)
    encrypted = [
        nio.MegolmEvent.from_dict(
            {
                "type": "m.room.encrypted",
                "event_id": f"$m{i}",
                "sender": ALICE,
                "origin_server_ts": 1,
                "content": {
                    "algorithm": "m.megolm.v1.aes-sha2",
                    "ciphertext": "x",
                    "sender_key": "k",
                    "device_id": "D",
                    "session_id": "s",
                },
            }
        )
        for i in range(2)
    ]
    handle(bot, room(ALICE), *encrypted)
    (sent,) = client.sent()
    assert "end-to-end encrypted" in sent["content"]["body"]


def test_in_a_room_just_joined_only_messages_since_the_invite_count(tmp_path: Path) -> None:
    bot = make_bot(tmp_path, RecordingClient())
    invite = nio.RoomMemberEvent.from_dict(
        {
            "type": "m.room.member",
            "event_id": "$i",
            "sender": ALICE,
            "state_key": BOT,
            "origin_server_ts": 1,
            "content": {"membership": "invite"},
        }
    )
    old, new = text_event("old", event_id="$old"), text_event("new", event_id="$new")
    assert bot._since_invite([old, invite, new]) == [new]
    assert bot._since_invite([old, new]) == [old, new]


def test_the_config_needs_a_homeserver_url_and_credentials() -> None:
    with pytest.raises(UsageError, match="http"):
        MatrixConfig("matrix.example.org", access_token="t")
    with pytest.raises(UsageError, match="no credentials"):
        MatrixConfig("https://matrix.example.org")
    with pytest.raises(UsageError, match="user id"):
        MatrixConfig("https://matrix.example.org", password="secret")


def test_credentials_come_from_the_environment() -> None:
    args = argparse.Namespace(homeserver=None, user_id=None, state=None)
    env = {command.ENV_HOMESERVER: "https://matrix.example.org", command.ENV_TOKEN: "t0k"}
    config = command.config_from(args, env)
    assert (config.homeserver, config.access_token, config.password) == (
        "https://matrix.example.org",
        "t0k",
        None,
    )
    with pytest.raises(UsageError, match="no homeserver"):
        command.config_from(args, {command.ENV_TOKEN: "t0k"})


def test_an_unreachable_homeserver_is_waited_for_until_stopped(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    config = MatrixConfig(
        f"http://127.0.0.1:{port}",
        access_token="t",
        state_path=tmp_path / "s.json",
        sync_backoff=Backoff(first=0.01, cap=0.05, attempts=None),
    )
    bot = MatrixBot(Engine.load(store=MemoryStore()), config)

    async def scenario() -> None:
        task = asyncio.create_task(bot.run())
        await asyncio.sleep(0.3)
        assert not task.done()  # still trying
        await bot.stop()
        await asyncio.wait_for(task, 5)

    asyncio.run(scenario())
    assert not bot.ready.is_set()
