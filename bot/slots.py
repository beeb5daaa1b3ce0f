"""Filling an intent's slots from the question, then
the conversation, then the profile; template values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .domain import CITY, PLACE_TYPES, PROFILE_FIELDS, STATE
from .intents import Intent, IntentSet
from .knowledge import KnowledgeBase
from .profile import template_profile
from .session import Profile, Session
from .understanding import Understanding

Filled = tuple[dict[str, str], dict[str, str]]  # slot -> entity id, slot -> origin


class SlotFiller:
    """Resolves slots against the intents and the knowledge base's entities."""

    def __init__(self, intents: IntentSet, knowledge: KnowledgeBase | None) -> None:
        self.intents, self.kb = intents, knowledge

    def resolve(self, intent: Intent, u: Understanding, state: Session, carry: bool) -> Filled:
        """Fill each slot from the question, then (if `carry`) the last answer, then the profile."""
        slots: dict[str, str] = {}
        origins: dict[str, str] = {}
        used: set[int] = set()
        for slot, type_ in intent.slots.items():
            for i, mention in enumerate(u.mentions):
                entity = mention.of_type(type_) if i not in used else None
                if entity is not None:
                    slots[slot], origins[slot] = entity.id, "question"
                    used.add(i)
                    break
        for slot, type_ in intent.slots.items():
            # a city implies its state: "Seattle" also answers for Washington
            if type_ == STATE and slot not in slots:
                city = next((e for m in u.mentions if (e := m.of_type(CITY))), None)
                if city and city.state:
                    slots[slot], origins[slot] = city.state, "question"
        if carry and state.intent in self.intents:
            self._carry(intent, u, state, slots, origins)
        has_place = any(intent.slots[s] in PLACE_TYPES for s in slots)
        for slot, type_ in intent.slots.items():
            if slot in slots or (has_place and type_ in PLACE_TYPES):
                continue
            value = from_profile(type_, state.profile)
            if value:
                slots[slot], origins[slot] = value, "profile"
        return slots, origins

    def _carry(
        self,
        intent: Intent,
        u: Understanding,
        state: Session,
        slots: dict[str, str],
        origins: dict[str, str],
    ) -> None:
        previous = self.intents.get(state.intent or "")
        question_types = {e.type for m in u.mentions for e in m.entities}
        for slot, type_ in intent.slots.items():
            if slot in slots:
                continue
            # a new place replaces the old one, whichever kind (city or state) it was
            if type_ in PLACE_TYPES and question_types & set(PLACE_TYPES):
                continue
            for old_slot, old_type in previous.slots.items():
                value = state.slots.get(old_slot)
                if old_type == type_ and value is not None and value not in slots.values():
                    slots[slot], origins[slot] = value, "conversation"
                    break
        # a second slot of a type ("compare them" after Apple, then Google): an earlier answer's
        for slot, type_ in intent.slots.items():
            if slot in slots or type_ in PLACE_TYPES:
                continue
            for key in state.recent:
                kind, id_ = key.split(":", 1)
                if kind == type_ and id_ not in slots.values():
                    slots[slot], origins[slot] = id_, "conversation"
                    break

    def values(
        self,
        intent: Intent,
        slots: Mapping[str, str],
        profile: Profile,
        u: Understanding | None = None,
    ) -> dict[str, Any]:
        """Template values: every slot as its Entity (None when unfilled), the entities the
        question mentioned by type, and the profile."""
        kb = self.kb
        values: dict[str, Any] = {
            slot: kb.entity(type_, slots.get(slot)) if kb else None
            for slot, type_ in intent.slots.items()
        }
        mentioned: dict[str, list[Any]] = {}
        for mention in u.mentions if u else ():
            for entity in mention.entities:
                mentioned.setdefault(entity.type, []).append(entity)
        values["mentioned"] = mentioned
        values["profile"] = template_profile(profile, kb)
        return values


def from_profile(type_: str, profile: Profile) -> str | None:
    """The profile's value for a slot of this entity
    type (the first interest for a specialisation).
    """
    field = PROFILE_FIELDS.get(type_)
    value = getattr(profile, field) if field else None
    if isinstance(value, list):
        return value[0] if value else None
    return value
