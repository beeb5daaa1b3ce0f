"""`careerbot bench --soak`: many replies over many sessions with the bounded memory store, and
the process's resident memory over time (it must level off once the store is full)."""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..engine import Engine
from ..store import DEFAULT_MAX_SESSIONS, MemoryStore
from .evaluate import load_questions

REPLIES = 1_000_000
SESSIONS = 200_000
CHECKPOINTS = 20  # memory samples over the run
TARGET_MB = 100.0
FLAT_MB = 5.0  # growth after the store is full that still counts as flat
#: what people also say: about themselves (the profile grows) and follow-ups (context is used)
EXTRA = (
    "I'm a senior software engineer in Seattle with 5 years of experience",
    "I know python, sql and docker; what am I missing?",
    "and in New York?",
    "tell me more",
    "where does that come from?",
    "and at Google?",
    "1",
)


@dataclass(frozen=True)
class Sample:
    """Memory and progress at one point of the run."""

    replies: int
    sessions: int  # held by the store
    rss_mb: float
    peak_mb: float
    seconds: float


def _status_mb(field: str) -> float | None:
    """A VmRSS / VmHWM figure of this process from /proc, in MB (None where there is no /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _memory() -> tuple[float, float]:
    """(resident now, resident peak) in MB."""
    peak = _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return _status_mb("VmRSS") or peak, peak


def _messages(questions: list[str], seed: int = 7) -> list[str]:
    """The questions and the extra turns, some with a word no one has typed before (a name, a
    typo) so caches keyed by words are exercised too."""
    rng = random.Random(seed)
    texts = questions + list(EXTRA) * max(1, len(questions) // 50)
    out = []
    for i, text in enumerate(texts * 4):
        out.append(f"{text} {_word(rng)}" if i % 4 == 0 else text)
    rng.shuffle(out)
    return out


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnprstvz") + rng.choice("aeiou") for _ in range(4))


def run(
    content: str | None,
    replies: int = REPLIES,
    sessions: int = SESSIONS,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    checkpoints: int = CHECKPOINTS,
    questions: list[str] | None = None,
) -> dict[str, object]:
    """Answer `replies` messages spread at random over `sessions` session ids, sampling memory
    `checkpoints` times; the figures as a dict."""
    store = MemoryStore(max_sessions=max_sessions)
    engine = Engine.load(content, store=store)
    messages = _messages(questions or [row["text"] for row in load_questions(None)])
    rng = random.Random(11)
    samples = [Sample(0, 0, *_memory(), 0.0)]
    full_at: Sample | None = None
    start = time.perf_counter()
    every = max(1, replies // checkpoints)
    for i in range(1, replies + 1):
        engine.reply(messages[i % len(messages)], session=f"soak-{rng.randrange(sessions)}")
        if full_at is None and len(store) >= max_sessions:
            full_at = Sample(i, max_sessions, *_memory(), time.perf_counter() - start)
        if i % every == 0 or i == replies:
            samples.append(Sample(i, len(store), *_memory(), time.perf_counter() - start))
    gc.collect()
    seconds = time.perf_counter() - start
    end = samples[-1]
    growth = end.rss_mb - full_at.rss_mb if full_at else None
    return {
        "replies": replies,
        "sessions": sessions,
        "store_bound": max_sessions,
        "seconds": round(seconds, 1),
        "replies_per_s": round(replies / seconds, 1),
        "peak_rss_mb": round(max(s.peak_mb for s in samples), 1),
        "rss_when_store_full_mb": round(full_at.rss_mb, 1) if full_at else None,
        "store_full_after_replies": full_at.replies if full_at else None,
        "rss_at_end_mb": round(end.rss_mb, 1),
        "growth_after_full_mb": round(growth, 1) if growth is not None else None,
        "flat": growth is not None and growth <= FLAT_MB,
        "below_target": max(s.peak_mb for s in samples) < TARGET_MB,
        "samples": [asdict(s) for s in samples],
    }


def main(args: argparse.Namespace) -> int:
    questions = None
    if args.questions:
        questions = [row["text"] for row in load_questions(Path(args.questions))]
    figures = run(args.content, args.replies, args.sessions, questions=questions)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(
        f"soak: {figures['replies']:,} replies over {figures['sessions']:,} sessions, "
        f"memory store bound {figures['store_bound']:,}, Python {sys.version.split()[0]}"
    )
    print(f"  {'replies':>10} {'sessions':>9} {'RSS MB':>8} {'peak MB':>8} {'seconds':>8}")
    for s in figures["samples"]:  # type: ignore[attr-defined]
        print(
            f"  {s['replies']:>10,} {s['sessions']:>9,} {s['rss_mb']:>8.1f} "
            f"{s['peak_mb']:>8.1f} {s['seconds']:>8.1f}"
        )
    growth = figures["growth_after_full_mb"]
    print(f"  peak RSS {figures['peak_rss_mb']} MB (target below {TARGET_MB:.0f} MB)")
    if growth is None:
        print("  the store never filled up: run more replies over more sessions")
    else:
        print(
            f"  store full after {figures['store_full_after_replies']:,} replies at "
            f"{figures['rss_when_store_full_mb']} MB; {growth:+} MB since "
            f"({'flat' if figures['flat'] else 'still growing'})"
        )
    print(f"  {figures['replies_per_s']:,} replies/s, {figures['seconds']} s")
    ok = bool(figures["flat"]) and bool(figures["below_target"])
    return 0 if ok or growth is None else 1
