"""`careerbot loadtest`: simulated users in scripted conversations with a loopback server, measured.

Each user talks through SCRIPT (a question, then follow-ups that only make sense after it) in a
fresh session, over and over, alternating between two keep-alive connections so that a
conversation's turns land on different workers; after each conversation it reads the session
back (GET /v1/sessions/ID) to check that no turn was lost. Users are paced so that together they
offer `--rate` requests a second (0: each sends its next request as soon as it has the answer);
latency is measured from the moment a request was due, so a server that falls behind cannot
hide it. The run is bounded by `--duration` and `--max-requests`.

By default it starts `careerbot serve` itself (2 workers, SQLite or a private redis-server) on a
free loopback port and stops it afterwards; `--url` targets a running server, loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    import asyncio

LOOPBACK = ("127.0.0.1", "::1", "localhost")
TARGETS = {"requests_per_s": 1000.0, "p99_ms": 25.0}
TIMEOUT = 10.0  # seconds one request may take before it counts as an error


@dataclass(frozen=True)
class Turn:
    """One scripted question and what its answer must be: the intent, slot values, a text start."""

    text: str
    intent: str
    slots: dict[str, str] = field(default_factory=dict)
    starts: str = ""
    contains: str = ""


#: a conversation whose follow-ups resolve only against the turn before them
SCRIPT = (
    Turn(
        "what is Google's hiring process?",
        "company_hiring",
        {"company": "google"},
        "Google's hiring",
    ),
    Turn("and Amazon?", "company_hiring", {"company": "amazon"}, "Amazon's hiring"),
    Turn("what about Meta?", "company_hiring", {"company": "meta"}, "Meta's hiring"),
    Turn("how much do senior ML engineers make?", "salary", {"level": "senior"}, "Senior level"),
    Turn("and entry level?", "salary", {"level": "entry"}, "Entry level"),
    Turn("what skills do I need?", "top_skills", {}, "Top skills"),
    Turn("source?", "sources", {}, "", "ML Engineer Career Guide Card"),
)
SCRIPT_ANSWERS = 6  # turns of SCRIPT that count in the session's `turns` (all but "source?")


def main(args: argparse.Namespace) -> int:
    if (
        args.users < 1
        or args.duration <= 0
        or args.rate < 0
        or args.max_requests < 1
        or args.warmup < 0
    ):
        raise UsageError(
            "--users and --max-requests must be at least 1, --duration positive, "
            "--rate and --warmup not negative"
        )
    with ExitStack() as stack:
        if args.url:
            url, server_pid, store = _loopback(args.url), None, "(a running server)"
        else:
            store_url = stack.enter_context(_store(args.sessions))
            url, server_pid = stack.enter_context(
                _server(store_url, args.workers, args.server_log_level)
            )
            store = store_url
        report = run(
            url, args.users, args.rate, args.duration, args.warmup, args.max_requests, server_pid
        )
    report.update(store=store, workers=None if args.url else args.workers, cores=os.cpu_count())
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return (
        0
        if report["errors"] == 0 and report["wrong_turns"] == 0 and report["lost_turns"] == 0
        else 1
    )


# -- the simulated users -----------------------------------------------------------------------


@dataclass
class Tally:
    """What the users saw, shared by all of them (one event loop: no locks needed)."""

    measure_from: float
    stop_at: float
    max_requests: int
    sent: int = 0
    measured: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    wrong: int = 0
    lost: int = 0
    conversations: int = 0
    late: int = 0
    problems: list[str] = field(default_factory=list)

    def note(self, problem: str) -> None:
        if len(self.problems) < 10:
            self.problems.append(problem)

    def more(self) -> bool:
        return self.sent < self.max_requests and time.perf_counter() < self.stop_at


class Connection:
    """One keep-alive HTTP/1.1 connection, spoken by hand: the generator must cost little CPU."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        import asyncio

        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode("latin-1") + b"\r\n" + (body or b""))
        try:
            header = await self.reader.readuntil(b"\r\n\r\n")
            status = int(header[9:12])
            length = 0
            for line in header.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            return status, await self.reader.readexactly(length)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _user(
    number: int, host: str, port: int, interval: float, start: float, tally: Tally
) -> None:
    import asyncio

    connections = [Connection(host, port), Connection(host, port)]
    due = start + (random.random() * interval if interval else 0.0)
    sent = 0
    conversation = 0
    try:
        while tally.more():
            session = f"load-{os.getpid()}-{number}-{conversation}"
            conversation += 1
            steps = [(turn, "/v1/reply") for turn in SCRIPT] + [(None, "/v1/sessions/" + session)]
            for turn, path in steps:
                if not tally.more():
                    return
                if interval:
                    now = time.perf_counter()
                    if due > now:
                        await asyncio.sleep(due - now)
                    elif now - due > 0.001:
                        tally.late += 1
                began = due if interval else time.perf_counter()
                due += interval
                tally.sent += 1
                connection = connections[sent % 2]
                sent += 1
                body = (
                    json.dumps({"session": session, "text": turn.text}).encode() if turn else None
                )
                try:
                    status, data = await asyncio.wait_for(
                        connection.request("POST" if turn else "GET", path, body), TIMEOUT
                    )
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    tally.errors += 1
                    tally.note(f"{path}: {type(exc).__name__}: {exc}")
                    break
                ended = time.perf_counter()
                if began >= tally.measure_from:
                    tally.measured += 1
                    tally.latencies.append(ended - began)
                if not _check(turn, status, data, tally, path):
                    break
            else:
                tally.conversations += 1
    finally:
        for connection in connections:
            connection.close()


def _check(turn: Turn | None, status: int, data: bytes, tally: Tally, path: str) -> bool:
    """Count an error (status not 200) or a wrong answer; True when the conversation may go on."""
    if status != 200:
        tally.errors += 1
        tally.note(f"{path}: HTTP {status}: {data[:200]!r}")
        return False
    body = json.loads(data)
    if turn is None:
        state = body.get("state", {})
        if state.get("turns") != SCRIPT_ANSWERS or state.get("intent") != SCRIPT[-2].intent:
            tally.lost += 1
            tally.note(
                f"{path}: session after the script: turns {state.get('turns')}, "
                f"intent {state.get('intent')}"
            )
        return True
    slots = body.get("slots", {})
    text = body.get("text", "")
    right = (
        body.get("intent") == turn.intent
        and all(slots.get(k) == v for k, v in turn.slots.items())
        and text.startswith(turn.starts)
        and turn.contains in text
    )
    if not right:
        tally.wrong += 1
        tally.note(f"{turn.text!r} answered {body.get('intent')} {slots} {text[:60]!r}")
    return right


def run(
    url: str,
    users: int,
    rate: float,
    duration: float,
    warmup: float,
    max_requests: int,
    server_pid: int | None = None,
) -> dict[str, Any]:
    """Run the users against `url` and return the figures."""
    import asyncio

    parsed = urllib.parse.urlsplit(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    start = time.perf_counter() + 0.2
    tally = Tally(start + warmup, start + warmup + duration, max_requests)
    interval = users / rate if rate else 0.0
    cpu: dict[str, float] = {}

    async def measure() -> None:
        await asyncio.sleep(max(0.0, tally.measure_from - time.perf_counter()))
        cpu["generator"], cpu["server"], cpu["machine"] = (
            _own_cpu(),
            _tree_cpu(server_pid),
            _machine_cpu(),
        )
        cpu["wall"] = time.perf_counter()

    async def everyone() -> None:
        meter = asyncio.ensure_future(measure())
        await asyncio.gather(*(_user(n, host, port, interval, start, tally) for n in range(users)))
        await meter

    with _event_loop() as runner:
        runner.run(everyone())
    wall = time.perf_counter() - cpu["wall"]
    generator_cpu = (_own_cpu() - cpu["generator"]) / wall
    server_cpu = (_tree_cpu(server_pid) - cpu["server"]) / wall if server_pid else None
    machine_cpu = (_machine_cpu() - cpu["machine"]) / wall
    others = max(0.0, machine_cpu - generator_cpu - (server_cpu or 0.0)) if server_pid else None
    latencies = sorted(tally.latencies)
    return {
        "url": url,
        "users": users,
        "offered_rate": rate or None,
        "seconds": round(wall, 2),
        "requests": tally.measured,
        "requests_per_s": round(tally.measured / wall, 1),
        "turns_per_s": round(tally.measured / wall * len(SCRIPT) / (len(SCRIPT) + 1), 1),
        "p50_ms": _ms(latencies, 0.50),
        "p90_ms": _ms(latencies, 0.90),
        "p99_ms": _ms(latencies, 0.99),
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
        "errors": tally.errors,
        "wrong_turns": tally.wrong,
        "lost_turns": tally.lost,
        "conversations": tally.conversations,
        "requests_sent": tally.sent,
        "late_sends": tally.late,
        "generator_cpu_cores": round(generator_cpu, 2),
        "server_cpu_cores": round(server_cpu, 2) if server_cpu is not None else None,
        "other_processes_cpu_cores": round(others, 2) if others is not None else None,
        "problems": tally.problems,
    }


def format_report(r: dict[str, Any]) -> str:
    rate = (
        f"offered {r['offered_rate']:g} requests/s"
        if r["offered_rate"]
        else "as fast as answers come"
    )
    workers = f", {r['workers']} workers" if r.get("workers") else ""
    server_cpu = r["server_cpu_cores"] if r["server_cpu_cores"] is not None else "?"
    others = r["other_processes_cpu_cores"] if r["other_processes_cpu_cores"] is not None else "?"
    lines = [
        (
            f"careerbot loadtest: {r['users']} users{workers}, sessions {r['store']}, {rate}, "
            f"{r['seconds']}s measured"
        ),
        (
            f"  requests:  {r['requests']:,} ({r['requests_per_s']:,} /s; "
            f"{r['turns_per_s']:,} conversation turns/s), "
            f"{r['conversations']:,} whole conversations checked"
        ),
        (
            f"  latency:   p50 {r['p50_ms']} ms, p90 {r['p90_ms']} ms, p99 {r['p99_ms']} ms, "
            f"max {r['max_ms']} ms (from when each request was due)"
        ),
        (
            f"  wrong:     {r['errors']} errors, {r['wrong_turns']} wrong follow-up turns, "
            f"{r['lost_turns']} lost turns"
        ),
        (
            f"  CPU:       load generator {r['generator_cpu_cores']} cores, "
            f"server {server_cpu} cores, other processes {others} cores, "
            f"of {r.get('cores')} on this machine; "
            f"{r['late_sends']} sends more than 1 ms late"
        ),
    ]
    met = {
        "requests_per_s": r["requests_per_s"] >= TARGETS["requests_per_s"],
        "p99_ms": r["p99_ms"] is not None and r["p99_ms"] < TARGETS["p99_ms"],
    }
    right = r["errors"] == r["wrong_turns"] == r["lost_turns"] == 0
    lines.append(
        f"  targets:   >= {TARGETS['requests_per_s']:,.0f} requests/s "
        f"{'met' if met['requests_per_s'] else 'NOT met'}; p99 < {TARGETS['p99_ms']:g} ms "
        f"{'met' if met['p99_ms'] else 'NOT met'}; 0 errors and 0 wrong turns "
        f"{'met' if right else 'NOT met'}"
    )
    lines += [f"  problem:   {p}" for p in r["problems"]]
    return "\n".join(lines)


def _ms(latencies: list[float], q: float) -> float | None:
    if not latencies:
        return None
    return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2)


@contextmanager
def _event_loop() -> Iterator[Any]:
    import asyncio

    try:
        import uvloop

        factory = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        yield runner


# -- CPU ---------------------------------------------------------------------------------------


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_cpu() -> float:
    """CPU seconds all processes of this machine used so far (Linux /proc/stat; 0 elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    busy = sum(int(v) for i, v in enumerate(fields[:8]) if i not in (3, 4))  # not idle, not iowait
    return busy / os.sysconf("SC_CLK_TCK")


def _tree_cpu(pid: int | None) -> float:
    """CPU seconds used so far by a process and its children (Linux /proc; 0 elsewhere)."""
    if pid is None:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return found


# -- the server and its store ------------------------------------------------------------------


def _loopback(url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "http" or parsed.hostname not in LOOPBACK:
        raise UsageError(
            f"loadtest targets a server on this machine only (http://127.0.0.1:PORT), got {url!r}"
        )
    return url.rstrip("/")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _store(kind: str) -> Iterator[str]:
    """The store URL for the server: a fresh SQLite file, a private redis-server, or as given."""
    if "://" in kind:
        yield kind
        return
    with tempfile.TemporaryDirectory(prefix="careerbot-load-") as folder:
        if kind == "sqlite":
            yield f"sqlite:///{folder}/sessions.db"
        elif kind == "redis":
            with redis_server(Path(folder)) as url:
                yield url
        else:
            raise UsageError(f"--sessions takes sqlite, redis or a store URL, got {kind!r}")


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A redis-server of our own on a free loopback port, without persistence, until the block
    ends; its URL. UsageError when Debian's redis-server is not installed or does not start."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise UsageError("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    args = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    args += ["--dir", str(folder), "--protected-mode", "yes", "--loglevel", "warning"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: _answers_ping(port), process, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def _server(store_url: str, workers: int, log_level: str) -> Iterator[tuple[str, int]]:
    """`careerbot serve` on a free loopback port without a rate limit; its URL and pid."""
    port = _free_port()
    argv = [
        sys.executable,
        "-m",
        "bot.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--sessions",
        store_url,
        "--rate-limit",
        "0",
        "--log-level",
        log_level,
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait(lambda: _ready(port), process, "careerbot serve", log)
            yield f"http://127.0.0.1:{port}", process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


def _wait(check: Any, process: subprocess.Popen[bytes], what: str, log: Any = None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = ""
            if log is not None:
                log.seek(0)
                output = log.read().decode(errors="replace")[-2000:]
            raise UsageError(f"{what} exited with status {process.returncode}\n{output}")
        if check():
            return
        time.sleep(0.1)
    raise UsageError(f"{what} was not ready after 60s")


def _connects(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _ready(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False
