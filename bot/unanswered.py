"""The opt-in log of what the bot declined or was unsure of, and its summary for content authors.

Each line of the log is JSON: the time, the message's text, the reply's kind and the nearest
topic. Session ids and profiles are never written. The log is off unless asked for.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from .errors import UsageError
from .reply import Reply
from .userdirs import state_dir

log = logging.getLogger(__name__)

#: reply kinds worth a content author's look: declined, guessed from passages, or unsure which
LOGGED_KINDS = ("decline", "retrieved", "clarify")
SIMILAR = 70  # rapidfuzz token_set_ratio at which two messages are one group
MAX_TEXT = 1_000  # characters of a message kept in the log


def default_path() -> Path:
    """`$XDG_STATE_HOME/careerbot/unanswered.jsonl`, else under `~/.local/state`."""
    return state_dir() / "unanswered.jsonl"


class UnansweredLog:
    """Appends one JSON line per declined or unsure reply to a private file."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.Lock()

    def record(self, text: str, reply: Reply, nearest: str | None) -> None:
        parts = reply.parts or (reply,)
        kinds = [p.kind for p in parts if p.kind in LOGGED_KINDS]
        if not kinds:
            return
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "text": text[:MAX_TEXT],
            "kind": kinds[0],
            "nearest": nearest,
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        try:
            with self._lock:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                with os.fdopen(fd, "a", encoding="utf-8") as fh:
                    fh.write(line)
        except OSError as exc:  # the reply matters more than the log
            log.warning("cannot write the unanswered log %s: %s", self.path, exc)


@dataclass
class Group:
    """Messages alike: how many, one to show, their nearest topics, and the kinds of reply."""

    text: str
    count: int = 0
    nearest: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)


def read(path: Path) -> list[dict[str, str]]:
    """The log's entries; lines that are not JSON objects with a text are skipped."""
    if not path.is_file():
        raise UsageError(f"no unanswered log at {path}: start the bot with --log-unanswered first")
    entries = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("text"), str):
                entries.append(entry)
    return entries


def group(entries: Iterable[dict[str, str]]) -> list[Group]:
    """Alike messages together (token-set similarity, first seen leads), most frequent first."""
    groups: list[Group] = []
    for entry in entries:
        text = entry["text"].strip()
        home = next((g for g in groups if fuzz.token_set_ratio(text, g.text) >= SIMILAR), None)
        if home is None:
            home = Group(text)
            groups.append(home)
        home.count += 1
        nearest = str(entry.get("nearest") or "none")
        home.nearest[nearest] = home.nearest.get(nearest, 0) + 1
        kind = str(entry.get("kind") or "decline")
        home.kinds[kind] = home.kinds.get(kind, 0) + 1
        if text not in home.examples and len(home.examples) < 3:
            home.examples.append(text)
    return sorted(groups, key=lambda g: -g.count)
