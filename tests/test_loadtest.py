"""`careerbot loadtest` end to end, briefly: it starts a 2-worker server on loopback (SQLite, then a
private redis-server), runs scripted conversations and finds no error and no wrong follow-up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.cli import main
from bot.devtools.loadtest import SCRIPT, format_report
from tests.servers import ROOT


@pytest.mark.real_server
@pytest.mark.parametrize("sessions", ["sqlite", "redis"])
def test_a_short_load_test_finds_no_wrong_turn(sessions: str) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "loadtest",
            "--users",
            "6",
            "--rate",
            "150",
            "--duration",
            "2",
            "--warmup",
            "0.5",
            "--sessions",
            sessions,
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == report["wrong_turns"] == report["lost_turns"] == 0, report[
        "problems"
    ]
    assert report["requests"] > 150 and report["conversations"] >= 6
    assert report["p99_ms"] is not None and report["server_cpu_cores"] is not None
    assert report["workers"] == 2 and report["store"].startswith(sessions)
    text = format_report(report)
    assert "0 errors, 0 wrong follow-up turns, 0 lost turns" in text


def test_the_script_follows_up_on_itself(engine: object) -> None:
    from bot import Engine

    assert isinstance(engine, Engine)
    for turn in SCRIPT:
        reply = engine.reply(turn.text, session="loadtest-script")
        assert (
            reply.intent == turn.intent
            and reply.text.startswith(turn.starts)
            and turn.contains in reply.text
        )
        assert all(reply.slots.get(k) == v for k, v in turn.slots.items())


def test_only_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["loadtest", "--url", "http://example.org:8000"]) == 2
    assert "on this machine only" in capsys.readouterr().err
    assert main(["loadtest", "--users", "0"]) == 2
