"""`careerbot serve` as real processes: settings printed on start, a worker SIGKILLed in the middle
of conversations, the whole server killed and started again, and a graceful SIGTERM that finishes
the requests in flight."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest

from tests.servers import Server, kill_tree, start_server, wait_for

pytestmark = pytest.mark.real_server
STORES = ["sqlite", "redis"]


def _sessions(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return (
        f"sqlite:///{tmp_path}/sessions.db"
        if kind == "sqlite"
        else request.getfixturevalue("redis_url")
    )


def _ask(server: Server, session: str, text: str) -> dict[str, object]:
    status, body = server.post("/v1/reply", {"session": session, "text": text})
    assert status == 200, body
    assert isinstance(body, dict)
    return body


def _assert_hiring(body: dict[str, object], company: str) -> None:
    assert body["intent"] == "company_hiring", body
    assert str(body["text"]).startswith(f"{company}'s hiring"), body["text"]


@pytest.mark.parametrize("kind", STORES)
def test_a_killed_worker_is_replaced_and_conversations_go_on(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    server = start_server(
        tmp_path, "--workers", "2", "--sessions", _sessions(kind, tmp_path, request)
    )
    try:
        output = server.output()
        assert "careerbot serve: http://127.0.0.1:" in output and "(2 workers" in output
        workers = server.workers()
        assert len(workers) == 2
        sessions = [f"user-{n}" for n in range(8)]
        for session in sessions:  # new connections: the two workers share them
            _assert_hiring(_ask(server, session, "what is Google's hiring process?"), "Google")
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        wait_for(
            lambda: len(server.workers()) == 2 and victim not in server.workers(),
            30,
            "a new worker",
        )
        assert server.process.poll() is None
        wait_for(server.ready, 30, "the server after the restart")
        for session in sessions:
            _assert_hiring(_ask(server, session, "and Amazon?"), "Amazon")
        for session in sessions:
            status, body = server.get(f"/v1/sessions/{session}")
            assert (
                status == 200
                and body["state"]["turns"] == 2
                and body["state"]["slots"] == {"company": "amazon"}
            )
    finally:
        assert server.stop() == 0, server.output()


@pytest.mark.parametrize("kind", STORES)
def test_a_killed_server_started_again_continues_every_conversation(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    sessions = _sessions(kind, tmp_path, request)
    server = start_server(tmp_path, "--sessions", sessions)
    try:
        _assert_hiring(_ask(server, "alice", "what is Google's hiring process?"), "Google")
        _ask(server, "bob", "I'm a software engineer in Seattle")
    finally:
        kill_tree(server.process.pid)  # SIGKILL: no shutdown at all
        server.process.wait(10)
    again = start_server(tmp_path, "--sessions", sessions, port=server.port)
    try:
        _assert_hiring(_ask(again, "alice", "and Amazon?"), "Amazon")
        pay = _ask(again, "bob", "how much would I make?")
        assert "Seattle" in str(pay["text"])
    finally:
        assert again.stop() == 0


def test_sigterm_finishes_a_request_in_flight(tmp_path: Path) -> None:
    server = start_server(tmp_path, "--sessions", f"sqlite:///{tmp_path}/sessions.db")
    body = b'{"session": "slow", "text": "what is Google\'s hiring process?"}'
    head = (
        f"POST /v1/reply HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
        client.sendall(head + body[:10])  # the request is in flight: its body is still coming
        time.sleep(0.3)
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert server.process.poll() is None, "the server quit with a request in flight"
        client.sendall(body[10:])
        response = b""
        while b"Google's hiring" not in response:
            chunk = client.recv(65536)
            if not chunk:
                break
            response += chunk
    assert response.startswith(b"HTTP/1.1 200"), response[:200]
    assert b"Google's hiring" in response
    assert server.process.wait(15) == 0
    output = server.output()
    assert "Shutting down" in output and "Finished server process" in output
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def test_bad_settings_stop_before_serving(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.servers import ROOT

    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--sessions", "ftp://x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "unknown session store" in result.stderr
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--sessions", f"sqlite:///{blocker}/x.db"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1 and "session database" in result.stderr
