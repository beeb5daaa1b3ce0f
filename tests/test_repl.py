"""The REPL in-process: prompt-toolkit's pipe input and dummy output; answers read from stdout."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from bot import Citation, Engine, Reply
from bot.repl import COMMANDS, SESSION, Console, Repl, run
from bot.repl_completion import CareerCompleter
from bot.repl_history import history_file
from bot.repl_toolbar import toolbar
from bot.terminal import format_reply

ROOT = Path(__file__).resolve().parents[1]
SALARY = "how much do senior ml engineers make"

Chat = Callable[..., tuple[int, str]]


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


@pytest.fixture
def chat(engine: Engine, state_home: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Chat]:
    """Type lines into a fresh REPL, then `end` (Ctrl-D by default): (exit status, printed text)."""

    def type_lines(*lines: str, end: str = "\x04") -> tuple[int, str]:
        with create_pipe_input() as pipe:
            for line in lines:
                pipe.send_text(line + "\r")
            pipe.send_text(end)
            status = run(engine, input=pipe, output=DummyOutput())
        return status, capsys.readouterr().out

    engine.reset(SESSION)
    yield type_lines
    engine.reset(SESSION)


def expected(engine: Engine, *questions: str) -> Reply:
    """What the engine answers to the last of `questions` in a scratch session."""
    engine.reset("scratch")
    reply = Reply("")
    for question in questions:
        reply = engine.reply(question, session="scratch")
    return reply


def flat(text: str) -> str:
    """Answers wrap at the terminal width; compare with whitespace collapsed."""
    return " ".join(text.split())


# -- a conversation ---------------------------------------------------------------------------


def test_welcome_shows_three_numbered_examples(chat: Chat, engine: Engine) -> None:
    status, out = chat()
    assert status == 0
    assert "CareerBot" in out
    starters = engine.settings.starter_questions[:3]
    for i, question in enumerate(starters, 1):
        assert f"{i}. {question}" in flat(out)


def test_question_gets_an_answer_with_its_fact(chat: Chat) -> None:
    status, out = chat(SALARY)
    assert status == 0
    assert "$210,000" in out
    assert "Sources:" in out
    assert "1. " in out  # suggestions are numbered


def test_follow_up_keeps_the_topic(chat: Chat) -> None:
    _, out = chat(SALARY, "and in new york?")
    assert "New York" in out
    assert "$155,000" in out


def test_bare_number_asks_that_suggestion(chat: Chat, engine: Engine) -> None:
    first = expected(engine, SALARY)
    question = first.suggestions[0]
    answer = expected(engine, SALARY, question)
    _, out = chat(SALARY, "1")
    assert f"→ {question}" in out
    assert flat(answer.text.splitlines()[0]) in flat(out)


def test_number_after_the_welcome_asks_a_starter(chat: Chat, engine: Engine) -> None:
    starter = engine.settings.starter_questions[1]
    _, out = chat("2")
    assert f"→ {starter}" in out
    assert not expected(engine, starter).fallback


def test_number_out_of_range_is_explained(chat: Chat) -> None:
    _, out = chat(SALARY, "7")
    assert "There is no question 7" in out


# -- commands ---------------------------------------------------------------------------------


def test_why_shows_intent_confidence_runner_up_and_slot_origins(chat: Chat, engine: Engine) -> None:
    _, out = chat(SALARY, "/why")
    why = out.split("Matched:")[1]
    assert "(salary)" in why
    assert "confidence" in why
    assert "Runner-up:" in why
    assert "level = Senior" in why
    assert "from your question" in why


def test_why_after_a_follow_up_says_where_slots_came_from(chat: Chat) -> None:
    _, out = chat(SALARY, "and in new york?", "/why")
    assert "(salary)" in out
    assert "carried over from the conversation" in out


def test_why_before_any_question(chat: Chat) -> None:
    _, out = chat("/why")
    assert "Ask me a question first" in out


def test_sources_lists_guides_and_sections(chat: Chat, engine: Engine) -> None:
    expected(engine, SALARY)
    citations = engine.reply(SALARY, session="scratch").citations
    assert citations
    _, out = chat(SALARY, "/sources")
    listing = out.split("The last answer comes from:")[1]
    for cited in citations:
        assert cited.title in listing
        assert f"- {cited.section}" in listing


def test_profile_remembers_a_student(chat: Chat) -> None:
    _, out = chat("/profile", "I am a student", "/profile")
    before, after = out.split("What I remember about you:")
    assert "I don't know anything about you yet" in before
    assert "a student" in after


def test_reset_forgets_the_conversation(chat: Chat, engine: Engine) -> None:
    _, out = chat(SALARY, "I am a student", "/reset", "n", "/why", "/profile")
    assert "forgotten" in out
    after = out.split("forgotten")[1]
    assert "Ask me a question first" in after
    assert "I don't know anything about you yet" in after
    assert engine.session(SESSION).intent is None


def test_help_lists_every_command_and_examples(chat: Chat, engine: Engine) -> None:
    _, out = chat("/help")
    for name in COMMANDS:
        assert name in out
    assert engine.settings.starter_questions[0] in out


def test_topics_groups_titles_with_an_example_each(chat: Chat, engine: Engine) -> None:
    _, out = chat("/topics")
    assert "Pay" in out and "Skills" in out and "Companies" in out
    career = [i for i in engine.intents.intents if i.category == "career"]
    for intent in career:
        assert intent.title in out
    assert "How do I become an ML engineer?" in flat(out)
    assert "(more)" not in out and "Greeting" not in out  # only career topics


@pytest.mark.parametrize(
    "typed, hint", [("/wyh", "Did you mean /why?"), ("/frobnicate", "Commands:")]
)
def test_unknown_command_is_helpful(chat: Chat, typed: str, hint: str) -> None:
    status, out = chat(typed)
    assert status == 0
    assert f"Unknown command '{typed}'" in out
    assert hint in out


def test_commands_ignore_case_and_aliases_work(chat: Chat) -> None:
    _, out = chat("/HELP", "/?")
    assert out.count("Ask a question in your own words") == 2


@pytest.mark.parametrize("command", ["/quit", "/exit"])
def test_quit_and_exit_say_goodbye(chat: Chat, command: str) -> None:
    status, out = chat(command, SALARY, end="")
    assert status == 0
    assert "Goodbye" in out
    assert "$210,000" not in out  # nothing after /quit is read


def test_ctrl_d_exits_with_goodbye(chat: Chat) -> None:
    status, out = chat(end="\x04")
    assert status == 0
    assert out.rstrip().endswith("Goodbye, and good luck with your ML career!")


def test_ctrl_c_clears_the_line_and_continues(chat: Chat) -> None:
    status, out = chat("how much do\x03" + SALARY)
    assert status == 0
    assert "$210,000" in out
    assert "Goodbye" in out


def test_goodbye_intent_ends_the_chat_once(
    chat: Chat, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        engine, "reply", lambda text, session="default": Reply("Bye now!", "goodbye", 1.0)
    )
    status, out = chat("bye", SALARY, end="")
    assert status == 0
    assert "Bye now!" in out
    assert "Goodbye, and good luck" not in out


# -- robustness -------------------------------------------------------------------------------


def test_empty_lines_huge_pastes_and_odd_text_never_crash(chat: Chat) -> None:
    # A terminal delivers a paste in one bracketed-paste event, newlines and all. (Kept under the
    # OS pipe's 64 KiB: the pipe input is filled before the REPL starts reading it.)
    huge = "\x1b[200~" + "how much do ml engineers make\n" * 1500 + "\x1b[201~"
    odd = [
        "",
        "   ",
        "\t",
        "💥🚀",
        "\x1b[31mred",
        "?",
        "/",
        "//",
        "/ why",
        "0",
        "99999",
        "-1",
        "é" * 300,
        "SELECT * FROM users; DROP TABLE x",
        "why " * 500,
        huge,
    ]
    status, out = chat(*odd, SALARY)
    assert status == 0
    assert "$210,000" in out
    assert "Traceback" not in out


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=300), max_size=4))
def test_any_lines_are_handled(engine: Engine, lines: list[str]) -> None:
    engine.reset("repl")
    stream = io.StringIO()
    repl = Repl(engine, Console(stream, color=False))
    for line in lines:
        assert repl.handle(line) in (True, False)
    engine.reset("repl")


def test_an_error_in_one_turn_does_not_end_the_chat(
    chat: Chat, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = engine.reply

    def flaky(text: str, session: str = "default") -> Reply:
        if text == "boom":
            raise RuntimeError("bug")
        return real(text, session=session)

    monkeypatch.setattr(engine, "reply", flaky)
    status, out = chat("boom", SALARY)
    assert status == 0
    assert "something went wrong" in out
    assert "$210,000" in out


# -- history ----------------------------------------------------------------------------------


def test_history_file_is_written_under_xdg_state_home(chat: Chat, state_home: Path) -> None:
    chat(SALARY)
    history = state_home / "careerbot" / "history"
    assert history_file() == history
    assert SALARY in history.read_text(encoding="utf-8")


def test_relative_xdg_state_home_is_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", "relative/state")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert history_file() == tmp_path / ".local" / "state" / "careerbot" / "history"


def test_unusable_history_location_falls_back_to_memory(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the state folder should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    engine.reset(SESSION)
    with create_pipe_input() as pipe:
        pipe.send_text(SALARY + "\r\x04")
        status = run(engine, input=pipe, output=DummyOutput())
    engine.reset(SESSION)
    assert status == 0
    assert "$210,000" in capsys.readouterr().out


def test_explicit_history_path(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep" / "er" / "history"
    engine.reset(SESSION)
    with create_pipe_input() as pipe:
        pipe.send_text("/topics\r\x04")
        run(engine, input=pipe, output=DummyOutput(), history_path=path)
    engine.reset(SESSION)
    assert "/topics" in path.read_text(encoding="utf-8")


# -- pieces -----------------------------------------------------------------------------------


def completions(engine: Engine, text: str) -> list[str]:
    completer = CareerCompleter.for_engine(engine, COMMANDS)
    return [
        c.text
        for c in completer.get_completions(Document(text), CompleteEvent(completion_requested=True))
    ]


def test_completer_offers_commands_companies_and_topics(engine: Engine) -> None:
    assert completions(engine, "/w") == ["/why"]
    assert set(completions(engine, "/")) == set(COMMANDS)
    assert completions(engine, "/why ") == []
    assert "Google" in completions(engine, "tell me about goo")
    assert "OpenAI" in completions(engine, "what does open")
    assert "salary" in completions(engine, "sal")
    assert "certifications" in completions(engine, "which certif")
    assert completions(engine, "") == []
    assert completions(engine, "how much ") == []


def test_toolbar_has_short_hints(engine: Engine) -> None:
    repl = Repl(engine, Console(io.StringIO(), color=False))
    bar = toolbar(repl.suggestions, repl.topic)
    assert "/help" in bar and "/why" in bar and "Ctrl-D" in bar
    assert "1-3" in bar  # the welcome's examples can be picked by number


def test_no_color_output_has_no_escape_codes(chat: Chat, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    _, out = chat(SALARY, "/why", "/help")
    assert "\x1b" not in out


def test_colour_console_renders_styles_through_prompt_toolkit() -> None:
    stream = io.StringIO()
    Console(stream, color=True).say("\x1b[1mbold\x1b[0m and plain")
    assert "bold and plain" in stream.getvalue()


def test_format_reply_wraps_only_when_given_a_width() -> None:
    item = "- " + " ".join(["word"] * 40)
    reply = Reply(
        f"Heading:\n{item}\nshort line",
        "salary",
        1.0,
        suggestions=(" ".join(["a rather long suggestion"] * 4),),
        citations=(Citation("guide", "Guide", "Salary"),),
    )
    plain = format_reply(reply)
    assert plain.splitlines()[1] == item
    wrapped = format_reply(reply, width=40)
    lines = wrapped.splitlines()
    assert all(len(line) <= 40 for line in lines)
    assert lines[2].startswith("  word")  # list items continue under their text
    assert flat(wrapped) == flat(plain)


def test_importing_the_bot_does_not_load_prompt_toolkit() -> None:
    code = (
        "import bot, bot.cli, bot.terminal; import sys; "
        "assert 'prompt_toolkit' not in sys.modules, 'prompt_toolkit was imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
