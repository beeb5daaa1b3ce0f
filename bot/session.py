"""Per-user conversation state: the last answer's intent and slots, the profile, pending questions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class Profile:
    """What the user said about themselves (entity ids where the value is an entity)."""

    level: str | None = None
    years: int | None = None
    role: str | None = None
    student: bool = False
    region: str | None = None
    state: str | None = None
    interests: list[str] = field(default_factory=list)  # specialisation ids
    skills: list[str] = field(default_factory=list)  # skill ids

    def is_empty(self) -> bool:
        return self == Profile()


@dataclass
class Session:
    """A plain, serialisable value: `to_dict()` / `from_dict()` round-trip through JSON."""

    intent: str | None = None
    slots: dict[str, str] = field(default_factory=dict)
    slot_origins: dict[str, str] = field(default_factory=dict)
    detail: int = 0
    sources: list[str] = field(default_factory=list)
    confidence: float = 0.0
    runner_up: str | None = None
    runner_up_confidence: float = 0.0
    options: list[str] = field(default_factory=list)  # intents offered in a clarifying question
    pending_slots: dict[str, str] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)
    turns: int = 0
    profile: Profile = field(default_factory=Profile)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        profile = values.pop("profile", None) or {}
        pnames = {f.name for f in fields(Profile)}
        return cls(**values, profile=Profile(**{k: v for k, v in profile.items() if k in pnames}))


class SessionStore:
    """In-memory sessions keyed by id; one lock per session so its turns never interleave."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def open(self, key: str) -> Iterator[Session]:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            session = self._sessions.get(key)
            if session is None:
                session = self._sessions[key] = Session()
            yield session

    def get(self, key: str) -> Session:
        with self.open(key) as session:
            return Session.from_dict(session.to_dict())

    def put(self, key: str, session: Session) -> None:
        with self.open(key):
            self._sessions[key] = Session.from_dict(session.to_dict())

    def reset(self, key: str) -> None:
        with self.open(key):
            self._sessions.pop(key, None)
