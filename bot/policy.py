"""Choosing the intent: the matcher's candidates
re-ranked for the conversation, follow-ups, ties, scope.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import msgspec

from .domain import CITY, STATE, SUBJECT_TYPES
from .entities import Mention
from .intents import Intent, IntentSet
from .knowledge import Entity
from .matching import Candidate
from .needs import needs
from .session import Profile, Session
from .settings import Settings
from .slots import SlotFiller
from .splitting import may_tell_about_me
from .text import occurrence
from .understanding import BARE_WORDS, Understanding

TIED = 0.9  # a runner-up this close to the top candidate shares its confidence (`confident`)
TIES = ("career", "dialogue")  # ... when both are of one of these categories
ANCHORED = 0.6  # of the threshold: a career intent taking an entity the question names
FOLLOW_UP_WORDS = 6  # "what about OpenAI's process?": a follow-up this short keeps the intent
FOLLOW_UP_TOKENS = 8  # "which is lowest of those?": a superlative of the last list
RANKING_WORDS = 6  # a superlative asked of the last answer is a short turn
UNMET_REQUIRED = (
    0.5  # confidence kept by a candidate whose required slots the question leaves empty
)
UNMET_NEEDS = 0.25  # ... and by one holding none of the words its intent needs (`Intent.needs`)
Terms = tuple[tuple[str, ...], ...]


# before an occupation, words saying it is the person's own or someone's they know: "as a former
# actuary, ...", "I'm an accountant, ...", "her teacher told her..."
_NOT_ASKED_OF = frozenset(
    ("my", "his", "her", "their", "our", "your", "former", "retired", "ex", "as a", "as an")
    + ("im a", "im an", "m a", "m an", "am a", "am an")
)


class Policy:
    """Ranks and picks intents for a message in a conversation; never writes the session."""

    def __init__(
        self,
        intents: IntentSet,
        settings: Settings,
        slots: SlotFiller,
        knows: Callable[[Intent, str, str], bool],
        out_of_scope: Terms,
        subject_terms: Terms,
        is_insider: Callable[[Understanding, Profile], bool] = lambda u, profile: False,
        says: Callable[[Intent, Entity], bool] = lambda intent, entity: False,
        enters: Callable[[Understanding], bool] = lambda u: False,
        owns: Callable[[Understanding, int, int], bool] = lambda u, start, end: False,
    ) -> None:
        self.intents, self.settings, self.slots, self.knows = intents, settings, slots, knows
        self.says = says  # whether an intent's general answer names an entity
        self.is_insider, self.enters, self.owns = is_insider, enters, owns
        self.out_of_scope, self.subject_terms = out_of_scope, subject_terms
        # terms by their first word, so a message is only checked against terms it could hold
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for term in out_of_scope:
            self._by_first.setdefault(term[0], []).append(term)
        self._subject_by_first: dict[str, list[tuple[str, ...]]] = {}
        for term in subject_terms:  # a one-word term also by its plurals
            for first in (term[0], term[0] + "s", term[0] + "es") if len(term) == 1 else term[:1]:
                self._subject_by_first.setdefault(first, []).append(term)
        self.needs = {
            intent.name: needs(intent.needs) for intent in intents.intents if intent.needs
        }
        self.followup_words = frozenset(settings.followup_words)
        self.home_names = frozenset(settings.home_names)
        self.hypothetical_words = frozenset(settings.hypothetical_words)
        self.person_words = frozenset(settings.person_words)
        self.anaphora_words = frozenset(settings.anaphora_words)
        self.superlative_words = frozenset(settings.superlative_words)
        self.pair_words = frozenset(settings.pair_words)
        self.comparison_words = frozenset((*settings.comparison_words, *settings.which_words))
        # what may surround a superlative asked of the last answer: "which one has the most?"
        self.ranking_words = frozenset(
            (*settings.common_words, *settings.list_words, *settings.which_words)
        ) | frozenset(settings.each_words)

    def rank(self, u: Understanding, state: Session) -> tuple[Candidate, ...]:
        """The candidates, best first, re-ranked by the question's slots and the conversation.

        A candidate whose required slots the question leaves empty ("compare" with one company)
        keeps half its confidence, and no longer caps the confidence of those ranked below it.

        A terse turn ("hiring?") leans on the conversation: candidates that take the slots of the
        last answer gain `context_boost`, as a recent context frame would in Adapt.
        """
        terse = self.is_terse(u)
        # "their interviews", "it", "the two"
        refers = bool((self.anaphora_words | self.pair_words) & set(u.tokens))
        carried = set()
        if (terse or refers) and state.intent in self.intents:
            last = self.intents.get(state.intent or "").slots
            carried = {last[slot] for slot in state.slots if slot in last}
        ranked = []
        ceiling = 1.0  # the matcher's cap on lower candidates, without the candidates demoted here
        of_self = may_tell_about_me(u.tokens)
        insider: bool | None = None  # asked once, if some candidate has `insiders`
        entering: bool | None = None  # likewise for `entrants`
        for candidate in u.candidates:
            intent = self.intents.get(candidate.intent)
            if intent.insiders is not None:
                if insider is None:
                    insider = self.is_insider(u, state.profile)
                if insider:
                    # "I've been an ML engineer for 3 years. Where can I go from here?" reads like
                    # the way into the job, which is not what someone already in it asks
                    intent = self.intents.get(intent.insiders)
                    candidate = msgspec.structs.replace(candidate, intent=intent.name)
            if intent.entrants is not None:
                if entering is None:
                    if insider is None:
                        insider = self.is_insider(u, state.profile)
                    entering = not insider and self.enters(u)
                if entering:
                    # "can a data scientist transition to ML engineering?" reads like moving
                    # out of the job, but the job is where they are going
                    intent = self.intents.get(intent.entrants)
                    candidate = msgspec.structs.replace(candidate, intent=intent.name)
            unmet = intent.requires and not self._meets_requirements(intent, u, state, refers)
            if unmet and (redirect := self._redirect(intent, u)) is not None:
                # "how does pay compare between California and Texas?" reads like the level
                # comparison, but it names states: the intent the comparison hands states to
                candidate = msgspec.structs.replace(candidate, intent=redirect.name)
                intent = redirect
                unmet = intent.requires and not self._meets_requirements(intent, u, state, refers)
            # without what it needs an intent can still answer, but only as a last resort; so can
            # the profile's: "is python the main language?" tells nothing of the person (no "I")
            if not self.holds_needs(intent.name, u):
                candidate = msgspec.structs.replace(candidate, score=candidate.score * UNMET_NEEDS)
            elif unmet or (intent.category == "profile" and not of_self):
                share = UNMET_REQUIRED
                if unmet and self._names_others(intent, u):
                    # "compare pay between California and Texas" is not about the levels that
                    # the level comparison lacks: what it names is what it asks about
                    share *= UNMET_REQUIRED
                candidate = msgspec.structs.replace(candidate, score=candidate.score * share)
            else:
                ceiling = min(ceiling, candidate.score if candidate.own is None else candidate.own)
                candidate = msgspec.structs.replace(candidate, score=ceiling)
            if terse and carried & set(intent.slots.values()) and intent.category == "career":
                candidate = msgspec.structs.replace(
                    candidate, score=min(1.0, candidate.score + self.settings.context_boost)
                )
            ranked.append(candidate)
        ranked.sort(key=lambda c: -c.score)  # stable: ties keep the matcher's order
        if refers and carried and ranked and not self._takes(ranked[0], carried):
            # "what do their interviews involve?" after Tesla: a confident reading that takes
            # what "their" points at is the one meant
            taking = next(
                (
                    c
                    for c in ranked[1:]
                    if c.score >= self.settings.threshold and self._takes(c, carried)
                ),
                None,
            )
            if taking is not None:
                ranked.remove(taking)
                ranked.insert(0, taking)
        # near-equal, or a general answer against another confident one: the intent whose answer
        # knows the named entity wins ("become a CTO": the progression facts name the CTO, the
        # transition facts don't; "does math matter?": the soft skills don't)
        if (
            len(ranked) > 1
            and (
                ranked[0].score - ranked[1].score <= self.settings.tie_margin
                or ranked[1].score >= ranked[0].score * TIED
                or (
                    ranked[1].score >= self.settings.threshold
                    and not self.intents.get(ranked[0].intent).slots
                )
            )
            and not self._knows_mention(ranked[0], u)
            and self._knows_mention(ranked[1], u)
        ):
            ranked[0], ranked[1] = ranked[1], ranked[0]
        elif (
            len(ranked) > 1
            and ranked[0].score - ranked[1].score <= self.settings.tie_margin
            and self._takes_mention(ranked[1], u)
            and not self._takes_mention(ranked[0], u)
            and not self._knows_mention(ranked[0], u)
        ):
            # "Uber ML interview questions": the general stages, or Uber's process, which the
            # guides lack; the reading that takes the named company says so
            ranked[0], ranked[1] = ranked[1], ranked[0]
        return tuple(ranked)

    def _takes_mention(self, candidate: Candidate, u: Understanding) -> bool:
        """Whether the candidate takes an entity the question names as a slot."""
        types = set(self.intents.get(candidate.intent).slots.values())
        return any(m.of_type(type_) for m in u.mentions for type_ in types)

    def _takes(self, candidate: Candidate, types: set[str]) -> bool:
        intent = self.intents.get(candidate.intent)
        return intent.category == "career" and bool(types & set(intent.slots.values()))

    def confident(
        self, ranked: Sequence[Candidate], u: Understanding | None = None
    ) -> Intent | None:
        """The top candidate's intent if its confidence reaches the threshold; or if, with a
        runner-up of the same kind (two career intents, or two acts on the last answer) nearly
        as confident (TIED), their confidence together does: "tips to become a solid ML
        engineer" is the way in, or getting better at the job, and the matcher shares its
        confidence between them; "is that a lot?" judges the last answer, or asks how exact it
        is. Not for a bare entity ("nvidia?"): what its kind's intent answers is meant."""
        if not ranked:
            return None
        candidate = ranked[0]
        intent = self.intents.get(candidate.intent)
        if candidate.score >= self.settings.threshold:
            return intent
        anchored = candidate.score >= self.settings.threshold * ANCHORED
        if u is not None and anchored and not self.is_bare(u):
            # "what is DeepMind known for?": a question naming what the intent is about is in scope
            named = {e.type for m in u.mentions for e in m.entities[:1]} - set(SUBJECT_TYPES)
            if intent.category == "career" and named & set(intent.slots.values()):
                return intent
        runner = ranked[1] if len(ranked) > 1 else None
        if runner is None or runner.score < TIED * candidate.score or u is None or self.is_bare(u):
            return None
        together = candidate.score + runner.score >= self.settings.threshold
        kind = intent.category == self.intents.get(runner.intent).category
        return intent if together and kind and intent.category in TIES else None

    def _meets_requirements(
        self, intent: Intent, u: Understanding, state: Session, refers: bool
    ) -> bool:
        """Whether the question fills the intent's required slots; one that refers to the
        conversation ("compare them") may fill them from it."""
        filled, _ = self.slots.resolve(intent, u, state if refers else Session(), carry=refers)
        return all(slot in filled for slot in intent.requires)

    def holds_needs(self, intent: str, u: Understanding) -> bool:
        """Whether the message holds one of the words the intent needs (any, if it needs none)."""
        found = self.needs.get(intent)
        return found is None or found.held(u.text, u.tokens, u.matched)

    def _redirect(self, intent: Intent, u: Understanding) -> Intent | None:
        """The intent the given one hands the question's entities to (`followups`), when it
        names entities of one type, none of which the given intent takes."""
        if not self._names_others(intent, u):
            return None
        types = {e.type for m in u.mentions for e in m.entities if e.type not in SUBJECT_TYPES}
        targets = {intent.followups.get(t) for t in types}
        if len(targets) == 1 and None not in targets:
            return self.intents.get(targets.pop() or "")
        return None

    def _names_others(self, intent: Intent, u: Understanding) -> bool:
        """Whether the question names entities (a subject such as "ML engineer" aside) and none
        of a type the intent's slots take."""
        types = set(intent.slots.values())
        named = [m for m in u.mentions if not any(e.type in SUBJECT_TYPES for e in m.entities)]
        return bool(named) and not any(_fits(m, types) for m in named)

    def _knows_mention(self, candidate: Candidate, u: Understanding) -> bool:
        """Whether the candidate's answer has facts about an entity the question names: one
        it takes as a slot, or one its general answer names."""
        intent = self.intents.get(candidate.intent)
        # "I'm a data scientist, how do I become an ML engineer?" asks nothing of data scientists
        asked = [m for m in u.mentions if not self.owns(u, m.start, m.end)]
        for slot, type_ in intent.slots.items():
            for mention in asked:
                entity = mention.of_type(type_)
                if entity is not None and self.knows(intent, slot, entity.id):
                    return True
        return any(self.says(intent, e) for m in asked for e in m.entities[:1])

    def is_terse(self, u: Understanding) -> bool:
        """Whether the message says at most two words of its own ("hiring process?")."""
        return len([t for t in u.matched if t not in self.followup_words]) <= 2

    def is_bare(self, u: Understanding) -> bool:
        """Whether the message only names entities, with
        follow-up words around them ("and Amazon?").
        """
        return bool(u.mentions) and all(
            t.startswith("@") or t in self.followup_words for t in u.matched
        )

    def about_domain(self, u: Understanding) -> bool:
        """Whether the message names the domain: one of its own roles or specialisations, or a
        subject term ("machine learning")."""
        return any(e.type in SUBJECT_TYPES for m in u.mentions for e in m.entities) or (
            self._names_subject(u.tokens)
        )

    def _names_subject(self, tokens: Sequence[str]) -> bool:
        by_first = self._subject_by_first
        terms = [t for first in set(tokens) for t in by_first.get(first, ())]
        return any(occurrence(tokens, term) for term in terms)

    def out_of_scope_term(self, u: Understanding) -> str | None:
        """A term the content declares out of scope ("dentist"), unless the question also names
        one of the domain's own roles or specialisations, or a subject term."""
        if any(e.type in SUBJECT_TYPES for m in u.mentions for e in m.entities):
            return None
        if self._names_subject(u.tokens):
            return None  # "I've been a teacher, how do I get into ML?" is about the domain
        # a one-word term may stand in the plural ("dentists")
        # (in the message's order: the first term named is the one declined, in every process)
        keys = dict.fromkeys(k for t in u.tokens for k in (t, t[:-1], t[:-2], t[:-3] + "y") if k)
        terms = [t for key in keys for t in self._by_first.get(key, ())]
        # "his teacher told him...", "as an accountant, ...": who they are, not what is asked
        return next(
            (found for term in terms if (found := occurrence(u.tokens, term, _NOT_ASKED_OF))), None
        )

    def ordinal(self, tokens: Sequence[str], count: int) -> int | None:
        """A number or "the second one" in a short message, as a position from 1 to `count`."""
        if not count or len(tokens) > 4:
            return None
        for token in tokens:
            value = int(token) if token.isdigit() else self.settings.choice_words.get(token)
            if value is not None:
                value = count if value == -1 else value
                if 1 <= value <= count:
                    return value
        return None

    def follow_up(self, u: Understanding, state: Session) -> Intent | None:
        """A short turn that only names an entity the last answer's intent takes ("and Amazon?");
        or one that begins with "and", names such an entity, and reads best as an intent taking
        entities, but none of its kind ("and AI researchers, what do they focus on?" after the
        roles compared: not the companies' focus areas), or reads as nothing surely."""
        if state.intent in self.intents and self.names_home(u):
            previous = self.intents.get(state.intent or "")
            return previous if set(previous.slots.values()) & {CITY, STATE} else None
        if state.intent not in self.intents or not u.mentions:
            return None
        previous = self.intents.get(state.intent or "")
        types = set(previous.slots.values())
        # the words as written: "what's DeepMind famous for?" asks what it is about, but in
        # words of its own, not as "and DeepMind?" does
        taken = {i for m in u.mentions for i in range(m.start, m.end)}
        words = [w for i, w in enumerate(u.tokens) if i not in taken]
        allowed = self.followup_words
        if self.hypothetical_words & set(words):  # "what if I moved to New York instead?"
            allowed = allowed | self.person_words
        if words[-1:] == ["do"]:  # "what does a senior ML engineer do?" asks what they do
            allowed = allowed - {"do"}
        if any(w in _DOING and n == "with" for w, n in itertools.pairwise(words)):
            allowed = allowed - {"with"}  # "what Meta does with ML?" asks what it does
        if any(w not in allowed for w in words):
            top = self.intents.get(u.top.intent) if u.top is not None else None
            named = {e.type for m in u.mentions for e in m.entities}
            # no sure reading, or one asking of some entity but not of the kind named
            unsure = (
                top is None
                or (u.top is not None and u.top.score < self.settings.threshold)
                or (
                    top.name != previous.name
                    and bool(top.slots)
                    and not named & set(top.slots.values())
                )
            )
            fits = any(_fits(m, types) for m in u.mentions)
            if u.tokens[0] == "and" and unsure and fits:
                return previous
            # "what about OpenAI's process?" after DeepMind's hiring: a short turn opening as a
            # follow-up, naming what the last intent takes, which is among its readings
            opens = u.tokens[0] == "and" or tuple(u.tokens[:2]) in (
                ("what", "about"),
                ("how", "about"),
            )
            among = any(c.intent == previous.name for c in u.candidates)
            if opens and fits and among and len(u.tokens) <= FOLLOW_UP_WORDS:
                return previous
            return None
        if any(_fits(m, types) for m in u.mentions):
            if self._asks_other(u, previous):
                return None  # "and what do R&D labs pay?" after which sectors hire
            return previous
        for name in state.part_intents:  # another question of the last message takes it
            if name in self.intents:
                other = self.intents.get(name)
                if any(_fits(m, set(other.slots.values())) for m in u.mentions):
                    return other
        for mention in u.mentions:  # "and at Google?" after the interview stages: Google's hiring
            for entity in mention.entities:
                if entity.type in previous.followups:
                    return self.intents.get(previous.followups[entity.type])
        return None

    def names_home(self, u: Understanding) -> bool:
        """Whether a turn names only the country the guides' figures are for, in words that may
        surround a follow-up ("and in the US?")."""
        words = [t for t in u.tokens if t == "the" or t not in self.followup_words]
        return not u.mentions and " ".join(words) in self.home_names

    def _asks_other(self, u: Understanding, previous: Intent) -> bool:
        """Whether a short turn naming an entity asks, in words another intent needs ("pay"),
        that intent rather than the last one: it reads surely as it, and it takes the entity."""
        top = self.intents.get(u.top.intent) if u.top is not None else None
        if top is None or top.name == previous.name or u.top is None:
            return False
        if u.top.score < self.settings.threshold or top.name not in self.needs:
            return False
        named = {e.type for m in u.mentions for e in m.entities}
        return bool(named & set(top.slots.values())) and self.holds_needs(top.name, u)

    def ranking(self, u: Understanding, state: Session) -> Intent | None:
        """ "Fewest of all ten?", "which one is highest?" after an answer about one entity (or
        all of them): a short turn naming no entity, asking a superlative of the last answer's
        intent, which takes an entity, for all of them."""
        if state.intent not in self.intents or u.mentions:
            return None
        if not self.intents.get(state.intent or "").slots:
            return None
        words = set(u.tokens)
        if len(u.tokens) > RANKING_WORDS or not words & self.superlative_words:
            return None
        if words - self.superlative_words - self.followup_words - self.ranking_words:
            return None
        return self.intents.get(state.intent or "")

    def asks_extreme(self, u: Understanding) -> bool:
        """Whether a short turn naming no entity asks a superlative of what was just said ("and
        which is lowest of those?")."""
        words = set(u.tokens)
        if u.mentions or len(u.tokens) > FOLLOW_UP_TOKENS or not words & self.superlative_words:
            return False
        return not words - self.superlative_words - self.followup_words - self.ranking_words

    def pair(self, u: Understanding, state: Session) -> Intent | None:
        """ "Which of the two is hiring more?" after answers about Apple, then Google: a question
        naming no entity, comparing the two last ones of a kind, gets the first intent that
        requires two entities of that kind."""
        words = set(u.tokens)
        if u.mentions or not words & self.pair_words or not words & self.comparison_words:
            return None
        kinds = [key.split(":", 1)[0] for key in state.recent]
        for intent in self.intents.intents:
            required = [intent.slots[slot] for slot in intent.requires]
            if len(required) == 2 and required[0] == required[1] and kinds.count(required[0]) > 1:
                return intent
        return None

    def entity_intent(self, u: Understanding) -> Intent | None:
        """A bare entity ("Nvidia?") with no clear intent:
        the intent that describes that kind of thing.
        """
        if not self.is_bare(u):
            return None
        # "senior?" is the level's pay; "what does a junior do compared to a senior?" is not
        words = len([t for t in u.matched if not t.startswith("@")])
        for mention in u.mentions:
            for entity in mention.entities:
                name = self.settings.entity_intents.get(entity.type)
                if name and (words <= BARE_WORDS or self.holds_needs(name, u)):
                    return self.intents.get(name)
        return None

    def runner_up(self, u: Understanding, intent: Intent, top: Candidate) -> Candidate | None:
        """A second career intent close enough to the top one to ask which was meant."""
        margin = self.settings.clarify_margin
        if margin <= 0 or intent.category != "career":
            return None
        for c in u.candidates[1:]:
            if c.intent == top.intent or top.score - c.score > margin:
                continue
            if (
                c.score >= self.settings.threshold
                and self.intents.get(c.intent).category == "career"
            ):
                return c
        return None


_DOING = frozenset(("do", "does", "did", "doing", "done"))


def _fits(mention: Mention, types: set[str]) -> bool:
    return any(e.type in types or (e.type == CITY and STATE in types) for e in mention.entities)
