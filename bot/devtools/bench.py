"""`careerbot bench`: load time, reply latency,
JSON-lines throughput, one-shot cold start and memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ..content import resolve
from ..engine import Engine
from ..knowledge import load_knowledge
from .evaluate import load_questions
from .stats import percentile


def _median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _child_env() -> dict[str, str]:
    """The environment of a timed `careerbot` process: it imports this very package."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


# The child reports its own peak: VmHWM belongs to the address space exec created, whereas
# ru_maxrss would also count the parent's pages at fork time.
_REPORT_RSS = (
    "import resource, sys; from bot.cli import main; code = main(sys.argv[1:])\n"
    "try:\n"
    "    peak = next(int(l.split()[1]) for l in open('/proc/self/status')"
    " if l.startswith('VmHWM'))\n"
    "except (OSError, StopIteration):\n"
    "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "sys.stderr.write(f'\\nmaxrss={peak}\\n'); sys.exit(code)"
)


def _run(args: list[str], stdin: str | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB, as the child
    itself reports it) of one `careerbot` process.
    """
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _REPORT_RSS, *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        env=_child_env(),
    )
    wall = time.perf_counter() - start
    return wall, int(done.stderr.rsplit("maxrss=", 1)[1].split()[0])


def measure(content: str | None, questions: list[str], passes: int = 5) -> dict[str, float]:
    _, knowledge_dir = resolve(content)
    figures: dict[str, float] = {}
    if knowledge_dir:
        figures["knowledge_load_ms"] = 1000 * _median_time(lambda: load_knowledge(knowledge_dir), 7)
    figures["engine_build_ms"] = 1000 * _median_time(lambda: Engine.load(content, cache=False), 5)
    Engine.load(content)  # make sure the cache is warm
    figures["engine_load_ms"] = 1000 * _median_time(lambda: Engine.load(content), 5)
    engine = Engine.load(content)
    for text in questions:  # warm the caches once: steady-state latency is what a bot serves
        engine.reply(text, session="warm")
    latencies = []
    for p in range(passes):
        for i, text in enumerate(questions):
            session = f"bench-{i % 50}"
            start = time.perf_counter()
            engine.reply(text, session=session)
            latencies.append(time.perf_counter() - start)
    figures["reply_p50_ms"] = 1000 * statistics.median(latencies)
    figures["reply_p99_ms"] = 1000 * percentile(latencies, 0.99)
    figures["replies_per_s_in_process"] = len(latencies) / sum(latencies)
    figures["in_process_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    base = ["--content", content] if content else []
    cold = [_run(base + ["ask", "how much do senior ml engineers make"]) for _ in range(5)]
    figures["ask_cold_start_ms"] = 1000 * statistics.median(w for w, _ in cold)
    figures["ask_peak_rss_mb"] = max(m for _, m in cold) / 1024

    lines = "".join(
        json.dumps({"session": f"u{i % 20}", "text": t}) + "\n" for i, t in enumerate(questions * 3)
    )
    empty_wall, _ = _run(base + ["jsonl"], stdin="")
    wall, _ = _run(base + ["jsonl"], stdin=lines)
    figures["jsonl_replies_per_s"] = len(questions) * 3 / max(wall - empty_wall, 1e-9)
    figures["jsonl_lines"] = len(questions) * 3
    return figures


def main(args: argparse.Namespace) -> int:
    if getattr(args, "soak", False):
        from .soak import main as soak

        return soak(args)
    rows = load_questions(args.questions)
    questions = [row["text"] for row in rows]
    figures = measure(args.content, questions)
    if args.json:
        print(json.dumps({k: round(v, 3) for k, v in figures.items()}, indent=2))
        return 0
    print(f"{len(questions)} questions, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    labels = {
        "knowledge_load_ms": "knowledge base load (median)",
        "engine_build_ms": "engine load, parse + build (median)",
        "engine_load_ms": "engine load from the cache (median)",
        "reply_p50_ms": "reply latency p50",
        "reply_p99_ms": "reply latency p99",
        "replies_per_s_in_process": "replies/s in process",
        "in_process_peak_rss_mb": "peak RSS in process",
        "ask_cold_start_ms": "`ask` new process, warm cache (median)",
        "ask_peak_rss_mb": "`ask` peak RSS",
        "jsonl_replies_per_s": "replies/s through `jsonl`",
        "jsonl_lines": "lines piped through `jsonl`",
    }
    for key, label in labels.items():
        if key in figures:
            value = figures[key]
            unit = " ms" if key.endswith("_ms") else " MB" if key.endswith("_mb") else ""
            print(
                f"  {label:42} {value:10.2f}{unit}"
                if unit or value % 1
                else f"  {label:42} {value:10.0f}"
            )
    return 0
