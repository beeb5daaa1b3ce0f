"""What a user tells about themselves: reading it
from a message into the Profile, and showing it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .domain import CITY, STATE
from .knowledge import Entity, KnowledgeBase
from .places import Places
from .session import Profile
from .settings import Settings
from .splitting import opens_with_oneself
from .text import holds_phrase
from .understanding import Understanding

NEGATION_REACH = 3  # words before a mention that may deny it ("not really a", "no longer a")
OCCUPATION_REACH = 3  # words after "I'm a" that may name a job ("senior civil engineer")
ROLE_REACH = 4  # words before a role saying it is the person's ("I've worked as a senior")


class ProfileReader:
    """Updates a profile from the entities and words of a message (the content's word lists)."""

    def __init__(
        self,
        settings: Settings,
        places: Places | None = None,
        subject_roles: Mapping[str, Sequence[Sequence[str]]] | None = None,
    ) -> None:
        self.places = places
        # the domain's own role (never found as an entity: "ML engineer" is in every question) by
        # its names as tokens, recorded only after words saying the person works in it
        self.subject_roles = {
            role: tuple(tuple(n) for n in names) for role, names in (subject_roles or {}).items()
        }
        # the words saying so, by their first word: a message is only checked where one begins
        self.insider_words = _by_first_word(settings.insider_words)
        self.insider_roles = frozenset(settings.insider_roles)
        self.student_words = frozenset(settings.student_words)
        self.years_words = frozenset(settings.years_words)
        self.interest_words = frozenset(settings.interest_words)
        self.negation_words = frozenset(settings.negation_words)
        self.self_words = tuple(" ".join(w.split()) for w in settings.self_words)
        self.entering_words = _by_first_word(settings.entering_words)
        self.hypothetical_words = frozenset(settings.hypothetical_words)
        self.job_words = frozenset(settings.job_words)
        self.occupations = _by_first_word(settings.out_of_scope_terms)

    def describes_self(self, u: Understanding) -> bool:
        """Whether the message says who the person is ("as a data analyst, ...", "I'm a nurse",
        "backend engineer with 5 years of Java. ...")."""
        return holds_phrase(u.tokens, self.self_words) or opens_with_oneself(u.text)

    def subject_role(self, tokens: Sequence[str]) -> str | None:
        """The domain's own role, when the person says they work in it ("I'm an ML engineer",
        "I've been an MLE for 3 years"); not "I want to be an ML engineer"."""
        tokens = tuple(tokens)
        insider = self.insider_words
        for i in [i for i, token in enumerate(tokens) if token in insider]:
            for words in insider[tokens[i]]:
                end = i + len(words)
                if tokens[i:end] != words:
                    continue
                for role, names in self.subject_roles.items():
                    if any(tokens[end : end + len(n)] == n for n in names):
                        if not self._negated(tokens, i, end):
                            return role
                        break  # "I'm not an ML engineer"
        return None

    def enters(self, u: Understanding) -> bool:
        """Whether the message names the domain's own role as where someone is going: "from
        data science to ML engineering", "can a nurse become an MLE?", "switching into ML"."""
        return self._entering_at(u.tokens) is not None

    def _entering_at(self, tokens: tuple[str, ...]) -> int | None:
        """Where the words saying someone goes into the domain's own role begin, if any."""
        for i, token in enumerate(tokens):
            for words in self.entering_words.get(token, ()):
                if (
                    tokens[i : i + len(words)] == words
                    and not self._supposed(tokens, i)
                    and self._names_subject_role(tokens, i + len(words))
                ):
                    return i
            if token == "to" and "from" in tokens[:i] and self._names_subject_role(tokens, i + 1):
                return i
        return None

    def _supposed(self, tokens: tuple[str, ...], i: int) -> bool:
        """ "if I become...": a supposition, not a move asked about."""
        return bool(self.hypothetical_words & set(tokens[max(0, i - 2) : i]))

    def _names_subject_role(self, tokens: tuple[str, ...], start: int) -> bool:
        """Whether the domain's own role (or its field, ending the message) begins at `start`,
        after an article."""
        start += tokens[start : start + 1] in (("a",), ("an",), ("the",))
        for names in self.subject_roles.values():
            for name in names:
                end = start + len(name) - 1
                head, last = tokens[start:end], tokens[end : end + 1]
                # "...engineer(s)", "...engineering", or the field alone ending the message
                if (head and head == name[:-1]) and (
                    not last or last[0] in (name[-1], name[-1] + "s", name[-1] + "ing")
                ):
                    return True
        return False

    def owns(self, u: Understanding, start: int, end: int) -> bool:
        """Whether the words [start, end) name what the person is ("I'm a data scientist"),
        rather than something they ask about; not a message opening with it ("data scientist vs
        ML engineer?")."""
        tokens = u.tokens
        return (
            start > 0 and self._is_own(tokens, start, end) and not self._negated(tokens, start, end)
        )

    def is_insider(self, u: Understanding, profile: Profile) -> bool:
        """Whether the person already works in the role (`Settings.insider_roles`), by their
        profile or by what the message says of them."""
        if profile.role in self.insider_roles:
            return True
        if not self.insider_roles:
            return False
        if self.subject_roles and self.subject_role(u.tokens) in self.insider_roles:
            return True
        # "I'm a senior ML engineer": a role of theirs the message names (as `remember` reads it)
        return self.describes_self(u) and any(
            e.type == "role" and e.id in self.insider_roles
            for m in u.mentions
            if not self._negated(u.tokens, m.start, m.end)
            for e in m.entities
        )

    def _negated(self, tokens: tuple[str, ...], start: int, end: int) -> bool:
        """Whether words just before (or "anymore" just after) deny what tokens [start, end) say:
        "I'm not a student", "no longer a data scientist", "a student anymore"."""
        before = tokens[max(0, start - NEGATION_REACH) : start]
        return bool(self.negation_words & set(before)) or tokens[end : end + 2].count("anymore") > 0

    def _is_own(self, tokens: tuple[str, ...], start: int, end: int) -> bool:
        """Whether a role the person names is theirs: "I'm a data scientist", "I've worked as a
        nurse", "product manager here", a message opening with it ("backend engineer, 5 years");
        not "I'm torn between data scientist jobs and ML engineer jobs"."""
        before = tokens[max(0, start - ROLE_REACH) : start]
        return (
            start == 0
            or holds_phrase(before, self.self_words)
            or tokens[end : end + 1] == ("here",)
        )

    def remember(self, u: Understanding, profile: Profile) -> None:
        interested = bool(self.interest_words & set(u.tokens))
        subject = self.subject_role(u.tokens) if self.subject_roles else None
        if subject:  # a role the message names below is more precise ("a senior ML engineer")
            profile.role = subject
        for mention in u.mentions:
            types = {e.type for e in mention.entities}
            if self._negated(u.tokens, mention.start, mention.end):
                self._forget(mention.entities, profile)
                continue
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
                    if self._is_own(u.tokens, mention.start, mention.end):
                        profile.role = entity.id
                elif entity.type == CITY:
                    profile.region, profile.state = entity.id, entity.state or profile.state
                    profile.elsewhere = None
                elif entity.type == STATE:
                    profile.state, profile.region, profile.elsewhere = entity.id, None, None
                elif entity.type == "specialisation" and entity.id not in profile.interests:
                    profile.interests.append(entity.id)
                elif entity.type == "skill" and entity.id not in profile.skills:
                    profile.skills.append(entity.id)
        tokens = u.tokens
        place = (
            self.places.find(tokens, [(m.start, m.end) for m in u.mentions])
            if self.places
            else None
        )
        if place and not any(e.type in (CITY, STATE) for m in u.mentions for e in m.entities):
            profile.elsewhere, profile.region, profile.state = place, None, None
        years, student = self.years_words, self.student_words
        for i in [i for i, token in enumerate(tokens[1:], 1) if token in years]:
            token = tokens[i - 1]  # "5 years": one or two digits, then the word
            if len(token) <= 2 and token.isdecimal():
                profile.years = int(token)
        for i in [i for i, token in enumerate(tokens) if token in student]:
            profile.student = not self._negated(tokens, i, i + 1)
        if profile.role is None and (occupation := self._occupation(tokens)):
            profile.occupation = occupation

    def _occupation(self, tokens: tuple[str, ...]) -> str | None:
        """Work the person says they do that the content has no role for: "I'm a civil
        engineer", "I've been a nurse for 9 years" (`insider_words`, then within OCCUPATION_REACH
        words an out-of-scope occupation or a word ending a job's name)."""
        for i, token in enumerate(tokens):
            for words in self.insider_words.get(token, ()):
                start = i + len(words)
                if tokens[i:start] == words:
                    return self._job_at(tokens, start, len(tokens))
        return None

    def mover(self, u: Understanding) -> str | None:
        """Work the question names as where someone comes from, into the domain's own role,
        when the content has no role for it: "can a nurse become an ML engineer?"."""
        tokens = u.tokens
        into = self._entering_at(tokens)
        if into is None:
            return None
        for i in range(into):  # "can a nurse become...", "from nursing to..."
            if tokens[i] in ("a", "an", "from") and (job := self._job_at(tokens, i + 1, into)):
                return job
        return None

    def _job_at(self, tokens: tuple[str, ...], start: int, stop: int) -> str | None:
        """The job named from `start` (within OCCUPATION_REACH words, before `stop`): an
        out-of-scope occupation, or words ending in a job's name; not the domain's own role ("I'm
        a machine learning engineer")."""
        for j in range(start, min(start + OCCUPATION_REACH, stop)):
            for term in self.occupations.get(tokens[j], ()):
                if tokens[j : j + len(term)] == term:
                    return " ".join(tokens[start : j + len(term)])
            if tokens[j] in self.job_words:
                subject = any(
                    tokens[start : j + 1][-len(n) :] == n
                    for names in self.subject_roles.values()
                    for n in names
                )
                return None if subject else " ".join(tokens[start : j + 1])
        return None

    @staticmethod
    def _forget(entities: tuple[Entity, ...], profile: Profile) -> None:
        for entity in entities:
            if entity.type == "role" and profile.role == entity.id:
                profile.role = None
            elif entity.type == "level" and profile.level == entity.id:
                profile.level = None
            elif entity.type == "skill" and entity.id in profile.skills:
                profile.skills.remove(entity.id)
            elif entity.type == "specialisation" and entity.id in profile.interests:
                profile.interests.remove(entity.id)


def _by_first_word(phrases: Sequence[str]) -> dict[str, list[tuple[str, ...]]]:
    """Phrases as token tuples, by their first word: a message is checked only where one begins."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        split = tuple(phrase.split())
        index.setdefault(split[0], []).append(split)
    return index


def template_profile(profile: Profile, kb: KnowledgeBase | None) -> dict[str, Any]:
    """The profile as templates see it: entities where the value is one."""

    def ent(type_: str, id_: str | None) -> Any:
        return kb.entity(type_, id_) if kb else None

    return {
        "level": ent("level", profile.level),
        "years": profile.years,
        "role": ent("role", profile.role),
        "occupation": profile.occupation,
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
    elif profile.occupation:
        rows.append(("Work", profile.occupation))
    if profile.level:
        rows.append(("Level", name("level", profile.level)))
    if profile.years is not None:
        rows.append(("Experience", f"{profile.years} year{'s' if profile.years != 1 else ''}"))
    if profile.state:
        rows.append(("State", name(STATE, profile.state)))
    if profile.region:
        rows.append(("Region", name(CITY, profile.region)))
    if profile.elsewhere:
        rows.append(("Location", profile.elsewhere))
    if profile.interests:
        rows.append(("Interests", ", ".join(name("specialisation", i) for i in profile.interests)))
    if profile.skills:
        rows.append(("Skills", ", ".join(name("skill", i) for i in profile.skills)))
    return tuple(rows)
