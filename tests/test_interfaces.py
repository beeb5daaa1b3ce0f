"""The one-shot command, the JSON-lines pipe and piped stdin: what other programs and shells see."""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import Engine
from bot.devtools.evaluate import load_questions
from bot.jsonl import serve

from .conftest import ROOT


def _careerbot(
    *args: str,
    stdin: str | bytes | None = None,
    cwd: str = "/",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        check=False,
        input=stdin,
        capture_output=True,
        cwd=cwd,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", **_private_folders(), **(env or {})},
        text=not isinstance(stdin, bytes),
    )


def _private_folders() -> dict[str, str]:
    """HOME and the XDG folders the tests point at, so a child never writes the user's own."""
    return {k: v for k, v in os.environ.items() if k == "HOME" or k.startswith("XDG_")}


def test_ask_prints_the_answer_and_its_sources() -> None:
    out = _careerbot("ask", "how", "much", "do", "senior", "ml", "engineers", "make")
    assert out.returncode == 0, out.stderr
    assert (
        "$210,000–$300,000" in out.stdout and "Sources: ML Engineer Career Guide Card" in out.stdout
    )
    assert "\x1b[" not in out.stdout


def test_ask_json_prints_the_reply_dict() -> None:
    out = _careerbot("ask", "--json", "what is the weather in paris")
    assert out.returncode == 0
    data = json.loads(out.stdout)
    assert data["fallback"] is True and data["intent"] is None and data["suggestions"]


def test_usage_errors_exit_2() -> None:
    assert _careerbot("ask").returncode == 2
    assert _careerbot("frobnicate").returncode == 2


def test_one_shot_path_imports_no_other_interface_nor_yaml(tmp_path: Path) -> None:
    """From a warm cache an answer needs neither the content's YAML nor any other interface."""
    code = (
        "import sys, io, contextlib; from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['ask', 'how much do senior ml engineers make'])\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    for _ in range(2):  # the first run compiles the content (from YAML) into the cache
        out = subprocess.run(
            [sys.executable, "-c", code],
            check=False,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert out.returncode == 0, out.stderr
    unwanted = {"bot.devtools", "bot.stores", "bot.server", "bot.serve", "bot.rasa_rest"}
    unwanted |= {"bot.ratelimit", "bot.web", "bot.jsonl", "bot.overview", "yaml", "redis"}
    unwanted |= {"bot.repl", "bot.repl_completion", "bot.repl_keys", "bot.repl_toolbar"}
    unwanted |= {"prompt_toolkit"}
    loaded = out.stdout.split()
    assert "bot.engine" in loaded
    assert [m for m in loaded if m in unwanted or m.rpartition(".")[0] in unwanted] == []


def test_importing_the_package_loads_no_engine_until_asked() -> None:
    code = (
        "import sys, bot, bot.cli\n"
        "assert 'bot.engine' not in sys.modules and 'jinja2' not in sys.modules\n"
        "from bot import Engine, Reply, open_store\n"
        "assert Engine.__module__ == 'bot.engine' and bot.Reply is Reply and 'Session' in dir(bot)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr


def test_importing_the_package_keeps_typing_extensions_out_of_msgspec_only() -> None:
    """msgspec is imported without typing_extensions (a start-up cost); anything imported later
    still gets the real module."""
    code = (
        "import importlib.util, sys, typing\n"
        "installed = importlib.util.find_spec('typing_extensions') is not None\n"
        "import bot, msgspec\n"
        "assert 'typing_extensions' not in sys.modules\n"
        "if installed:\n"
        "    import typing_extensions\n"
        "    assert typing_extensions.Required is not None\n"
        "class Point(msgspec.Struct):\n"
        "    x: typing.Annotated[int, 'meta']\n"
        "assert msgspec.json.decode(b'{\"x\": 1}', type=Point).x == 1"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr


def test_an_answer_in_process_leaves_the_garbage_collector_running(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    assert main(["ask", "hi"]) == 0 and capsys.readouterr().out
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_jsonl_answers_every_line_and_survives_bad_ones(engine: Engine) -> None:
    lines = [
        json.dumps({"session": "a", "text": "tell me about meta"}),
        "this is not json",
        json.dumps({"session": "a"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"session": "a", "text": "what is their hiring process?"}),
        json.dumps({"text": "hello"}),
    ]
    stdout = io.StringIO()
    assert serve(engine, io.StringIO("\n".join(lines) + "\n"), stdout) == len(lines)
    out = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert len(out) == len(lines)
    assert out[0]["session"] == "a" and out[0]["slots"] == {"company": "meta"}
    assert [("error" in o) for o in out] == [False, True, True, True, True, False, False]
    assert out[5]["slots"] == {"company": "meta"}
    assert out[6]["session"] == "default"


def test_jsonl_process_with_binary_junk_keeps_going() -> None:
    stdin = (
        b'{"session": "x", "text": "hi"}\n\xff\xfe\x00junk\n{"session": "x", "text": "thanks"}\n'
    )
    out = _careerbot("jsonl", stdin=stdin)
    assert out.returncode == 0
    rows = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(rows) == 3 and "error" in rows[1] and rows[2]["session"] == "x"


def test_replies_do_not_depend_on_the_process(engine: Engine) -> None:
    """The same questions in two processes with different string hashing get the same replies
    (which of two equally good labels, or of two out-of-scope terms, is shown once varied)."""
    questions = [row["text"] for row in load_questions(None)]
    questions += ["whats the best chef knife brand for a home cook", "TensorFlow certificate?"]
    stdin = "".join(
        json.dumps({"session": f"s{i}", "text": q}) + "\n" for i, q in enumerate(questions)
    )
    first, second = (
        _careerbot("jsonl", stdin=stdin, env={"PYTHONHASHSEED": seed}) for seed in "12"
    )
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert len(first.stdout.splitlines()) == len(questions)
    assert first.stdout == second.stdout


def test_piped_stdin_prints_plain_answers_without_prompts() -> None:
    out = _careerbot(stdin="how much do ML engineers make\n\nwhat is a typical workday\n")
    assert out.returncode == 0, out.stderr
    assert "$110,000–$150,000" in out.stdout and "9 am" not in out.stdout.split("\n")[0]
    assert "\x1b[" not in out.stdout and "you>" not in out.stdout


@pytest.mark.parametrize("argv", [["validate"], ["ask", "hi"]])
def test_runs_from_any_folder(argv: list[str]) -> None:
    assert _careerbot(*argv, cwd="/").returncode == 0


def test_jsonl_refuses_bad_session_ids_deep_json_and_huge_lines(engine: Engine) -> None:
    lines = [
        '{"session": "a", "text": "hi"}',
        '{"session": "\\ud800", "text": "hi"}',  # a lone surrogate: once a crash after one reply
        "[" * 5000,  # once a RecursionError
        json.dumps({"session": "a", "text": "x" * 200_000}),  # longer than a request may be
        json.dumps({"session": "s" * 129, "text": "hi"}),
        json.dumps({"session": "a", "text": "tell me about meta"}),
    ]
    stdout = io.StringIO()
    assert serve(engine, io.StringIO("\n".join(lines) + "\n"), stdout) == len(lines)
    out = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [("error" in o) for o in out] == [False, True, True, True, True, False]
    assert "too large" in out[3]["error"] and "too long" in out[4]["error"]
    assert out[5]["slots"] == {"company": "meta"}
    stdout.getvalue().encode("utf-8")  # everything written is valid UTF-8


def test_global_options_are_taken_after_the_command_too() -> None:
    out = _careerbot("validate", "--content", str(ROOT))
    assert out.returncode == 0 and "content OK" in out.stdout, out.stderr


def test_the_content_folder_comes_from_the_environment_unless_a_flag_names_one(
    tmp_path: Path,
) -> None:
    missing = str(tmp_path / "nowhere")
    out = _careerbot("ask", "hi", env={"CAREERBOT_CONTENT": missing})
    assert out.returncode == 1 and missing in out.stderr, out.stderr
    out = _careerbot("--content", str(ROOT), "ask", "hi", env={"CAREERBOT_CONTENT": missing})
    assert out.returncode == 0 and out.stdout.strip(), out.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_stdout_is_an_error_message_not_a_traceback() -> None:
    with open("/dev/full", "w") as full:
        out = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "ask", "hi"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    assert out.returncode == 1
    assert "cannot write the output" in out.stderr and "Traceback" not in out.stderr
