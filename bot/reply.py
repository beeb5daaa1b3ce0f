"""The reply value every interface shows: text, intent, confidence, slots, suggestions, sources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Reply:
    """What the engine answers to one message. Immutable; `to_dict()` is the one JSON shape."""

    text: str
    intent: str | None = None
    confidence: float = 0.0
    slots: Mapping[str, str] = field(default_factory=dict)
    suggestions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    fallback: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "slots", MappingProxyType(dict(self.slots)))
        object.__setattr__(self, "suggestions", tuple(self.suggestions))
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "confidence", round(float(self.confidence), 4))

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent,
            "confidence": self.confidence,
            "slots": dict(self.slots),
            "suggestions": list(self.suggestions),
            "sources": list(self.sources),
            "fallback": self.fallback,
        }
