"""The values every interface shows: a `Reply` (text,
kind, intent, suggestions, citations) and its `Citation`s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from msgspec import Struct

#: how a reply was made
KINDS = ("answer", "retrieved", "clarify", "decline", "smalltalk", "act", "multi")


class Citation(Struct, frozen=True, order=True):
    """Where a fact comes from: the guide's id, the title the bot cites, and the section."""

    source: str
    title: str
    section: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "title": self.title, "section": self.section}

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> Citation:
        return cls(str(data["source"]), str(data["title"]), str(data["section"]))


@dataclass(frozen=True)
class Reply:
    """What the engine answers to one message. Immutable; `to_dict()` is the one JSON shape.

    `kind` says how it was made (see KINDS); `fallback` is true exactly when it is a decline.
    A reply to a message of several questions has `parts`, each a reply of its own; its `text`
    joins theirs.
    """

    text: str
    intent: str | None = None
    confidence: float = 0.0
    slots: Mapping[str, str] = field(default_factory=dict)
    suggestions: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()
    kind: str = "answer"
    parts: tuple[Reply, ...] = ()
    notice: str | None = (
        None  # said before the answer, e.g. that only the start of a long message was read
    )

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown reply kind {self.kind!r}")
        object.__setattr__(self, "slots", MappingProxyType(dict(self.slots)))
        object.__setattr__(self, "suggestions", tuple(self.suggestions))
        object.__setattr__(self, "citations", tuple(dict.fromkeys(self.citations)))
        object.__setattr__(self, "parts", tuple(self.parts))
        object.__setattr__(self, "confidence", round(float(self.confidence), 4))

    @property
    def fallback(self) -> bool:
        """True when the bot declined: it does not know, or the question is outside the guides."""
        return self.kind == "decline"

    @property
    def sources(self) -> tuple[str, ...]:
        """Titles of the guides cited, in order of first use."""
        return tuple(dict.fromkeys(c.title for c in self.citations))

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "intent": self.intent,
            "confidence": self.confidence,
            "slots": dict(self.slots),
            "suggestions": list(self.suggestions),
            "sources": list(self.sources),
            "citations": [c.to_dict() for c in self.citations],
            "fallback": self.fallback,
            "notice": self.notice,
            "parts": [part.to_dict() for part in self.parts],
        }
