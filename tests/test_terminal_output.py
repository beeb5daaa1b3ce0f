"""What people see: narrow terminals wrapped once, one heading over a decline's suggestions, each
skill in one skill-gap list, and every line of a multi-line paste answered."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from prompt_toolkit.data_structures import Size

from bot import Engine, Reply
from bot.repl import MAX_PASTED_LINES, SESSION, Console, Repl, _width
from bot.terminal import format_reply

SALARY = "how much do senior ml engineers make"


def _terminal(columns: int) -> Any:
    return SimpleNamespace(output=SimpleNamespace(get_size=lambda: Size(rows=24, columns=columns)))


@pytest.fixture
def repl(engine: Engine) -> Any:
    engine.reset(SESSION)
    stream = io.StringIO()
    yield Repl(engine, Console(stream, color=False)), stream
    engine.reset(SESSION)


@pytest.mark.parametrize("columns", [30, 40, 41, 60])
def test_text_is_never_wider_than_a_narrow_terminal(repl: Any, columns: int) -> None:
    chat, stream = repl
    chat.width = _width(_terminal(columns))
    assert chat.width == columns - 1  # was 40 at least: then the terminal folded every line again
    chat.handle(SALARY)
    chat.handle("/why")
    lines = stream.getvalue().splitlines()
    assert "$210,000" in stream.getvalue()
    assert all(len(line) < columns for line in lines if " " in line.strip()), lines


@pytest.mark.parametrize("numbered", [True, False])
def test_a_decline_has_one_heading_over_its_suggestions(engine: Engine, numbered: bool) -> None:
    reply = engine.reply("what is the weather in paris", session="decline")
    assert reply.fallback and reply.suggestions
    text = format_reply(reply, numbered=numbered)
    headings = [line for line in text.splitlines() if line.endswith(":")]
    assert len(headings) == 1, text
    assert text.splitlines()[1].lstrip().startswith(("1. ", "- "))  # the list follows its heading


def test_an_answer_keeps_its_suggestions_heading() -> None:
    text = format_reply(Reply("Pay in Seattle:\n- $150,000", suggestions=("And in Austin?",)))
    assert "You could ask:" in text


def test_a_skill_is_in_one_skill_gap_list_only(engine: Engine) -> None:
    engine.reset("gaps")
    reply = engine.reply("I know python and sql, what skills am I missing?", session="gaps")
    engine.reset("gaps")
    assert reply.intent == "skill_gap_check"
    items = [
        line[2:].removesuffix(" (often missing)")
        for line in reply.text.splitlines()
        if line.startswith("- ")
    ]
    assert "Model Monitoring" in items
    assert len(items) == len(set(items)), reply.text


def test_every_line_of_a_paste_is_answered(repl: Any) -> None:
    chat, stream = repl
    assert chat.handle(SALARY + "\n\nwhat does Meta look for?\r\n/profile")
    out = stream.getvalue()
    assert "$210,000" in out and "Meta's hiring" in out and "I don't know anything about you" in out
    assert f"→ {SALARY}" in out and "→ what does Meta look for?" in out


def test_a_long_paste_is_answered_up_to_a_bound(repl: Any) -> None:
    chat, stream = repl
    assert chat.handle("\n".join(["hi"] * (MAX_PASTED_LINES + 5)))
    out = stream.getvalue()
    assert out.count("→ hi") == MAX_PASTED_LINES
    assert f"I answered the first {MAX_PASTED_LINES}" in out


def test_a_paste_stops_at_quit(repl: Any) -> None:
    chat, stream = repl
    assert chat.handle(f"{SALARY}\n/quit\nwhat does Meta look for?") is False
    assert "Meta's hiring" not in stream.getvalue()
