"""What the engine tells adapters about itself and a
conversation: its topics, the last answer explained.
"""

from __future__ import annotations

from dataclasses import dataclass

from .reply import Citation

#: the chat commands every chat adapter offers (each with its own prefix: "/why", "!why"), in the
#: order their help lists them, with the line it shows
COMMANDS: dict[str, str] = {
    "topics": "what I can answer, with an example question each",
    "why": "how I understood your last question: topic, confidence, runner-up, details",
    "sources": "the guides and sections behind the last answer",
    "profile": "what I remember about you",
    "reset": "forget this conversation and what you told me about yourself",
}
#: where a detail of the last answer came from, as `/why` says it
ORIGINS: dict[str, str] = {
    "question": "from your question",
    "conversation": "carried over from the conversation",
    "profile": "from what you told me about yourself",
}


@dataclass(frozen=True)
class Topic:
    """Something the bot can answer, with an example question as a user would type it."""

    title: str
    example: str


@dataclass(frozen=True)
class TopicGroup:
    """A heading of `/topics` and the topics under it, in content order."""

    title: str
    topics: tuple[Topic, ...]


@dataclass(frozen=True)
class SlotValue:
    """A detail of the last answer: the slot, the entity's display name, and where it came from
    ("question", "conversation" or "profile")."""

    name: str
    value: str
    origin: str


@dataclass(frozen=True)
class Explanation:
    """How the last message of a session was understood (what `/why` and `/sources` show).

    `intent` is None when nothing was answered yet; `last_kind` is the kind of the last reply
    (it may be a decline or a clarifying question while `intent` still names the topic under
    discussion); `options` are the titles offered by a clarifying question.
    """

    intent: str | None
    title: str | None
    confidence: float
    threshold: float
    last_kind: str | None
    runner_up: str | None = None
    runner_up_title: str | None = None
    runner_up_confidence: float = 0.0
    slots: tuple[SlotValue, ...] = ()
    citations: tuple[Citation, ...] = ()
    options: tuple[str, ...] = ()
    profile: tuple[
        tuple[str, str], ...
    ] = ()  # (label, value) rows of what the user told about themselves
