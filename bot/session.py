"""Per-user conversation state: the last answer, the
profile, pending questions; JSON with a schema version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

log = logging.getLogger(__name__)

#: bumped whenever the JSON shape of a session changes incompatibly
SCHEMA_VERSION = 1


@dataclass
class Profile:
    """What the user said about themselves (entity ids where the value is an entity)."""

    level: str | None = None
    years: int | None = None
    role: str | None = None
    student: bool = False
    region: str | None = None
    state: str | None = None
    elsewhere: str | None = None  # a place they live that the content has no entity for ("Berlin")
    # work they do that the content has no role for ("civil engineer", "nurse")
    occupation: str | None = None
    interests: list[str] = field(default_factory=list)  # specialisation ids
    skills: list[str] = field(default_factory=list)  # skill ids

    def is_empty(self) -> bool:
        return self == Profile()


@dataclass
class Session:
    """A plain value: `to_dict()` / `from_dict()` round-trip through JSON."""

    intent: str | None = None
    slots: dict[str, str] = field(default_factory=dict)
    slot_origins: dict[str, str] = field(default_factory=dict)
    detail: int = 0
    citations: list[dict[str, str]] = field(default_factory=list)  # of the last answer
    confidence: float = 0.0
    runner_up: str | None = None
    runner_up_confidence: float = 0.0
    options: list[str] = field(default_factory=list)  # intents offered in a clarifying question
    pending_slots: dict[str, str] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)
    items: list[str] = field(
        default_factory=list
    )  # the last answer's list items, for "the first one"
    last_kind: str | None = None  # Reply.kind of the last reply
    # the intents of the other questions of the last message ("..., and what does it pay?"),
    # which a follow-up may ask again ("what if I moved to New York instead?")
    part_intents: list[str] = field(default_factory=list)
    # "type:id" of the entities the last answers were about, the latest first: "which of the two?"
    recent: list[str] = field(default_factory=list)
    turns: int = 0
    # a company the guides do not cover, just declined: what "how do they hire?" asks of next
    unknown_company: str | None = None
    # the lists of each part of a last answer in parts, each its heading then its items: "step
    # 3" after the eight steps and the industries answered together is the third step
    part_lists: list[list[str]] = field(default_factory=list)
    profile: Profile = field(default_factory=Profile)

    def copy(self) -> Session:
        """An independent copy (no validation: for a value that is already a Session)."""
        values = {name: copy(getattr(self, name)) for name, copy in _COPIERS}
        values.update((name, getattr(self, name)) for name in _KEPT)
        profile = self.profile
        return Session(
            **values,
            profile=replace(
                profile, interests=list(profile.interests), skills=list(profile.skills)
            ),
        )

    def put_back(self, saved: Session) -> None:
        """Take the values of a copy taken before a reading that is not kept."""
        for name in _FIELDS:
            setattr(self, name, getattr(saved, name))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": SCHEMA_VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Profile):
                value = {p.name: _copy(getattr(value, p.name)) for p in fields(Profile)}
            data[f.name] = _copy(value)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Session:
        """A session from untrusted JSON: fields of the wrong type or from another schema version
        are dropped (with a warning), never raised on; an unusable value gives a fresh session."""
        if not isinstance(data, dict):
            log.warning("ignoring a saved session that is not an object: %s", type(data).__name__)
            return cls()
        version = data.get("version", SCHEMA_VERSION)
        if not _whole(version) or version > SCHEMA_VERSION:
            log.warning(
                "ignoring a saved session of schema version %.40r (this is %d)",
                version,
                SCHEMA_VERSION,
            )
            return cls()
        if version < SCHEMA_VERSION:
            log.warning(
                "a saved session of the older schema version %d (this is %d): "
                "keeping the fields that still fit",
                version,
                SCHEMA_VERSION,
            )
            data = _migrate(data, version)
        session = cls()
        _fill(session, data, "session")
        profile = Profile()
        if isinstance(data.get("profile"), dict):
            _fill(profile, data["profile"], "profile")
        elif data.get("profile") is not None:
            log.warning(
                "ignoring a profile that is not an object: %s", type(data["profile"]).__name__
            )
        session.profile = profile
        return session


#: version -> how a saved session of that version becomes one of the next (renamed fields, say);
#: a version without an entry keeps the fields whose name and type still fit
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _migrate(data: dict[str, Any], version: int) -> dict[str, Any]:
    for step in range(version, SCHEMA_VERSION):
        if step in MIGRATIONS:
            data = MIGRATIONS[step](data)
    return data


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _copier(annotation: str) -> Callable[[Any], Any]:
    """How to copy a field of this type: a session is copied at every turn, so each field the
    cheapest way its type allows."""
    if annotation == "dict[str, str]":
        return dict  # of strings: a shallow copy is a whole one
    if annotation == "list[str]":
        return list
    if annotation == "list[dict[str, str]]":
        return lambda value: [dict(item) for item in value]
    return _copy


_FIELDS = tuple(f.name for f in fields(Session))  # read at every turn: listed once
_KEPT = tuple(  # values never changed in place: kept as they are
    f.name for f in fields(Session) if str(f.type) in ("str | None", "str", "int", "float")
)
_COPIERS = tuple(
    (f.name, _copier(str(f.type)))
    for f in fields(Session)
    if f.name != "profile" and f.name not in _KEPT
)


def _optional_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _optional_whole(value: Any) -> bool:
    return value is None or _whole(value)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _lists(value: Any) -> bool:
    return isinstance(value, list) and all(_texts(v) for v in value)


def _text_map(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def _text_maps(value: Any) -> bool:
    return isinstance(value, list) and all(_text_map(v) for v in value)


#: what each saved field must hold; anything else is dropped
_CHECKS: dict[str, Any] = {
    "intent": _optional_text,
    "slots": _text_map,
    "slot_origins": _text_map,
    "detail": _whole,
    "citations": _text_maps,
    "confidence": _number,
    "runner_up": _optional_text,
    "runner_up_confidence": _number,
    "options": _texts,
    "pending_slots": _text_map,
    "suggestions": _texts,
    "items": _texts,
    "last_kind": _optional_text,
    "part_intents": _texts,
    "recent": _texts,
    "turns": _whole,
    "unknown_company": _optional_text,
    "part_lists": _lists,
    # the profile's fields
    "level": _optional_text,
    "years": _optional_whole,
    "role": _optional_text,
    "student": _flag,
    "region": _optional_text,
    "state": _optional_text,
    "elsewhere": _optional_text,
    "occupation": _optional_text,
    "interests": _texts,
    "skills": _texts,
}


def _fill(target: Any, data: dict[str, Any], what: str) -> None:
    """Set each field of `target` that `data` holds with a value of the right kind."""
    for f in fields(target):
        if f.name not in data or f.name == "profile":
            continue
        value = data[f.name]
        if _CHECKS[f.name](value):
            setattr(target, f.name, _copy(value))
        else:
            log.warning("ignoring %s field %r holding %s", what, f.name, type(value).__name__)
