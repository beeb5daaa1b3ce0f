"""Checking a saved session against the loaded content, dropping what the content cannot use.

`Session.from_dict` already refuses values of the wrong type; this module refuses values of the
right type that name things the content lacks: an intent removed since the session was saved, an
entity id of the wrong type for a slot, a profile naming an unknown city, a citation of an
unknown guide, a suggestion no intent makes. Every drop is logged once, as one warning.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

from .domain import CITY, STATE
from .intents import IntentSet
from .knowledge import KnowledgeBase
from .reply import KINDS
from .session import Profile, Session

log = logging.getLogger(__name__)

#: where a slot's value came from (what `/why` explains)
ORIGINS = ("question", "conversation", "profile")
#: profile field -> the entity type its ids name
PROFILE_TYPES = {
    "level": "level",
    "role": "role",
    "region": CITY,
    "state": STATE,
    "interests": "specialisation",
    "skills": "skill",
}
MAX_YEARS = 99  # of experience: what the profile reader can take from a message
MAX_DETAIL = 100  # "tell me more" levels; past the first, every one answers "nothing more"


class SessionCheck:
    """Makes a session fit the content: `fit(session)` drops, in place, whatever it cannot use."""

    def __init__(
        self,
        intents: IntentSet,
        knowledge: KnowledgeBase | None,
        question: Callable[[str], str] | None = None,
    ) -> None:
        """`question`: the question suggesting an intent, as replies offer it (`Composer`)."""
        self.intents, self.kb = intents, knowledge
        settings = intents.settings
        self._offered = set(
            [s for i in intents.intents for s in (*i.suggestions, *i.examples)]
            + list(settings.starter_questions)
        )
        self._question = question

    @property
    def suggestions(self) -> set[str]:
        """What a reply may offer as a suggestion; the intents' questions added on first use."""
        if self._question is not None:
            question, self._question = self._question, None
            self._offered.update(question(i.name) for i in self.intents.intents if i.examples)
        return self._offered

    def restored(self, state: Session | Mapping[str, Any] | Any, label: str = "") -> Session:
        """A session from a saved state of any shape: types checked by `Session.from_dict`, then
        the content checked here."""
        data = state.to_dict() if isinstance(state, Session) else state
        session = Session.from_dict(dict(data) if isinstance(data, Mapping) else data)
        self.fit(session, label)
        return session

    def fit(self, session: Session, label: str = "", level: int = logging.WARNING) -> list[str]:
        """Drop from `session` what the content cannot use; returns what was dropped (and logs
        it as one message of this level)."""
        dropped: list[str] = []
        self._conversation(session, dropped)
        self._citations(session, dropped)
        self._choices(session, dropped)
        self._numbers(session, dropped)
        _fit_profile(session.profile, self._known, dropped)
        if dropped:
            where = f"session {label!r}" if label else "a saved session"
            log.log(
                level, "%s: dropped what this content cannot use: %s", where, "; ".join(dropped)
            )
        return dropped

    # -- the parts of a session ---------------------------------------------------------------

    def _known(self, type_: str, id_: str) -> bool:
        return self.kb is not None and self.kb.entity(type_, id_) is not None

    def _conversation(self, s: Session, dropped: list[str]) -> None:
        """The last answer's intent, its slots and where each came from, what it named."""
        if s.intent is not None and s.intent not in self.intents:
            dropped.append(f"intent {_short(s.intent)} (no such intent)")
            s.intent = None
        slot_types = self.intents.get(s.intent).slots if s.intent else {}
        s.slots = self._slots(s.slots, slot_types, "slots", dropped)
        origins = {k: v for k, v in s.slot_origins.items() if k in s.slots and v in ORIGINS}
        if origins != s.slot_origins:
            dropped.append("slot origins of no slot or of no known kind")
            s.slot_origins = origins
        if s.runner_up is not None and s.runner_up not in self.intents:
            dropped.append(f"runner_up {_short(s.runner_up)} (no such intent)")
            s.runner_up, s.runner_up_confidence = None, 0.0
        if any(name not in self.intents for name in s.part_intents):
            dropped.append(f"part_intents {_short(s.part_intents)} (not all are intents)")
            s.part_intents = [name for name in s.part_intents if name in self.intents]
        recent = [k for k in s.recent if ":" in k and self._known(*k.split(":", 1))]
        if recent != s.recent:
            dropped.append(f"recent {_short(s.recent)} (not all are known entities)")
            s.recent = recent
        if s.last_kind is not None and s.last_kind not in KINDS:
            dropped.append(f"last_kind {_short(s.last_kind)}")
            s.last_kind = None

    def _slots(
        self, slots: dict[str, str], types: Mapping[str, str], what: str, dropped: list[str]
    ) -> dict[str, str]:
        kept = {}
        for slot, id_ in slots.items():
            type_ = types.get(slot)
            if type_ is None:
                dropped.append(f"{what}[{_short(slot)}] (the intent has no such slot)")
            elif not self._known(type_, id_):
                dropped.append(f"{what}[{_short(slot)}] {_short(id_)} (no such {type_})")
            else:
                kept[slot] = id_
        return kept

    def _citations(self, s: Session, dropped: list[str]) -> None:
        """Citations of known guides, each titled as the guide is now."""
        sources = self.kb.sources if self.kb else {}
        kept = []
        for c in s.citations:
            source = sources.get(c.get("source", ""))
            if source is None or not isinstance(c.get("section"), str):
                dropped.append(
                    f"a citation of {_short(c.get('source'))} (no such guide, or no section)"
                )
            else:
                kept.append({"source": source.id, "title": source.title, "section": c["section"]})
        s.citations = kept

    def _choices(self, s: Session, dropped: list[str]) -> None:
        """A pending clarifying question's options and slots, and the numbered suggestions."""
        if any(name not in self.intents for name in s.options):
            dropped.append(f"options {_short(s.options)} (not all are intents)")
            s.options = []
        if not s.options:
            s.pending_slots = {}  # left over from a clarifying question already answered
        first = self.intents.get(s.options[0]).slots if s.options else {}
        s.pending_slots = self._slots(s.pending_slots, first, "pending_slots", dropped)
        # A number picks a suggestion and asks it: one that is not the content's own could be
        # anything, a bare number even, which would pick itself again and again.
        offered = self.suggestions if s.suggestions else set()
        suggestions = [q for q in s.suggestions if q in offered]
        if suggestions != s.suggestions:
            dropped.append(f"{len(s.suggestions) - len(suggestions)} unknown suggestions")
            s.suggestions = suggestions

    def _numbers(self, s: Session, dropped: list[str]) -> None:
        for name in ("confidence", "runner_up_confidence"):
            value = getattr(s, name)
            if not math.isfinite(value) or not 0.0 <= value <= 1.0:
                dropped.append(f"{name} {value!r} (not from 0 to 1)")
                setattr(s, name, 0.0 if not math.isfinite(value) else min(1.0, max(0.0, value)))
        if s.detail > MAX_DETAIL:
            dropped.append(f"detail {_short(s.detail)} (more than {MAX_DETAIL})")
            s.detail = MAX_DETAIL


def _fit_profile(p: Profile, known: Any, dropped: list[str]) -> None:
    for name, type_ in PROFILE_TYPES.items():
        value = getattr(p, name)
        if not value:
            continue
        if isinstance(value, list):
            kept = list(dict.fromkeys(v for v in value if known(type_, v)))
            if len(kept) != len(value):
                dropped.append(f"profile.{name}: {len(value) - len(kept)} unknown or repeated")
                setattr(p, name, kept)
        elif value is not None and not known(type_, value):
            dropped.append(f"profile.{name} {_short(value)} (no such {type_})")
            setattr(p, name, None)
    if p.years is not None and p.years > MAX_YEARS:
        dropped.append(f"profile.years {_short(p.years)} (more than {MAX_YEARS})")
        p.years = None


def _short(value: Any, limit: int = 60) -> str:
    """A value from outside as shown in a log line: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
