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


# a backstory, repeated with variations to fill a long post around three questions
_BACKSTORY = (
    "Hi everyone, long post, sorry in advance.",
    "I have been a backend developer for {n} years, mostly Java and some Python.",
    "I live in Austin and my team works next to the data science group.",
    "My manager says I should wait, my parents think it is a phase.",
    "I did a statistics course in college and a few online classes since.",
)


def _long_posts(questions: list[str], count: int = 100, size: int = 4_000) -> list[str]:
    """`count` posts of about `size` characters: a backstory and three of the questions."""
    posts = []
    for i in range(count):
        asked = " ".join(q.rstrip("?.") + "?" for q in questions[3 * i : 3 * i + 3])
        story: list[str] = []
        while sum(len(s) + 1 for s in story) + len(asked) < size:
            line = _BACKSTORY[len(story) % len(_BACKSTORY)]
            story.append(line.format(n=len(story) % 9 + 2))
        posts.append(" ".join(story[:-1]) + " " + asked + " Thanks!")
    return posts


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
    long_latencies = []
    for p in range(passes):
        for i, text in enumerate(_long_posts(questions)):
            start = time.perf_counter()
            engine.reply(text, session=f"long-{i % 50}")
            long_latencies.append(time.perf_counter() - start)
    figures["long_p50_ms"] = 1000 * statistics.median(long_latencies)
    figures["long_p99_ms"] = 1000 * percentile(long_latencies, 0.99)
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
        "long_p50_ms": "a 4,000-character post, p50",
        "long_p99_ms": "a 4,000-character post, p99",
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
