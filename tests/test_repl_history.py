"""The REPL's input history: private (0600), bounded, can be turned off, and /reset offers to
forget it."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from bot import Engine
from bot.cli import _parser
from bot.repl import SESSION, run
from bot.repl_history import MAX_ENTRIES, NO_HISTORY_ENV, PrivateHistory, history_file

SALARY = "how much do senior ml engineers make"


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.delenv(NO_HISTORY_ENV, raising=False)
    yield history_file()


def chat(engine: Engine, *lines: str, **options: bool) -> None:
    engine.reset(SESSION)
    with create_pipe_input() as pipe:
        for line in lines:
            pipe.send_text(line + "\r")
        pipe.send_text("\x04")
        assert run(engine, input=pipe, output=DummyOutput(), **options) == 0
    engine.reset(SESSION)


def _entries(path: Path) -> list[str]:
    return list(reversed(list(PrivateHistory(path).load_history_strings())))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_history_file_is_private(engine: Engine, history: Path) -> None:
    chat(engine, SALARY)
    assert _entries(history) == [SALARY]
    assert _mode(history) == 0o600 and _mode(history.parent) == 0o700


def test_a_readable_history_file_is_made_private(engine: Engine, history: Path) -> None:
    history.parent.mkdir(parents=True)
    history.write_text("\n# old\n+what I said\n", encoding="utf-8")
    history.chmod(0o644)
    chat(engine, SALARY)
    assert _mode(history) == 0o600
    assert _entries(history) == ["what I said", SALARY]


def test_a_history_file_deleted_meanwhile_comes_back_private(tmp_path: Path) -> None:
    saved = PrivateHistory(tmp_path / "history")
    saved.store_string("first")
    assert _mode(saved.path) == 0o600 and _entries(saved.path) == ["first"]


def test_the_history_is_trimmed_to_its_bound_on_start(engine: Engine, history: Path) -> None:
    history.parent.mkdir(parents=True)
    history.write_text(
        "".join(f"\n# then\n+question {i}\n" for i in range(MAX_ENTRIES + 500)), encoding="utf-8"
    )
    chat(engine, SALARY)
    entries = _entries(history)
    assert len(entries) == MAX_ENTRIES + 1
    assert entries[0] == "question 500" and entries[-1] == SALARY
    assert _mode(history) == 0o600


def test_no_history_flag_and_environment_variable(
    engine: Engine, history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat(engine, SALARY, no_history=True)
    assert not history.exists()
    monkeypatch.setenv(NO_HISTORY_ENV, "1")
    chat(engine, SALARY)
    assert not history.exists()
    assert _parser().parse_args(["--no-history"]).no_history
    assert _parser().parse_args(["chat", "--no-history"]).no_history


@pytest.mark.parametrize("answer, kept", [("y", False), ("n", True), ("", True)])
def test_reset_offers_to_forget_the_history(
    engine: Engine,
    history: Path,
    capsys: pytest.CaptureFixture[str],
    answer: str,
    kept: bool,
) -> None:
    chat(engine, "I'm a student in Seattle", SALARY, "/reset", answer, "/profile")
    out = capsys.readouterr().out
    assert "Forget it too? [y/N]" not in out  # asked at the prompt, not printed as an answer
    entries = _entries(history)
    if kept:
        assert "The input history is kept" in out
        assert entries == ["I'm a student in Seattle", SALARY, "/reset", "/profile"]
    else:
        assert "the input history is empty" in out
        assert entries == ["/profile"]  # what was typed after /reset
    assert "I don't know anything about you yet" in out
