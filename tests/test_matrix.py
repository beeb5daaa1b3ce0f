"""The Matrix adapter's parts that need no homeserver: messages, addressing, commands, retries."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot import Citation, Engine, Reply
from bot.errors import StoreError
from bot.inputs import MAX_SESSION_ID, check_session_id
from bot.matrix.addressing import Identity, addressed_text, session_id
from bot.matrix.chat import (
    COMMANDS,
    NoSuchSuggestion,
    ShownSuggestions,
    command_name,
    is_command,
    run_command,
)
from bot.matrix.message import Block, render, reply_message, text_blocks
from bot.matrix.retry import Backoff, Exhausted, retry
from bot.matrix.syncstate import MAX_ANSWERED, SyncState, default_path

ME = Identity.of("@careerbot:example.org", "CareerBot")


# -- messages ---------------------------------------------------------------------------------


def test_an_answer_has_the_same_content_as_html_and_as_plain_text() -> None:
    reply = Reply(
        "Google's hiring for ML engineers (Guide):\n- Coding round.\n- System design.",
        "company_hiring",
        0.9,
        suggestions=("What are their projects?", "Compare Google and Meta"),
        citations=(Citation("top", "Guide", "Google — Hiring"),),
    )
    message = reply_message(reply)
    assert message.body == (
        "Google's hiring for ML engineers (Guide):\n\n- Coding round.\n- System design.\n\n"
        "Sources: Guide\n\n"
        "You could ask (reply with a number to ask one):\n\n"
        "1. What are their projects?\n2. Compare Google and Meta"
    )
    assert message.html == (
        "<p><strong>Google's hiring for ML engineers (Guide):</strong></p>"
        "<ul><li>Coding round.</li><li>System design.</li></ul>"
        "<p><em>Sources: Guide</em></p>"
        "<p><strong>You could ask (reply with a number to ask one):</strong></p>"
        "<ol><li>What are their projects?</li><li>Compare Google and Meta</li></ol>"
    )
    content = message.content()
    assert content["msgtype"] == "m.notice" and content["format"] == "org.matrix.custom.html"


def test_what_people_wrote_is_escaped_not_markup() -> None:
    message = render([Block("p", "<script>alert(1)</script> & <b>")])
    assert message.html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;</p>"
    assert message.body == "<script>alert(1)</script> & <b>"


def test_a_decline_offers_questions_to_try_and_a_notice_comes_first() -> None:
    reply = Reply(
        "I don't know that.",
        kind="decline",
        suggestions=("How much?",),
        notice="I read only the start of your message.",
    )
    body = reply_message(reply).body
    assert body.startswith("I read only the start of your message.\n\nI don't know that.")
    assert "Try (reply with a number to ask one):\n\n1. How much?" in body


def test_a_multi_part_reply_is_one_message_with_labelled_parts_and_their_own_sources() -> None:
    first = Reply("Pay:\n- $150,000", "salary", citations=(Citation("a", "Guide A", "Pay"),))
    second = Reply(
        "Skills: Python and SQL.",
        "skills",
        citations=(Citation("b", "Guide B", "Skills"),),
        suggestions=("Which skills are missing?",),
    )
    reply = Reply(
        "Pay:\n- $150,000\n\nSkills: Python and SQL.", kind="multi", parts=(first, second)
    )
    message = reply_message(reply)
    assert message.body == (
        "[1/2] Pay:\n\n- $150,000\n\nSources: Guide A\n\n———\n\n"
        "[2/2] Skills: Python and SQL.\n\nSources: Guide B\n\n"
        "You could ask (reply with a number to ask one):\n\n1. Which skills are missing?"
    )
    assert message.html.count("<hr>") == 1
    assert "<p><strong>[1/2] Pay:</strong></p>" in message.html


def test_engine_text_becomes_headings_lists_and_paragraphs() -> None:
    blocks = text_blocks("Intro line\nsecond line\n\nHeading:\n- one\n- two\nAfter the list")
    assert blocks == [
        Block("p", "Intro line\nsecond line"),
        Block("h", "Heading:"),
        Block("ul", items=("one", "two")),
        Block("p", "After the list"),
    ]


def test_every_real_answer_renders(engine: Engine) -> None:
    for question in (
        "what is Google's hiring process?",
        "how much do ML engineers make?",
        "compare google and meta",
        "asdf qwerty",
        "hi",
    ):
        reply = engine.reply(question, session="render")
        message = reply_message(reply)
        assert reply.text.splitlines()[0] in message.body
        assert message.html.startswith("<p>")


# -- addressing and sessions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("careerbot: how much?", "how much?"),
        ("CareerBot, how much?", "how much?"),
        ("@careerbot how much?", "how much?"),
        ("@careerbot:example.org: how much?", "how much?"),
        ("careerbot", ""),
        ("careerbots are great", None),
        ("how much do they make?", None),
        ("what does @careerbot:example.org think?", "what does think?"),
    ],
)
def test_in_a_group_room_a_message_is_for_the_bot_when_it_starts_with_its_name(
    body: str, expected: str | None
) -> None:
    assert addressed_text({"body": body}, ME, direct=False) == expected


def test_a_mention_anywhere_addresses_the_bot_and_the_name_is_taken_out() -> None:
    content = {"body": "hey CareerBot what is the pay?", "m.mentions": {"user_ids": [ME.user_id]}}
    assert addressed_text(content, ME, direct=False) == "hey what is the pay?"
    pill = {
        "body": "ask CareerBot: pay?",
        "formatted_body": f'ask <a href="https://matrix.to/#/{ME.user_id}">CareerBot</a>: pay?',
    }
    assert addressed_text(pill, ME, direct=False) == "ask pay?"


def test_in_a_direct_chat_every_message_is_for_the_bot() -> None:
    assert addressed_text({"body": "  how much?  "}, ME, direct=True) == "how much?"
    assert addressed_text({"body": "careerbot: how much?"}, ME, direct=True) == "how much?"
    assert addressed_text({"msgtype": "m.text"}, ME, direct=True) is None


def test_a_reply_loses_the_quoted_fallback_of_older_clients() -> None:
    content = {
        "body": "> <@alice:example.org> earlier\n> more\n\nand Amazon?",
        "m.relates_to": {"m.in_reply_to": {"event_id": "$x"}},
    }
    assert addressed_text(content, ME, direct=True) == "and Amazon?"


def test_a_session_is_one_person_in_one_room_within_the_engines_limits() -> None:
    alice = session_id("!room:example.org", "@alice:example.org")
    assert alice == "matrix:!room:example.org @alice:example.org"
    assert alice != session_id("!other:example.org", "@alice:example.org")
    assert alice != session_id("!room:example.org", "@bob:example.org")
    long = session_id("!" + "r" * 200 + ":example.org", "@alice:example.org")
    odd = session_id("!room:example.org", "@al\x07ice:example.org")
    for sid in (long, odd):
        assert sid.startswith("matrix:sha256:") and len(sid) <= MAX_SESSION_ID
        assert check_session_id(sid) == sid
    assert long != session_id("!" + "r" * 200 + ":example.org", "@bob:example.org")


# -- chat commands ----------------------------------------------------------------------------


def test_commands_mirror_the_repl_slash_commands() -> None:
    assert set(COMMANDS) == {"!help", "!topics", "!why", "!sources", "!profile", "!reset"}
    assert is_command("!help") and not is_command("! not a command") and not is_command("!")


def test_help_and_topics(engine: Engine) -> None:
    help_text = run_command(engine, "matrix:help", "!help").body
    assert all(name in help_text for name in COMMANDS) and "reply with a number" in help_text
    topics = run_command(engine, "matrix:help", "!topics")
    for group in engine.topics():
        assert group.title in topics.body
    assert "<ul><li>" in topics.html


def test_why_sources_profile_and_reset_follow_the_session(engine: Engine) -> None:
    sid = "matrix:!commands:example.org @alice:example.org"
    assert "Ask me a question first" in run_command(engine, sid, "!why").body
    assert "Ask me a question first" in run_command(engine, sid, "!sources").body
    engine.reply("I live in Seattle", session=sid)
    engine.reply("what is Google's hiring process?", session=sid)
    why = run_command(engine, sid, "!why").body
    assert "Matched:" in why and "company = Google (from your question)" in why
    sources = run_command(engine, sid, "!sources").body
    assert "How to Become an ML Engineer at Top-Tier Companies:" in sources
    assert "Seattle" in run_command(engine, sid, "!profile").body
    assert "forgotten" in run_command(engine, sid, "!reset").body
    assert "I don't know anything about you yet" in run_command(engine, sid, "!profile").body


def test_a_number_picks_a_suggestion_the_session_was_shown() -> None:
    shown = ShownSuggestions(limit=2)
    assert shown.resolve("a", "2") == "2"  # nothing shown yet: the engine decides
    shown.remember("a", ("First?", "Second?"))
    assert [shown.resolve("a", t) for t in ("2", "#1", "2.", " 1 ", "two")] == [
        "Second?",
        "First?",
        "Second?",
        "First?",
        "two",
    ]
    with pytest.raises(NoSuchSuggestion, match="There is no question 3 here; type 1 to 2"):
        shown.resolve("a", "3")
    shown.remember("b", ("B?",))
    shown.remember("c", ("C?",))  # the oldest session is forgotten
    assert shown.resolve("a", "1") == "1" and shown.resolve("c", "1") == "C?"
    shown.forget("c")
    assert shown.resolve("c", "1") == "1"
    assert command_name("!H please") == "!help"


def test_an_unknown_command_gets_a_hint(engine: Engine) -> None:
    body = run_command(engine, "matrix:x", "!srouces please").body
    assert body.startswith("Unknown command '!srouces'. Did you mean !sources?")


# -- the sync state ---------------------------------------------------------------------------


def test_the_sync_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state" / "bot.json"
    state = SyncState.load(path, "@bot:example.org")
    assert state.since is None
    state.since, state.device_id = "s72_1", "DEVICE"
    state.mark_answered("$one")
    state.save()
    again = SyncState.load(path, "@bot:example.org")
    assert (again.since, again.device_id, again.answered("$one"), again.answered("$two")) == (
        "s72_1",
        "DEVICE",
        True,
        False,
    )
    assert path.stat().st_mode & 0o077 == 0  # it may name the device: private to its owner


def test_a_damaged_or_foreign_state_file_means_starting_without_a_token(tmp_path: Path) -> None:
    path = tmp_path / "bot.json"
    path.write_text("{not json")
    assert SyncState.load(path, "@bot:example.org").since is None
    path.write_text(json.dumps({"version": 1, "user_id": "@other:example.org", "since": "s1"}))
    assert SyncState.load(path, "@bot:example.org").since is None


def test_answered_events_are_bounded(tmp_path: Path) -> None:
    state = SyncState(tmp_path / "s.json", "@bot:example.org")
    for i in range(MAX_ANSWERED + 5):
        state.mark_answered(f"${i}")
    assert not state.answered("$0") and state.answered(f"${MAX_ANSWERED + 4}")
    assert len(state.to_dict()["answered"]) == MAX_ANSWERED


def test_an_unwritable_state_file_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="--state"):
        SyncState(blocker / "state.json", "@bot:example.org").save()


def test_the_default_state_file_is_under_xdg_state_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_path("@bot:example.org") == tmp_path / "careerbot/matrix/_bot_example.org.json"


# -- retries ----------------------------------------------------------------------------------


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def test_a_rate_limit_is_retried_after_the_wait_the_server_asks_for() -> None:
    results = iter(["limited", "limited", "ok"])
    sleeps = Sleeps()

    async def call() -> str:
        return next(results)

    result = asyncio.run(
        retry(call, lambda r: 2.5 if r == "limited" else None, "send", sleep=sleeps)
    )
    assert result == "ok" and sleeps.waits == [2.5, 2.5]


def test_transient_errors_back_off_exponentially_then_give_up() -> None:
    sleeps = Sleeps()
    calls = 0

    async def call() -> str:
        nonlocal calls
        calls += 1
        raise ConnectionError("refused")

    backoff = Backoff(first=1.0, factor=2.0, cap=3.0, attempts=4)
    with pytest.raises(Exhausted, match="send: gave up after 4 attempts"):
        asyncio.run(retry(call, lambda r: None, "send", backoff, (ConnectionError,), sleeps))
    assert calls == 4
    assert [round(w / cap, 3) <= 1.0 for w, cap in zip(sleeps.waits, (1, 2, 3))] == [True] * 3
    assert all(w >= cap / 2 for w, cap in zip(sleeps.waits, (1, 2, 3)))


def test_other_errors_are_not_retried() -> None:
    async def call() -> str:
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        asyncio.run(
            retry(call, lambda r: None, "send", transient=(ConnectionError,), sleep=Sleeps())
        )


def test_a_servers_wait_is_obeyed_only_up_to_a_bound() -> None:
    assert Backoff(max_hint=60).delay(1, hint=3600) == 60


def test_the_command_line_stays_light_with_the_matrix_subcommand() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bot.cli; bot.cli._parser(); "
        "heavy = [m for m in ('asyncio', 'nio', 'aiohttp') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
