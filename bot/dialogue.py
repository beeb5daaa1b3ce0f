"""Dialogue policy: turns an understood message and the session into a reply (follow-ups, profile,
clarification, fallback), rendering the chosen intent's template."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .intents import Intent
from .matching import Candidate
from .reply import Citation, Reply
from .session import Profile, Session

if TYPE_CHECKING:
    from .engine import Engine, Understanding

_YEARS = re.compile(r"^(\d{1,2})$")
UNMET_REQUIRED = 0.5  # confidence kept by a candidate whose required slots the question leaves empty


class Dialogue:
    """Decides what to answer; reads the engine's content and settings, writes the session."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        s = engine.settings
        self.texts = s.texts
        self.followup_words = frozenset(s.followup_words)
        self.anaphora_words = frozenset(s.anaphora_words)
        self.choice_words: Mapping[str, int] = s.choice_words
        self.entity_intents: Mapping[str, str] = s.entity_intents
        self.starters: tuple[str, ...] = s.starter_questions
        self.student_words = frozenset(s.student_words)
        self.years_words = frozenset(s.years_words)
        self.interest_words = frozenset(s.interest_words)
        self.context_boost = s.context_boost
        self.tie_margin = s.tie_margin

    # -- entry point ---------------------------------------------------------------------------

    def respond(self, u: Understanding, state: Session) -> Reply:
        if not u.tokens:
            return Reply(self.texts["empty"], suggestions=self.starters[:3], kind="decline")
        chosen = self._choice(u, state)
        if chosen is not None:
            return chosen
        other = self._out_of_scope_term(u)
        if other is not None:
            text = self.texts["out_of_scope_term"].format(term=other)
            return Reply(text, None, 0.0, suggestions=self.starters[:3], kind="decline")
        ranked = self._rank(u, state)
        top = ranked[0] if ranked else None
        confident = top is not None and top.score >= self.engine.threshold
        intent = self.engine.intent(top.intent) if confident and top else None
        if intent and intent.category == "dialogue":
            return self._act(intent, top, state)  # type: ignore[arg-type]
        bare = bool(u.mentions) and all(t.startswith("@") or t in self.followup_words for t in u.matched)
        # "I'm based in Austin" tells about the user; a bare "in Austin?" follows the last answer up
        follow = None if intent and intent.category == "profile" and not bare else self._follow_up(u, state)
        if follow is not None:
            return self._answer(follow, u, state, top.score if top else 0.0, carry=True)
        if intent is None or (bare and intent.category in ("career", "profile") and not intent.slots):
            by_entity = self._entity_intent(u)
            if by_entity is not None:
                return self._answer(by_entity, u, state, top.score if top else 0.0)
            return self._fallback(u)
        runner = self._runner_up(u, intent, top)  # type: ignore[arg-type]
        if runner is not None:
            return self._clarify(u, state, top, runner)  # type: ignore[arg-type]
        carry = bool(self.anaphora_words & set(u.tokens))
        return self._answer(intent, u, state, top.score, carry=carry, ranked=ranked)  # type: ignore[union-attr]

    # -- decisions -----------------------------------------------------------------------------

    def _choice(self, u: Understanding, state: Session) -> Reply | None:
        """A number or "the first one" answering a clarifying question or picking a suggestion."""
        options = state.options or []
        pick = self._ordinal(u.tokens, len(options) or len(state.suggestions))
        if options:
            names = [n for n in options if any(c.intent == n for c in u.candidates[:1])]
            if pick is None and names:
                pick = options.index(names[0]) + 1
            if pick is not None:
                intent = self.engine.intent(options[pick - 1])
                state.options = []
                return self._answer(intent, u, state, 1.0, slots=dict(state.pending_slots))
            state.options = []
            return None
        if pick is not None and state.suggestions and len(u.tokens) == 1 and u.tokens[0].isdigit():
            question = state.suggestions[pick - 1]
            return self.respond(self.engine.understand(question), state)
        return None

    def _rank(self, u: Understanding, state: Session) -> list[Candidate]:
        """The candidates, best first, re-ranked by the question's slots and the conversation.

        A candidate whose required slots the question leaves empty ("compare" with one company)
        keeps half its confidence, and no longer caps the confidence of those ranked below it.

        A terse turn ("hiring?") leans on the conversation: candidates that take the slots of the
        last answer gain `context_boost`, as a recent context frame would in Adapt.
        """
        terse = len([t for t in u.matched if t not in self.followup_words]) <= 2
        carried = set()
        if terse and state.intent:
            last = self.engine.intent(state.intent).slots
            carried = {last[slot] for slot in state.slots if slot in last}
        ranked = []
        ceiling = 1.0  # the matcher's cap on lower candidates, without the candidates demoted here
        for candidate in u.candidates:
            intent = self.engine.intent(candidate.intent)
            if intent.requires and not self._meets_requirements(intent, u):
                # without what it needs it can still answer, but only as a last resort
                candidate = replace(candidate, score=candidate.score * UNMET_REQUIRED)
            else:
                ceiling = min(ceiling, candidate.score if candidate.own is None else candidate.own)
                candidate = replace(candidate, score=ceiling)
            if carried & set(intent.slots.values()) and intent.category == "career":
                candidate = replace(candidate, score=min(1.0, candidate.score + self.context_boost))
            ranked.append(candidate)
        ranked.sort(key=lambda c: -c.score)  # stable: ties keep the matcher's order
        if len(ranked) > 1 and ranked[0].score - ranked[1].score <= self.tie_margin:
            # near-equal: the intent whose answer knows the named entity wins
            # ("become a CTO": the progression facts name the CTO, the transition facts don't)
            knows = [self._knows_mention(c, u) for c in ranked[:2]]
            if knows[1] and not knows[0]:
                ranked[0], ranked[1] = ranked[1], ranked[0]
        return ranked

    def _meets_requirements(self, intent: Intent, u: Understanding) -> bool:
        filled, _ = self.resolve(intent, u, Session(), carry=False)
        return all(slot in filled for slot in intent.requires)

    def _knows_mention(self, candidate: Candidate, u: Understanding) -> bool:
        intent = self.engine.intent(candidate.intent)
        for slot, type_ in intent.slots.items():
            for mention in u.mentions:
                entity = mention.of_type(type_)
                if entity is not None and self.engine.knows(intent, slot, entity.id):
                    return True
        return False

    def _out_of_scope_term(self, u: Understanding) -> str | None:
        """A term the content declares out of scope ("dentist"), unless the question also names
        one of the domain's own roles or specialisations."""
        if any(e.type in ("role", "specialisation") for m in u.mentions for e in m.entities):
            return None
        if any(_occurrence(u.tokens, term) for term in self.engine.subject_terms):
            return None  # "I've been a teacher, how do I get into ML?" is about the domain
        return next((found for term in self.engine.out_of_scope if (found := _occurrence(u.tokens, term))), None)

    def _ordinal(self, tokens: tuple[str, ...], count: int) -> int | None:
        if not count or len(tokens) > 4:
            return None
        for token in tokens:
            value = int(token) if token.isdigit() else self.choice_words.get(token)
            if value is not None:
                value = count if value == -1 else value
                if 1 <= value <= count:
                    return value
        return None

    def _follow_up(self, u: Understanding, state: Session) -> Intent | None:
        """A short turn that only names an entity the last answer's intent takes ("and Amazon?")."""
        if not state.intent or not u.mentions:
            return None
        words = [t for t in u.matched if not t.startswith("@")]
        if any(w not in self.followup_words for w in words):
            return None
        previous = self.engine.intent(state.intent)
        types = set(previous.slots.values())
        if any(self._fits(m.entities, types) for m in u.mentions):
            return previous
        for mention in u.mentions:  # "and at Google?" after the interview stages: Google's hiring
            for entity in mention.entities:
                if entity.type in previous.followups:
                    return self.engine.intent(previous.followups[entity.type])
        return None

    @staticmethod
    def _fits(entities: tuple[Any, ...], types: set[str]) -> bool:
        return any(e.type in types or (e.type == "region" and "state" in types) for e in entities)

    def _entity_intent(self, u: Understanding) -> Intent | None:
        """A bare entity ("Nvidia?") with no clear intent: the intent that describes that kind of thing."""
        if not u.mentions or any(not t.startswith("@") and t not in self.followup_words for t in u.matched):
            return None
        for mention in u.mentions:
            for entity in mention.entities:
                name = self.entity_intents.get(entity.type)
                if name:
                    return self.engine.intent(name)
        return None

    def _runner_up(self, u: Understanding, intent: Intent, top: Candidate) -> Candidate | None:
        if self.engine.margin <= 0 or intent.category != "career":
            return None
        for c in u.candidates[1:]:
            if c.intent == top.intent or top.score - c.score > self.engine.margin:
                continue
            if c.score >= self.engine.threshold and self.engine.intent(c.intent).category == "career":
                return c
        return None

    # -- replies -------------------------------------------------------------------------------

    def _fallback(self, u: Understanding) -> Reply:
        seen: list[str] = []
        for c in u.candidates:
            intent = self.engine.intent(c.intent)
            if intent.category == "career" and c.score >= self.engine.threshold * 0.5 and c.example not in seen:
                seen.append(c.example)
        suggestions = tuple(seen[:3]) or self.starters[:3]
        text = self.texts["fallback"]
        if suggestions:
            text += " " + self.texts["fallback_suggest"]
        top = u.top
        return Reply(text, None, top.score if top else 0.0, suggestions=suggestions, kind="decline")

    def _clarify(self, u: Understanding, state: Session, top: Candidate, runner: Candidate) -> Reply:
        first, second = self.engine.intent(top.intent), self.engine.intent(runner.intent)
        state.options = [first.name, second.name]
        state.pending_slots = self.resolve(first, u, state, carry=False)[0]
        options = f"1) {first.title.lower()} or 2) {second.title.lower()}"
        return Reply(self.texts["clarify"].format(options=options), None, top.score,
                     suggestions=(top.example, runner.example), kind="clarify")

    def _act(self, act: Intent, top: Candidate, state: Session) -> Reply:
        if not state.intent:
            return Reply(self.texts["no_context"], act.name, top.score, suggestions=self.starters[:3],
                         kind="act")
        intent = self.engine.intent(state.intent)
        values = self.template_values(intent, state.slots, state)
        if act.name == "sources":
            cited = [Citation.from_dict(c) for c in state.citations]
            lines = [self.texts["sources"], *(f"- {c.title}: {c.section}" for c in cited)]
            return Reply("\n".join(lines), act.name, top.score, dict(state.slots),
                         tuple(state.suggestions), tuple(cited), kind="act")
        if act.name == "why":
            if not intent.why:
                return Reply(self.texts["no_reason"], act.name, top.score, dict(state.slots),
                             tuple(state.suggestions), kind="act")
            rendered = self.engine.renderer.render(intent.name + ".why", intent.why, values)
            return Reply(rendered.text, act.name, top.score, dict(state.slots),
                         tuple(state.suggestions), rendered.citations, kind="act")
        # "more": the next level of detail of the last answer, if the template has one
        state.detail += 1
        rendered = self.engine.renderer.render(intent.name, intent.answer, values, detail=state.detail)
        shorter = self.engine.renderer.render(intent.name, intent.answer, values, detail=state.detail - 1)
        if state.detail > 1 or rendered.text == shorter.text:
            text = self.texts["no_more"]
            if state.suggestions:
                text += " You could ask next: " + "; ".join(state.suggestions[:3])
            return Reply(text, act.name, top.score, dict(state.slots), tuple(state.suggestions),
                         rendered.citations, kind="act")
        return Reply(rendered.text, intent.name, top.score, dict(state.slots), tuple(state.suggestions),
                     rendered.citations, kind="act")

    def _answer(self, intent: Intent, u: Understanding, state: Session, confidence: float,
                carry: bool = False, slots: dict[str, str] | None = None,
                ranked: list[Candidate] | None = None) -> Reply:
        if intent.category == "profile" or intent.remember:
            self.remember(u, state.profile)
        if slots is None:
            slots, origins = self.resolve(intent, u, state, carry)
        else:
            origins = {k: "conversation" for k in slots}
        values = self.template_values(intent, slots, state, u)
        rendered = self.engine.renderer.render(intent.name, intent.answer, values)
        text = rendered.text
        from_profile = [values[k].name for k, o in origins.items() if o == "profile" and values.get(k)]
        if from_profile:
            text = self.texts["profile_note"].format(values=", ".join(from_profile)) + "\n" + text
        runner = next((c for c in (ranked or u.candidates) if c.intent != intent.name), None)
        if intent.category in ("career", "profile"):
            state.intent, state.slots, state.slot_origins = intent.name, slots, origins
            state.detail, state.citations = 0, [c.to_dict() for c in rendered.citations]
            state.confidence = confidence
            state.runner_up = runner.intent if runner else None
            state.runner_up_confidence = runner.score if runner else 0.0
            state.suggestions = list(intent.suggestions)
        state.turns += 1
        kind = "smalltalk" if intent.category == "smalltalk" else "answer"
        return Reply(text, intent.name, confidence, slots, intent.suggestions[:3], rendered.citations, kind=kind)

    # -- slots and profile ---------------------------------------------------------------------

    def resolve(self, intent: Intent, u: Understanding, state: Session,
                carry: bool) -> tuple[dict[str, str], dict[str, str]]:
        """Fill each slot from the question, then the conversation, then the profile."""
        slots: dict[str, str] = {}
        origins: dict[str, str] = {}
        used: set[int] = set()
        for slot, type_ in intent.slots.items():
            for i, mention in enumerate(u.mentions):
                if i in used:
                    continue
                entity = mention.of_type(type_)
                if entity is not None:
                    slots[slot], origins[slot] = entity.id, "question"
                    used.add(i)
                    break
        kb = self.engine.knowledge
        for slot, type_ in intent.slots.items():
            # a city implies its state: "Seattle" also answers for Washington
            if type_ == "state" and slot not in slots and kb:
                region = next((e for m in u.mentions if (e := m.of_type("region"))), None)
                if region and region.state:
                    slots[slot], origins[slot] = region.state, "question"
        question_types = {e.type for m in u.mentions for e in m.entities}
        if carry and state.intent:
            previous = self.engine.intent(state.intent)
            for slot, type_ in intent.slots.items():
                if slot in slots:
                    continue
                # a new location replaces the old one, whichever kind (region or state) it was
                if type_ in ("region", "state") and question_types & {"region", "state"}:
                    continue
                for old_slot, old_type in previous.slots.items():
                    if old_type == type_ and old_slot in state.slots:
                        slots[slot], origins[slot] = state.slots[old_slot], "conversation"
                        break
        has_location = any(intent.slots[s] in ("region", "state") for s in slots)
        for slot, type_ in intent.slots.items():
            if slot in slots or (has_location and type_ in ("region", "state")):
                continue
            value = self._from_profile(type_, state.profile)
            if value:
                slots[slot], origins[slot] = value, "profile"
        return slots, origins

    @staticmethod
    def _from_profile(type_: str, profile: Profile) -> str | None:
        if type_ == "specialisation":
            return profile.interests[0] if profile.interests else None
        if type_ in ("level", "region", "state", "role"):
            return getattr(profile, type_)
        return None

    def remember(self, u: Understanding, profile: Profile) -> None:
        """Update the profile from what a message says about the user."""
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
                elif entity.type == "region":
                    profile.region, profile.state = entity.id, entity.state or profile.state
                elif entity.type == "state":
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

    def template_values(self, intent: Intent, slots: Mapping[str, str], state: Session,
                        u: Understanding | None = None) -> dict[str, Any]:
        kb = self.engine.knowledge
        values = self.engine.entity_values(slots, intent)
        mentioned: dict[str, list[Any]] = {}
        for mention in (u.mentions if u else ()):
            for entity in mention.entities:
                mentioned.setdefault(entity.type, []).append(entity)
        p = state.profile

        def ent(type_: str, id_: str | None) -> Any:
            return kb.entity(type_, id_) if kb else None

        values["mentioned"] = mentioned
        values["profile"] = {
            "level": ent("level", p.level), "years": p.years, "role": ent("role", p.role),
            "student": p.student, "region": ent("region", p.region), "state": ent("state", p.state),
            "interests": [e for i in p.interests if (e := ent("specialisation", i))],
            "skills": [e for i in p.skills if (e := ent("skill", i))],
            "empty": p.is_empty(),
        }
        return values


def _occurrence(tokens: tuple[str, ...], term: tuple[str, ...]) -> str | None:
    """Where the term's tokens occur in a row (its last word also as a plural), as typed."""
    n = len(term)
    plurals = (term[-1], term[-1] + "s", term[-1] + "es")
    for i in range(len(tokens) - n + 1):
        window = tokens[i:i + n]
        if window[:-1] == term[:-1] and window[-1] in plurals:
            return " ".join(window)
    return None
