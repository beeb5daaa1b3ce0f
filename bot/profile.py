"""What a user tells about themselves: reading it
from a message into the Profile, and showing it.
"""

from __future__ import annotations

import re
from typing import Any

from .domain import CITY, STATE
from .knowledge import KnowledgeBase
from .session import Profile
from .settings import Settings
from .understanding import Understanding

_YEARS = re.compile(r"^(\d{1,2})$")


class ProfileReader:
    """Updates a profile from the entities and words of a message (the content's word lists)."""

    def __init__(self, settings: Settings) -> None:
        self.student_words = frozenset(settings.student_words)
        self.years_words = frozenset(settings.years_words)
        self.interest_words = frozenset(settings.interest_words)

    def remember(self, u: Understanding, profile: Profile) -> None:
        interested = bool(self.interest_words & set(u.tokens))
        for mention in u.mentions:
            types = {e.type for e in mention.entities}
            for entity in mention.entities:
                # "I'm a data scientist" is a role, "I know NLP" a skill; "I'm interested in
                # data science / NLP" an interest
                if entity.type == "specialisation" and types & {"role", "skill"} and not interested:
                    continue
                if entity.type in ("role", "skill") and "specialisation" in types and interested:
                    continue
                if entity.type == "level":
                    profile.level = entity.id
                elif entity.type == "role":
                    profile.role = entity.id
                elif entity.type == CITY:
                    profile.region, profile.state = entity.id, entity.state or profile.state
                elif entity.type == STATE:
                    profile.state, profile.region = entity.id, None
                elif entity.type == "specialisation" and entity.id not in profile.interests:
                    profile.interests.append(entity.id)
                elif entity.type == "skill" and entity.id not in profile.skills:
                    profile.skills.append(entity.id)
        tokens = u.tokens
        for i, token in enumerate(tokens[:-1]):
            match = _YEARS.match(token)
            if match and tokens[i + 1] in self.years_words:
                profile.years = int(match.group(1))
        if self.student_words & set(tokens):
            profile.student = True


def template_profile(profile: Profile, kb: KnowledgeBase | None) -> dict[str, Any]:
    """The profile as templates see it: entities where the value is one."""

    def ent(type_: str, id_: str | None) -> Any:
        return kb.entity(type_, id_) if kb else None

    return {
        "level": ent("level", profile.level),
        "years": profile.years,
        "role": ent("role", profile.role),
        "student": profile.student,
        "region": ent(CITY, profile.region),
        "state": ent(STATE, profile.state),
        "interests": [e for i in profile.interests if (e := ent("specialisation", i))],
        "skills": [e for i in profile.skills if (e := ent("skill", i))],
        "empty": profile.is_empty(),
    }


def profile_rows(profile: Profile, kb: KnowledgeBase | None) -> tuple[tuple[str, str], ...]:
    """(label, value) lines saying what the user told about themselves."""

    def name(type_: str, id_: str) -> str:
        entity = kb.entity(type_, id_) if kb else None
        return entity.name if entity else id_

    rows: list[tuple[str, str]] = []
    if profile.student:
        rows.append(("You are", "a student"))
    if profile.role:
        rows.append(("Role", name("role", profile.role)))
    if profile.level:
        rows.append(("Level", name("level", profile.level)))
    if profile.years is not None:
        rows.append(("Experience", f"{profile.years} year{'s' if profile.years != 1 else ''}"))
    if profile.state:
        rows.append(("State", name(STATE, profile.state)))
    if profile.region:
        rows.append(("Region", name(CITY, profile.region)))
    if profile.interests:
        rows.append(("Interests", ", ".join(name("specialisation", i) for i in profile.interests)))
    if profile.skills:
        rows.append(("Skills", ", ".join(name("skill", i) for i in profile.skills)))
    return tuple(rows)
