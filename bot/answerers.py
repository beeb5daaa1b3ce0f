"""The ways a message can be answered, tried in order; each returns a Reply, or None to pass it on.

The order is the policy: small talk and acts come before intents, a bare entity before a
decline. A new answering path is one more entry in `Dialogue.answerers`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from msgspec import Struct

from . import references
from .acts import Acts
from .answer import TOPICAL, Composer
from .domain import CITY, COMPANY, PLACE_TYPES, STATE
from .gaps import Found as GapFound
from .gaps import GapFinder
from .intents import Intent, IntentSet
from .knowledge import Entity, KnowledgeBase
from .matching import Candidate
from .passages import Passage
from .policy import Policy
from .profile import profile_rows
from .reply import Citation, Reply
from .retrieval import EXCLUSIVE_TYPES, Found, PassageIndex
from .session import Session
from .settings import Settings
from .splitting import may_tell_about_me, sentences
from .text import normalise
from .understanding import Understanding


class Turn(Struct):
    """One message being answered: what was understood, the session, and the policy's ranking."""

    u: Understanding
    state: Session
    ranked: tuple[Candidate, ...]
    intent: Intent | None  # the top candidate's intent when confident enough
    depth: int = 0  # how many references were resolved to reach this message

    @property
    def top(self) -> Candidate | None:
        return self.ranked[0] if self.ranked else None

    @property
    def score(self) -> float:
        return self.ranked[0].score if self.ranked else 0.0


Answerer = Callable[[Turn], Reply | None]
EXACT = "exact"  # the act giving the last answer's figures as the guides state them
MAX_PARTS = 3  # questions (or entities) of one message answered in parts
RETRIEVAL_SPREAD = 0.1  # passages this close in coverage to the best one are shown with it
BARE_WORDS = 3  # a passage of this many words at most is a name ("Model Evaluation")
AGREE_FLOOR = 0.3  # of the threshold: an intent this confident may be taken when passages agree
AGREE_COVERAGE = 0.2  # share of the question the agreeing passages must hold
MAX_DEPTH = 2  # references resolved in a row (a suggestion picked, then an item of it)
SHARPEN_TERMS = 2  # ... when it holds at least this many of the question's terms
CLOSEST = 0.6  # ... or covers this much of the question, as much as any passage the answer shows
TOPIC_SHARE = 0.3  # ... else, of the answer's own topics, the passage holding this much of it
SHARPEN_BELOW = 0.99  # an intent answer this confident is not sharpened
THIN_ANSWER = 200  # characters: ... unless it is shorter than this
DETAILS = 6  # items of a list an answer showed only by its name, added when the name was asked
BARELY = 1.1  # of the threshold: a reading this confident at most is barely one
LOOKUP_WORDS = 4  # a message at most this long may ask one term by itself ("anything on X?")
ANCHORED = 0.7  # of the coverage: what a question naming the domain itself must have held
PAY_READ = 0.3  # of the threshold: a reading needing pay words this sure asks pay
ON_ENTITY_COVERAGE = 0.5  # share of a follow-up a passage about the last answer's entity must hold
FOLLOW_UP_TOKENS = 8  # a question this short may ask of what the last answer cited
WHICH_REACH = 2  # list words between "which" and the kind it asks for ("which ten big companies")


class Answerers:
    """The standard answering paths over one content's parts."""

    def __init__(
        self,
        intents: IntentSet,
        settings: Settings,
        policy: Policy,
        composer: Composer,
        acts: Acts,
        ask: Callable[[str, Session, int], Reply],
        passages: PassageIndex | None = None,
        gaps: GapFinder | None = None,
        knowledge: KnowledgeBase | None = None,
        name_entities: Callable[[str], tuple[str, ...]] = lambda text: (),
    ) -> None:
        self.name_entities = name_entities  # "type:id" of the entities a text names
        self.intents, self.policy, self.composer, self.acts = intents, policy, composer, acts
        self.gaps, self.kb = gaps, knowledge
        self.ordinals = settings.ordinal_words
        acted = frozenset(  # the words acts are asked with (their examples')
            t
            for i in intents.intents
            if i.category == "dialogue"
            for e in i.examples
            for t in normalise(e, intents.abbreviations)
        )
        # ... and with them, words that ask nothing of their own
        self.act_words = acted | frozenset(
            (*settings.followup_words, *settings.common_words, *settings.anaphora_words)
        )
        self.amount_words = frozenset(settings.amount_words)
        self.entity_intents = settings.entity_intents
        # the words that make a message an act ("tell me more", "why"), less those that point
        # at the conversation ("their"): what is left of "tell me more about their projects"
        # is a question of its own
        self.act_phrase_words = acted - set(settings.anaphora_words)
        self.each_words = frozenset(settings.each_words)
        self.each_terms = (
            frozenset(passages.terms(settings.each_words)) if passages else frozenset()
        )
        # words that ask nothing of their own around a reference ("tell me about the second one")
        self.filler = frozenset((*settings.followup_words, *settings.common_words))
        self.passages, self.coverage = passages, settings.retrieval_coverage
        self.texts, self.starters = settings.texts, settings.starter_questions
        self.anaphora_words = frozenset(settings.anaphora_words)
        self.which_words = frozenset(settings.which_words)
        # words that ask something of the last answer ("is that more than California?")
        self.pointing = frozenset(("that", "this")) | (
            self.anaphora_words
            | self.which_words
            | self.amount_words
            | self.each_words
            | frozenset(settings.pair_words)
        )
        self.kind_words = settings.kind_words
        self.list_words = frozenset(settings.list_words)
        self.least_words = frozenset(settings.least_words)
        self._ask = ask  # answers a whole question in a session (a suggestion picked by number)
        # entity ("type:id") -> the passage labels among its names ("Mathematical expertise")
        self._labelled: dict[str, frozenset[str]] = {}
        self._example_terms: dict[str, frozenset[str]] = {}  # intent -> `_asked_by`
        if passages is not None and knowledge is not None:
            for entity in knowledge.all_entities():
                named = passages.label_names.intersection(entity.names())
                if named:
                    self._labelled[f"{entity.type}:{entity.id}"] = frozenset(named)

    def empty(self, turn: Turn) -> Reply | None:
        if turn.u.tokens:
            return None
        return Reply(self.texts["empty"], suggestions=self.starters[:3], kind="decline")

    def choice(self, turn: Turn) -> Reply | None:
        """A number or "the first one" answering a clarifying question or picking a suggestion."""
        u, state = turn.u, turn.state
        options = state.options
        pick = self.policy.ordinal(u.tokens, len(options) or len(state.suggestions))
        if options:
            state.options = []
            names = [n for n in options if any(c.intent == n for c in u.candidates[:1])]
            if pick is None and names:
                pick = options.index(names[0]) + 1
            pending, state.pending_slots = state.pending_slots, {}
            if pick is None or options[pick - 1] not in self.intents:
                return None
            intent = self.intents.get(options[pick - 1])
            slots = {k: v for k, v in pending.items() if k in intent.slots}  # the slots it takes
            return self.composer.answer(intent, u, state, 1.0, slots=slots)
        if pick is not None and state.suggestions and len(u.tokens) == 1 and u.tokens[0].isdigit():
            return self._ask(state.suggestions[pick - 1], state, turn.depth + 1)
        return None

    def reference(self, turn: Turn) -> Reply | None:
        """ "What does the second one focus on?": the question asked of an item of the last answer;
        a bare "the second one" shows that item."""
        ref = references.find(turn.u.tokens, self.ordinals)
        if ref is None:
            return self._named_item(turn)
        found = (
            references.target(
                ref,
                turn.state,
                self.name_entities,
                references.listed(turn.u.tokens, ref, turn.state.part_lists),
            )
            if ref and turn.depth < MAX_DEPTH
            else None
        )
        if ref is None or found is None:
            return None
        item, entity_key = found
        entity = self._entity(entity_key)
        tokens = turn.u.tokens
        rest = [t for t in (*tokens[: ref.start], *tokens[ref.end :]) if t not in self.filler]
        if rest and (entity is not None or item):
            name = entity.name if entity is not None else item
            question = " ".join((*tokens[: ref.start], name, *tokens[ref.end :]))
            return self._ask(question, turn.state, turn.depth + 1)
        if entity is not None and not item:
            return self._ask(entity.name, turn.state, turn.depth + 1)
        number = references.position(ref.index, len(turn.state.items))
        shown = self.texts["item"].format(number=number, item=self._whole(item))
        detail = self._label_detail(item)
        if detail:  # "what's step 3 about?": what the step's label stands for
            heading = shown.split("\n", 1)[0]  # "Item 3 of my last answer:", the label's detail
            return self._detailed(turn, heading, detail)
        return self._from_last(turn, shown)

    def _label_detail(self, item: str) -> list[Passage]:
        """The passages an item of the last answer stands for, when it is a label only
        ("Specialized study in machine learning", the third of the eight steps)."""
        name = item.casefold()
        if self.passages is None or name not in self.passages.label_names:
            return []
        terms = set(self.passages.terms(normalise(item)))
        return self.passages.details(terms, item, named=frozenset((name,)))[:DETAILS]

    def _named_item(self, turn: Turn) -> Reply | None:
        """ "Is there one from IBM?", "the one at NVIDIA": the items of the last answer that name
        the entity the message names; "and the system design?" after the interview stages, an
        answer that takes no such entity."""
        tokens = turn.u.tokens
        ones = [i for i, t in enumerate(tokens) if t == "one"]
        state = turn.state
        # "one day", "at one point": a time, not an item
        one = any(i + 1 == len(tokens) or tokens[i + 1] not in _TIME_WORDS for i in ones)
        # "what tools does each use?": of each item of the last answer, naming no entity
        each = not turn.u.mentions and not self.each_words.isdisjoint(tokens)
        # "why R, though?" of an answer listing it: what the items naming it say
        why = bool(tokens) and tokens[0] == "why" and self._names_only(turn.u, _WHY_WORDS)
        bare = self._names_only(turn.u) and self._takes_none(state, turn.u)
        if not (one or each or why or bare):
            return None
        if not state.items:
            return None
        keys = {f"{e.type}:{e.id}" for m in turn.u.mentions for e in m.entities}
        items = [item for item in turn.state.items if keys & set(self.name_entities(item))]
        if not items and self.passages is not None:
            # "what's in the coding one?": the one item holding the words it names; "what tools
            # does each use?", every item holding them, when there are several
            words = [t for t in tokens if t not in self.filler and t not in self.which_words]
            asked = set(self.passages.terms(words)) - self.each_terms
            holding = [
                item
                for item in turn.state.items
                if asked and asked <= set(self.passages.terms(normalise(item)))
            ]
            items = holding if len(holding) == 1 or (each and len(holding) > 1) else []
        if not items:
            return None
        named = [m for m in turn.u.mentions if any(e.name == items[0] for e in m.entities)]
        if len(items) == 1 and named and turn.depth < MAX_DEPTH:
            # "more on the Apple one" after a list of names: asked of Apple
            question = " ".join(t for t in tokens if t not in ("one", "ones"))
            return self._ask(question, state, turn.depth + 1)
        whole = [self._whole(item) for item in items]
        text = self.texts["named_items"] + "\n" + "\n".join(f"- {item}" for item in whole)
        detail = self._label_detail(items[0]) if len(items) == 1 else []
        if detail:  # "is a master's among those steps?": what that step stands for
            return self._detailed(turn, self.texts["named_items"], detail)
        return self._from_last(turn, text)

    def _detailed(self, turn: Turn, text: str, detail: list[Passage]) -> Reply:
        """Quoted from the last answer, with what its label stands for, each passage cited."""
        lines = [f"- {p.text} ({p.citation.title}, {p.citation.section})" for p in detail]
        cited = tuple(dict.fromkeys(p.citation for p in detail))
        reply = self._from_last(turn, "\n".join((text, *lines)))
        return replace(reply, citations=(*reply.citations, *cited))

    def _whole(self, item: str) -> str:
        """An item the last answer cut short ("...work with deep learning frameworks that..."),
        whole as the guide says it, when asked about again."""
        if not item.endswith("...") or self.passages is None:
            return item
        start = item[:-3].rstrip()
        for p in self.passages.passages:
            for said in (f"{p.label}: {p.text}", p.text):
                if said.startswith(start):
                    return said
        return item

    @staticmethod
    def _names_only(u: Understanding, words: frozenset[str] = frozenset()) -> bool:
        """ "and the system design?": entities named and nothing asked of them (but `words`)."""
        named = {i for m in u.mentions for i in range(m.start, m.end)}
        naming = _NAMING_WORDS | words
        return bool(named) and all(i in named or t in naming for i, t in enumerate(u.tokens))

    def _takes_none(self, state: Session, u: Understanding) -> bool:
        """Whether the last answer's intent takes no entity of the types the message names (so
        "and Amazon?" cannot ask it again of another one)."""
        if state.intent not in self.intents:
            return False
        types = set(self.intents.get(state.intent or "").slots.values())
        return all(e.type not in types for m in u.mentions for e in m.entities)

    @staticmethod
    def _from_last(turn: Turn, text: str) -> Reply:
        """A reply quoting the last answer, with its citations and suggestions."""
        cited = tuple(Citation.from_dict(c) for c in turn.state.citations)
        suggestions = tuple(turn.state.suggestions[:3])
        return Reply(text, turn.state.intent, 1.0, suggestions=suggestions, citations=cited)

    def _entity(self, key: str | None) -> Entity | None:
        if not key or self.kb is None or ":" not in key:
            return None
        type_, id_ = key.split(":", 1)
        return self.kb.entity(type_, id_)

    def out_of_scope_term(self, turn: Turn) -> Reply | None:
        if (
            turn.intent is not None
            and turn.intent.category == "smalltalk"
            and "?" not in turn.u.text
        ):
            return None  # "Thanks for bearing with a retired plumber."
        term = self.policy.out_of_scope_term(turn.u)
        if term is None:
            return None
        text = self.texts["out_of_scope_term"].format(term=term)
        return Reply(text, None, 0.0, suggestions=self.starters[:3], kind="decline")

    def gap(self, turn: Turn) -> Reply | None:
        """Something the guides do not cover (a visa, pay in Berlin, Spotify): say so, and what
        they do cover nearby."""
        # where they live is where pay is asked of, unless the talk has since been about places
        # the guides cover ("and in Washington state?" ... "what's mid pay?")
        state = turn.state
        placed = any(key.split(":", 1)[0] in PLACE_TYPES for key in state.recent)
        elsewhere = None if placed else state.profile.elsewhere
        if self.gaps is None:
            return None
        # "boston?" after the pay in the Bay Area asks the pay there
        previous = self.intents.get(state.intent or "") if state.intent in self.intents else None
        pay_asked = bool(
            previous
            and self.gaps.gaps.pay_words.intersection(previous.needs)
            and self.policy.is_terse(turn.u)
        )
        found = (
            self.gaps.find(turn.u, elsewhere, pay_asked)
            or self._still_unknown(turn)
            or self._their_pay(turn)
        )
        read = turn.intent or (self.intents.get(turn.top.intent) if turn.top else None)
        if found is None and read is not None:
            found = self.gaps.of_company(turn.u, read.name)
        if found is None and turn.intent is None and turn.top is not None:
            # unsure, a runner-up as sure as the top may answer in the end ("...let you work
            # fully remote?", ranked after the major employers only as they know Google)
            for other in turn.ranked[1:2]:
                if other.score < turn.top.score:
                    break
                if (found := self.gaps.of_company(turn.u, other.intent)) is not None:
                    read = self.intents.get(other.intent)
                    break
        state.unknown_company = None
        if found is None:
            return None
        gap = found.gap
        if gap is self.gaps.gaps.company_detail and read is not None:
            # "the guides don't cover the work environment at Google in particular"
            found = GapFound(gap, f"{read.title.lower()} at {found.name}")
        if gap is self.gaps.gaps.unknown_company:
            state.unknown_company = found.name
        if gap is self.gaps.gaps.place_pay:
            within = self._within_state(turn, found.name)
            if within is not None:
                return within
        nearby: list[str] = []
        if self.kb is not None:
            nearby = [self.kb.topics[t].title for t in gap.nearby if t in self.kb.topics]
            if gap.nearby_entities:
                nearby = sorted(
                    e.name for e in self.kb.entities.get(gap.nearby_entities, {}).values()
                )
        if not nearby and turn.intent is not None and turn.intent.category == "career":
            nearby = [turn.intent.title]  # "is my PharmD a doctorate?": what the degrees are
        text = self.texts["gap"].format(what=gap.what.format(name=found.name))
        if nearby:
            key = "gap_entities" if gap.nearby_entities else "gap_nearby"
            text += " " + self.texts[key].format(nearby="; ".join(nearby), count=len(nearby))
        if turn.intent is not None and turn.intent.category == "career":
            # the topic stays for a follow-up: "pay in Toronto?" (not covered), "and in New York?"
            state.intent, state.slots, state.slot_origins = turn.intent.name, {}, {}
            state.citations, state.items = [], []
        return Reply(text, None, 0.0, suggestions=self._closest(turn), kind="decline")

    def _their_pay(self, turn: Turn) -> GapFound | None:
        """ "And their pay?" just after an answer about Amazon: pay asked of the entity the
        last answer was about, when the guides give none for it, is declined as "what does Amazon
        pay?" is (a company they cover, without the detail asked)."""
        assert self.gaps is not None
        gap, state, tokens = self.gaps.gaps.entity_pay, turn.state, turn.u.tokens
        if gap is None or self.kb is None or state.intent not in self.intents:
            return None
        pay = self.gaps.gaps.pay_words
        if self.anaphora_words.isdisjoint(tokens) or pay.isdisjoint(tokens):
            return None
        top = turn.top
        if top is None or top.score < PAY_READ * self.policy.settings.threshold:
            return None  # "package models up so apps can call them": no pay asked
        if pay.isdisjoint(self.intents.get(top.intent).needs):
            return None
        if any(e.type in gap.types for m in turn.u.mentions for e in m.entities):
            return None  # "what do they pay seniors?": what is named is asked
        last = self.intents.get(state.intent or "").slots
        for slot, id_ in state.slots.items():
            type_ = last.get(slot)
            if type_ in gap.types and f"{type_}:{id_}" not in gap.exceptions:
                entity = self.kb.entity(type_, id_)
                if entity is not None:
                    return GapFound(gap, entity.name)
        return None

    def _still_unknown(self, turn: Turn) -> GapFound | None:
        """ "How do they hire?" just after Spotify was declined: asked of Spotify
        again, when it reads as a question about a company and names none."""
        assert self.gaps is not None
        name, gap = turn.state.unknown_company, self.gaps.gaps.unknown_company
        if not name or gap is None or turn.intent is None or turn.intent.category != "career":
            return None
        if any(e.type == "company" for m in turn.u.mentions for e in m.entities):
            return None
        if any(self.kind_words.get(t) == "company" for t in turn.u.tokens):
            return None  # "which companies do the guides list?" asks of companies, not of it
        # "how do they hire?", "and the interviews there?"; tersely, only what a
        # company is asked ("interview steps?")
        about = turn.intent.name in self.gaps.company_intents and self.policy.is_terse(turn.u)
        tokens = turn.u.tokens
        pointing = [
            i
            for i, t in enumerate(tokens)
            if t in self.anaphora_words
            # "are there jobs in healthcare?": there is, not a place pointed at
            and not (t == "there" and _EXISTS.intersection(tokens[max(0, i - 1) : i + 2]))
        ]
        if not pointing and not about:
            # "what are the interview rounds?": asked of it, would it be a question about it?
            if turn.depth >= MAX_DEPTH:
                return None
            trial = turn.state.copy()
            trial.unknown_company = None
            asked = self._ask(f"{turn.u.text.rstrip(' ?!.')} at {name}?", trial, turn.depth + 1)
            if not (asked.kind == "decline" and trial.unknown_company == name):
                return None
        return GapFound(gap, name)

    def _within_state(self, turn: Turn, place: str) -> Reply | None:
        """Pay in a US city the guides give no figure for, answered with its state's, if they
        give one: the question asked again of the state, after a line saying so."""
        assert self.gaps is not None
        state_name = self.gaps.places.states.get(place, "")
        states = self.kb.entities.get(STATE, {}) if self.kb is not None else {}
        entity = next((e for e in states.values() if e.name == state_name), None)
        # not when the state's pay was just given ("pay in Texas?", then "Dallas?")
        if entity is None or turn.depth >= MAX_DEPTH or f"{STATE}:{entity.id}" in turn.state.recent:
            return None
        tokens, city = list(turn.u.tokens), normalise(place)
        at = next((i for i in range(len(tokens)) if tokens[i : i + len(city)] == city), None)
        if at is None:  # where they live: "what's mid pay?"
            tokens += ["in", state_name]
        else:
            tokens[at : at + len(city)] = [state_name]
        before = turn.state.copy()
        reply = self._ask(" ".join(tokens), turn.state, turn.depth + 1)
        # ... only if they give a figure for the state
        intent = self.intents.get(reply.intent or "") if reply.intent in self.intents else None
        slot = next((s for s, t in intent.slots.items() if t == STATE), None) if intent else None
        if intent is None or slot is None or not self.composer.knows(intent, slot, entity.id):
            turn.state.put_back(before)
            return None
        note = self.texts["place_within"].format(place=place, state=state_name)
        return replace(reply, text=f"{note}\n{reply.text}")

    def act(self, turn: Turn) -> Reply | None:
        """ "tell me more", "source?", "why?" about the last answer; not "tell me more about their
        projects", which asks of a topic the act's own words do not name."""
        if turn.intent is None and self._asks_amount(turn):
            # "how much is that?" after an answer with figures: those figures
            return self.acts.perform(
                self.intents.get(EXACT), Candidate(EXACT, 1.0, ""), turn.state, []
            )
        if turn.intent is None or turn.intent.category != "dialogue" or turn.top is None:
            return None
        rest = [t for t in turn.u.tokens if t not in self.act_words and not t.startswith("@")]
        if rest and turn.intent.name != "judge":
            return None
        if turn.intent.name == "items" and self.policy.superlative_words & set(turn.u.tokens):
            return None  # "which one is the top pick?" ranks the items (`intent`)
        state = turn.state
        if turn.intent.name == "more" and state.intent not in self.intents and turn.depth == 0:
            # "tell me more" after the one company a "which" answer found: about that company
            keys = self.name_entities("\n".join(state.items))
            found = [e for k in keys if (e := self._entity(k)) and e.type in self.entity_intents]
            if len(found) == 1:
                return self._ask(found[0].name, state, turn.depth + 1)
        # "personal projects, does that count?": judged against what the last answer said
        return self._perform(turn, rest)

    def _asks_amount(self, turn: Turn) -> bool:
        """Whether a turn asks only how much or how many of the last answer, which gave figures
        ("how much is that?", "and how many?")."""
        tokens = set(turn.u.tokens)
        return (
            EXACT in self.intents
            and bool(tokens & self.amount_words)
            and tokens <= self.act_words
            and bool(self.acts.figures(turn.state))
        )

    def _perform(self, turn: Turn, words: list[str]) -> Reply | None:
        """The act on the last answer; "any hard numbers?" after an answer whose figures are in
        its words only (the outlook) gives the passages of its topics stating them."""
        assert turn.intent is not None and turn.top is not None
        if turn.intent.name == "exact" and not self.acts.figures(turn.state):
            stated = self._topic_figures(turn.state)
            if stated:
                return self._passages(turn, stated, turn.score, intro="topic_figures")
        return self.acts.perform(turn.intent, turn.top, turn.state, words)

    def _topic_figures(self, state: Session) -> list[Passage]:
        """The passages of the last answer's topics that state a figure in words ("74% since
        2020"), which the answer's figures (pay, counts) do not hold."""
        if self.passages is None or state.intent not in self.intents:
            return []
        topics = self.composer.topics(self.intents.get(state.intent or ""))
        found = [p for p in self.passages.passages if p.topic in topics and _STATED.search(p.text)]
        return found[:DETAILS]

    def follow_up(self, turn: Turn) -> Reply | None:
        """ "and Amazon?": the last answer's intent for another entity; "the most of all?": for
        all of them; "which of the two...?": the intent comparing the last two."""
        # "I'm based in Austin" tells about the user; a bare "in Austin?" follows the last answer up
        if turn.intent and turn.intent.category == "profile" and not self.policy.is_bare(turn.u):
            return None
        intent = self.policy.follow_up(turn.u, turn.state)
        if intent is not None and self.policy.names_home(turn.u):
            # "and in the US?": the figures for the whole country, no place kept or assumed
            base, _ = self.composer.slots.resolve(intent, turn.u, turn.state, carry=True)
            slots = {k: v for k, v in base.items() if intent.slots[k] not in PLACE_TYPES}
            return self.composer.answer(intent, turn.u, turn.state, turn.score, slots=slots)
        if intent is not None:
            each = self._each(turn, intent)  # "and how do California and Massachusetts compare?"
            if each:
                return self._for_each(turn, intent, *each, carry=True)
            both = self._both_parts(turn, intent)
            if both is not None:
                return both
            return self.composer.answer(intent, turn.u, turn.state, turn.score, carry=True)
        intent = self.policy.ranking(turn.u, turn.state)  # "fewest of all?": for every entity
        if intent is not None and self.composer.ranks(intent):
            return self.composer.answer(intent, turn.u, turn.state, turn.score, carry=False)
        intent = self.policy.pair(turn.u, turn.state)  # "which of the two...?": both compared
        if intent is not None:
            return self.composer.answer(intent, turn.u, turn.state, turn.score, carry=True)
        return self._extreme(turn)

    def _both_parts(self, turn: Turn, intent: Intent) -> Reply | None:
        """ "And Google?" after NVIDIA's open roles and focus areas, answered in two parts: a
        terse turn naming an entity that the other parts' intents take too asks each of them."""
        named = {e.type for m in turn.u.mentions for e in m.entities[:1]}
        others = [
            self.intents.get(name)
            for name in turn.state.part_intents
            if name in self.intents and name != intent.name
        ]
        fitting = [o for o in others if named & set(o.slots.values())]
        if not fitting or not self.policy.is_terse(turn.u):
            return None
        asked = [*fitting, intent]
        parts = [self.composer.answer(i, turn.u, turn.state, turn.score, carry=True) for i in asked]
        turn.state.part_intents = [o.name for o in fitting]  # for the next entity too
        return combine([f"{n}. {i.title}" for n, i in enumerate(asked, 1)], parts, intent.name)

    def _extreme(self, turn: Turn) -> Reply | None:
        """ "And the lowest?" after a list of figures (the highest paying industries): the item
        of the last answer with the highest or lowest figure."""
        if not self.policy.asks_extreme(turn.u):
            return None
        figures = [
            (value, item) for item in turn.state.items if (value := _figure(item)) is not None
        ]
        if len(figures) < 2:
            return None
        least = not self.least_words.isdisjoint(turn.u.tokens)
        _, item = (min if least else max)(figures, key=lambda f: f[0])
        heading = self.texts["extreme_lowest" if least else "extreme_highest"]
        return self._from_last(turn, f"{heading}\n- {item}")

    def _needs_entity(self, turn: Turn) -> bool:
        """No confident intent, or a bare entity that a slotless intent cannot use."""
        intent = turn.intent
        return intent is None or (
            self.policy.is_bare(turn.u) and intent.category in TOPICAL and not intent.slots
        )

    def entity(self, turn: Turn) -> Reply | None:
        """ "Nvidia?": the intent that describes that kind of entity."""
        if not self._needs_entity(turn):
            return None
        intent = self.policy.entity_intent(turn.u)
        if intent is None:
            return None
        each = self._each(turn, intent)  # "compare Austin with the Bay Area"
        if each:
            return self._for_each(turn, intent, *each, carry=False)
        return self.composer.answer(intent, turn.u, turn.state, turn.score)

    def intent(self, turn: Turn) -> Reply | None:
        """The confident intent's answer, or a clarifying question when two are close."""
        if self._needs_entity(turn) or turn.intent is None or turn.top is None:
            return None
        if turn.intent.category == "dialogue":
            # an act asked with words of its own: "tell me more about their projects" asks
            # "their projects"; what is left of "is this trend real? why?" may ask nothing
            rest = [t for t in turn.u.tokens if t not in self.act_phrase_words]
            if not rest or len(rest) == len(turn.u.tokens) or turn.depth >= MAX_DEPTH:
                return None
            kept = turn.state.copy()
            asked = self._ask(" ".join(rest), turn.state, turn.depth + 1)
            # ("which one is the top pick?" ranks the items: not a request to name them)
            if not asked.fallback or kept.intent not in self.intents or turn.intent.name == "items":
                return asked
            # what is left asks nothing the guides answer ("what else is it famous for?"):
            # the act on the last answer
            turn.state.put_back(kept)
            return self._perform(turn, [])

        runner = self.policy.runner_up(turn.u, turn.intent, turn.top)
        if runner is not None:
            return self._clarify(turn, turn.top, runner)
        # "their interviews", or a terse "hiring process?" after Google's focus areas
        carry = bool(self.anaphora_words & set(turn.u.tokens)) or self.policy.is_terse(turn.u)
        each = self._each(turn, turn.intent)
        if each:
            return self._for_each(turn, turn.intent, *each, carry)
        asks = self._asks_which(turn.u.tokens) if self.kb is not None else None
        kind = asks[1] if asks else None  # "which companies...": the session kept, to list them
        if asks is not None and kind is None:
            # "which of those build driverless cars?": of the last list, whatever it resembles
            among = self.which(turn)
            if among is not None:
                return among
        if (
            carry
            and turn.intent.name == turn.state.intent
            and turn.score < self.policy.settings.threshold * BARELY
            and not turn.u.mentions
            and (within := self.on_last_answer(turn)) is not None
        ):
            # "and who do they collaborate with?" after the work environment, read as it barely:
            # the same answer again says nothing new; what its sections say of it does
            return within
        before = turn.state.copy() if kind else None
        earlier = [(c["source"], c["section"]) for c in turn.state.citations]
        reply = self.composer.answer(
            turn.intent, turn.u, turn.state, turn.score, carry=carry, ranked=turn.ranked
        )
        if kind and before is not None:
            listed = self._which_instead(turn, reply, before, kind)
            if listed is not None:
                return listed
        if reply.kind == "decline":
            return self._tagged_instead(turn, turn.intent, reply)
        if turn.intent.category != "career":
            return reply
        return self._in_context(turn, reply, earlier) or self._sharpen(turn, reply)

    def _in_context(
        self, turn: Turn, reply: Reply, sections: list[tuple[str, str]]
    ) -> Reply | None:
        """A thin answer ("Data Pipelines comes up in the guides") to a question asked just after
        an answer whose sections say more of it (a skill the card only lists, asked just after the
        responsibilities): what those sections say, after the answer."""
        if self.passages is None or not sections or len(reply.text) >= THIN_ANSWER:
            return None
        asked = self.passages.asked(turn.u.tokens)
        named: dict[str, set[str]] = {}  # not what those sections say of another company
        for mention in turn.u.mentions:
            for entity in mention.entities:
                named.setdefault(entity.type, set()).add(entity.id)
        found = self.passages.under(sections, asked, ON_ENTITY_COVERAGE, named=named)
        if not found:
            return None
        return self._appended(turn, reply, found[:MAX_PARTS])

    def _tagged_instead(self, turn: Turn, intent: Intent, reply: Reply) -> Reply:
        """ "What did Pfizer do?": the intent has nothing on the entity it was asked of, but the
        guides mention it elsewhere; those passages, cited, rather than "the guides don't list
        ML projects at Pfizer"."""
        if self.passages is None:
            return reply
        asked = set(self.passages.asked(turn.u.tokens))
        for slot, id_ in reply.slots.items():
            entity = self._entity(f"{intent.slots.get(slot)}:{id_}")
            if entity is None:
                continue
            # what else is asked must be in them: not "how does Pfizer hire?"
            rest = asked - set(self.passages.said(entity.name))
            kept = [
                p
                for p in self.passages.about(f"{entity.type}:{entity.id}", [])
                if rest <= self.passages.said(f"{p.heading}\n{p.text}")
            ]
            if kept:
                return self._passages(turn, kept[:MAX_PARTS], passage_coverage=turn.score)
        return reply

    def _which_instead(self, turn: Turn, reply: Reply, before: Session, kind: str) -> Reply | None:
        """ "Which of the big companies do robotics?" reads like startups against big tech, an
        answer naming no company; "which companies do on-device ML?" like the list of employers,
        which says nothing of devices: a question asking which entities of a kind, answered
        naming fewer than two of them or none of what else it asks, gets those whose passages
        hold the rest of it, if any."""
        named = [k for k in self.name_entities(reply.text) if k.startswith(kind + ":")]
        if len(named) >= 2 and self.passages is not None:
            skip = self.which_words | self.list_words | set(self.kind_words)
            asked = set(self.passages.asked([t for t in turn.u.tokens if t not in skip]))
            asked -= self.passages.common  # "in what industries could I work": the list it is
            # what the lines naming them say ("autonomous vehicle tech" of an industry, beside
            # Google and Amazon, says nothing of which companies do it); the matcher chose the
            # intent for those words ("the biggest employers")
            naming = "\n".join(
                line
                for line in reply.text.splitlines()
                if any(k.startswith(kind + ":") for k in self.name_entities(line))
            )
            # ... unless it describes another kind ("which firms build driverless cars?" is not
            # the industries, though their examples speak of self-driving cars)
            read = turn.intent.name if turn.intent else None
            other = any(n == read for k, n in self.entity_intents.items() if k != kind)
            chosen = frozenset() if other else self._asked_by(turn)
            if not asked or asked & (self.passages.said(naming) | chosen):
                return None
        after = turn.state.copy()
        turn.state.put_back(before)
        listed = self.which(turn)
        if listed is None:
            turn.state.put_back(after)
        return listed

    def _asked_by(self, turn: Turn) -> frozenset[str]:
        """The search terms of the chosen intent's examples (cached)."""
        assert self.passages is not None and turn.intent is not None
        name = turn.intent.name
        terms = self._example_terms.get(name)
        if terms is None:
            words = (t for e in turn.intent.examples for t in normalise(e))
            terms = self._example_terms[name] = frozenset(self.passages.terms(words))
        return terms

    def _each(self, turn: Turn, intent: Intent) -> tuple[str, list[Entity]] | None:
        """(slot, entities) when the question asks its one-entity intent of several entities of
        the slot's type: "what do OpenAI, Tesla and IBM focus on?", "what do each of them do?"."""
        types = list(intent.slots.values())
        # an intent that remembers what is named takes all of it at once ("I know Python and SQL")
        if intent.requires or intent.remember or not types:
            return None
        places = _places(turn.u, types)
        if places:  # "is pay higher in Seattle or New York?": a city, then a state
            return "", places
        for slot, type_ in intent.slots.items():
            if types.count(type_) > 1:
                continue
            named = list(dict.fromkeys(e for m in turn.u.mentions if (e := m.of_type(type_))))
            # "each of them", or "their" when the last answer listed them, about no one of them
            # (after the certifications, which name Google and IBM, "they" is still Microsoft)
            state = turn.state
            listed = state.intent not in self.intents or type_ in set(
                self.intents.get(state.intent or "").slots.values()
            )
            refers = self.each_words | (
                self.anaphora_words if slot not in state.slots and listed else set()
            )
            if not named and refers & set(turn.u.tokens):
                named = [
                    e
                    for key in self.name_entities("\n".join(turn.state.items))
                    if (e := self._entity(key)) and e.type == type_
                ]
            if len(named) >= 2:
                return slot, named[:MAX_PARTS]
        return None

    def _for_each(
        self, turn: Turn, intent: Intent, slot: str, entities: list[Entity], carry: bool
    ) -> Reply:
        base, _ = self.composer.slots.resolve(intent, turn.u, turn.state, carry)
        parts = [
            self.composer.answer(
                intent, turn.u, turn.state, turn.score, slots=_placed(intent, base, slot, e)
            )
            for e in entities
        ]
        # "the second one", "which of them...": the entities the parts were about
        turn.state.items = [e.name for e in entities]
        names: dict[str, list[str]] = {}  # a part's text -> the entities it answers for
        for entity, part in zip(entities, parts, strict=True):
            names.setdefault(part.text, []).append(entity.name)
        if len(names) == 1:  # the answer is the same whichever: "Keras or PyTorch?"
            return parts[0]
        unique = list({part.text: part for part in parts}.values())
        headings = [f"{i}. {' and '.join(names[p.text])}" for i, p in enumerate(unique, 1)]
        return combine(headings, unique, intent.name)

    def _sharpen(self, turn: Turn, reply: Reply) -> Reply:
        """The intent's answer, and after it the passage that holds what the question asks
        specifically, when the general answer does not already say it: "what does a senior ML
        engineer do?" gets what the guides say of senior engineers after the role's overview."""
        if self.passages is None:
            return reply
        # the matcher sure of the intent: its answer is what was asked, though a label it shows
        # may still be what the question asks about ("1. Complete high school")
        labels = frozenset(
            name
            for m in turn.u.mentions
            for e in m.entities
            for name in self._labelled.get(f"{e.type}:{e.id}", ())
        )
        # ... unless that answer is thin, a label the guides only name ("Model Evaluation"),
        # which one word more of the question held by a passage is enough to sharpen ("bias")
        thin = len(reply.text) < THIN_ANSWER
        sure = turn.score >= SHARPEN_BELOW and not thin
        if sure and not labels and self.passages.label_words.isdisjoint(turn.u.tokens):
            return reply
        # the names the question mentions say which answer; its other words, what it asks of it;
        # a name the answer does not say is asked too ("strengthen my cloud skills" answered by
        # the development suggestions, which do not mention the cloud)
        tokens = turn.u.tokens
        text = reply.text.casefold()
        names = set(
            self.passages.terms(
                t
                for m in turn.u.mentions
                if any(
                    e.id in reply.slots.values() or any(n in text for n in e.names())
                    for e in m.entities
                )
                for t in tokens[m.start : m.end]
            )
        )
        query = set(self.passages.terms(tokens)) - names
        need = 1 if thin else SHARPEN_TERMS
        best = self._asked_passage(turn, reply, names, query, sure, labels, need)
        if not best and not sure:
            best = self._unsaid_entity(turn, reply, query)
        if not best and not sure and reply.intent and reply.intent in self.intents:
            # what the answer's own topics say closest to the question, when the answer does
            # not say it ("company size and ML maturity, connected?": "quite correlated")
            topics = self.composer.topics(self.intents.get(reply.intent))
            asked = list(dict.fromkeys(self.passages.terms(tokens)))
            best = self.passages.in_topics(topics, asked, TOPIC_SHARE, reply.text)
        if not best:
            return reply
        return self._appended(turn, reply, best)

    def _appended(self, turn: Turn, reply: Reply, passages: list[Passage]) -> Reply:
        """The answer with passages after it, each cited."""
        lines = [f"- {p.text} ({p.citation.title}, {p.citation.section})" for p in passages]
        text = reply.text + "\n\n" + self.texts["sharpened"] + "\n" + "\n".join(lines)
        cited = tuple(dict.fromkeys(p.citation for p in passages))
        turn.state.citations.extend(c.to_dict() for c in cited)
        return replace(reply, text=text, citations=(*reply.citations, *cited))

    def _asked_passage(
        self,
        turn: Turn,
        reply: Reply,
        names: set[str],
        query: set[str],
        sure: bool,
        labels: frozenset[str],
        need: int = SHARPEN_TERMS,
    ) -> list[Passage]:
        """A passage good enough to be retrieved on its own that holds something asked which
        the answer does not say; or, when what was asked is a label the answer shows in place
        of passages ("1. Complete high school", "Cloud Platforms"), those passages."""
        assert self.passages is not None
        if labels:  # a label the question names by an entity's other name is what it asks
            named = self.passages.details(query | names, reply.text, named=labels)
            if named:
                return named[:DETAILS]
        said = self.passages.said(reply.text) if not sure else frozenset()
        if not sure and len(query) >= need:
            hits = self._search(turn, self.coverage)
            # a bare name ("Cloud Computing", a skill listed) after one as close that says more
            best = hits[0].coverage if hits else 0.0
            hits.sort(key=lambda f: (f.coverage < best, len(f.passage.text.split()) <= BARE_WORDS))
            # the closest passage, when none the answer shows is closer, though the answer says
            # its words elsewhere ("partner with product teams?" answered by the soft skills,
            # whose teamwork names product managers)
            shown = max((f.coverage for f in hits if f.passage.text in reply.text), default=0.0)
            closest: list[Passage] = []
            for found in hits:
                if found.passage.text in reply.text:
                    continue
                held = set(found.own) - names  # what people ask it by is not what it says
                if len(held) >= need and held - said:
                    return [found.passage]
                # its list, when the answer shows only its label, and it says more than a name
                details = self.passages.details(set(found.held), reply.text, found.passage)
                if details and held:
                    return details[:DETAILS]
                if not closest and len(found.own) >= need and found.coverage >= max(shown, CLOSEST):
                    closest = [found.passage]
            return self.passages.details(query | names, reply.text)[:DETAILS] or closest
        return self.passages.details(query | names, reply.text)[:DETAILS]

    def _unsaid_entity(self, turn: Turn, reply: Reply, query: set[str]) -> list[Passage]:
        """Of each guide, the passage about an entity the question names and the answer neither
        names nor was filled with (the overview of a role, asked of a senior one), that holds
        most of what else the question asks."""
        assert self.passages is not None
        text = reply.text.casefold()
        # the longest mention first: "senior machine learning engineer" before its "senior"
        for mention in sorted(turn.u.mentions, key=lambda m: m.start - m.end):
            said = " ".join(turn.u.tokens[mention.start : mention.end])
            # of the entities the words may name, the one they name exactly first
            for entity in sorted(mention.entities, key=lambda e: said not in e.names()):
                if (
                    entity.type not in EXCLUSIVE_TYPES
                    or entity.id in reply.slots.values()
                    or any(name in text for name in entity.names())
                ):
                    continue
                found = self.passages.about(f"{entity.type}:{entity.id}", query)
                unsaid = [p for p in found if p.text not in reply.text]
                if unsaid:
                    return unsaid
        return []

    def _search(self, turn: Turn, coverage: float, single: bool = False) -> list[Found]:
        if self.passages is None:
            return []
        named: dict[str, set[str]] = {}
        for mention in turn.u.mentions:
            for entity in mention.entities:
                named.setdefault(entity.type, set()).add(entity.id)
        return self.passages.search(turn.u.tokens, named, 3, coverage, single)

    def _clarify(self, turn: Turn, top: Candidate, runner: Candidate) -> Reply:
        first, second = self.intents.get(top.intent), self.intents.get(runner.intent)
        turn.state.options = [first.name, second.name]
        turn.state.pending_slots = self.composer.slots.resolve(
            first, turn.u, turn.state, carry=False
        )[0]
        options = f"1) {first.title.lower()} or 2) {second.title.lower()}"
        return Reply(
            self.texts["clarify"].format(options=options),
            None,
            top.score,
            suggestions=(self.composer.question(first.name), self.composer.question(second.name)),
            kind="clarify",
        )

    def listing(self, turn: Turn) -> Reply | None:
        """ "Which companies do the guides cover?", "...ten big companies, right? which ones?":
        a question asking only which entities of a kind there are, answered by the intent
        describing that kind, whatever else the words may resemble."""
        return self.which(turn, listing=True)

    def which(self, turn: Turn, listing: bool = False) -> Reply | None:
        """ "Which companies do robotics?", "which of them are hiring?": the entities of a kind
        (named by a word, else those of the last answer's list) whose passages hold what else the
        question asks, each with that passage, cited."""
        if self.passages is None or self.kb is None:
            return None
        # the question is read from "which" on ("I love robots. Which of them do robotics?")
        words = turn.u.tokens
        asks = self._asks_which(words)
        if asks is None:
            return None
        at, kind = asks
        tokens = words[at:]
        among: list[str] | None = None  # the ids of the last list's entities, when asked of them
        if kind is None:
            named = [n.split(":", 1) for n in self.name_entities("\n".join(turn.state.items))]
            kinds = {k for k, _ in named}
            if len(named) < 2 or len(kinds) != 1:
                return None
            kind, among = kinds.pop(), [i for _, i in named]
            counts = [_count(t) for t in tokens]
            if any(n is not None and n != len(among) for n in counts):
                among = None  # "which of the ten": not the last list of three, all of its kind
        entities = self.kb.entities.get(kind, {})
        if not entities:
            return None
        skip = self.which_words | self.list_words | set(self.kind_words)
        asked = self.passages.asked([t for t in tokens if t not in skip])
        if not asked:  # "which companies do the guides cover?": what they say of the kind
            intent = self.entity_intents.get(kind)
            if among is not None or intent is None or intent not in self.intents:
                return None
            return self.composer.answer(self.intents.get(intent), turn.u, turn.state, turn.score)
        if listing:
            return None
        found = self.passages.shares(kind, asked, self.coverage)
        order = among if among is not None else list(entities)
        # "which other companies...?": not the one just talked about
        last = set(turn.state.slots.values()) if "other" in tokens else set()
        held = [i for i in order if i in found and i in entities and i not in last]
        ranked = sorted(held, key=lambda i: -found[i][0])
        if not ranked:
            return None
        # the best first, and those holding far less of the question left out; "which company"
        # asks for one: only those holding the most
        best = found[ranked[0]][0]
        spread = 0.0 if self._asks_one(tokens, kind) else RETRIEVAL_SPREAD
        hits = [(entities[i], found[i][1]) for i in ranked if found[i][0] >= best - spread]
        lines = [self.texts["which"].format(kind=self._kind_name(kind))]
        for entity, passage in hits:
            cited = passage.citation
            said = passage.text.removeprefix(entity.name + ":").strip()  # "Google: ~700+"
            lines.append(f"- {entity.name}: {said} ({cited.title}, {cited.section})")
        state = turn.state
        state.citations = [p.citation.to_dict() for _, p in hits]
        self.composer.remember_items(state, "\n".join(f"- {e.name}" for e, _ in hits))
        if len(hits) == 1:  # "which company does vision for cars? what are they working on?"
            self._about(state, hits[0][0])
        state.turns += 1
        return Reply(
            "\n".join(lines),
            None,
            1.0,
            suggestions=self._closest(turn),
            citations=tuple(p.citation for _, p in hits),
            kind="retrieved",
        )

    def _asks_which(self, words: Sequence[str]) -> tuple[int, str | None] | None:
        """Where a "which" question starts, and the kind of entity it asks for: "which companies",
        "what ten firms", "which of the big companies", "...ten big companies, right? which
        ones?"; None for "which of them", "which ones" naming no kind: the last answer's list.
        Not "which kind of company"."""
        for i, word in enumerate(words[:-1]):
            if word not in self.which_words:
                continue
            after = words[i + 1]
            if after in ("ones", "one"):
                return i, next(
                    (self.kind_words[w] for w in words[:i] if w in self.kind_words), None
                )
            j = start = i + 2 if after == "of" else i + 1
            while j < min(len(words) - 1, start + WHICH_REACH) and words[j] in self.list_words:
                j += 1  # "what ten companies", "which big firms", "which of the ten firms"
            if j < len(words) and words[j] in self.kind_words:
                return i, self.kind_words[words[j]]
            if after == "of":
                return i, None
        return None

    def _about(self, state: Session, entity: Entity) -> None:
        """The conversation is about the entity now, as if its kind's intent had answered."""
        name = self.entity_intents.get(entity.type)
        if name is None or name not in self.intents:
            return
        intent = self.intents.get(name)
        slot = next((s for s, t in intent.slots.items() if t == entity.type), None)
        if slot is not None:
            self.composer.focus(state, intent, {slot: entity.id}, {slot: "question"})

    def _asks_one(self, tokens: Sequence[str], kind: str) -> bool:
        """Whether a "which" question names its kind in the singular ("which company does...")."""
        word = next((t for t in tokens if self.kind_words.get(t) == kind), None)
        return word is not None and not word.endswith("s")

    def _kind_name(self, kind: str) -> str:
        """The plural word the content uses for a kind of entity ("companies")."""
        words = [w for w, k in self.kind_words.items() if k == kind]
        return next((w for w in words if w.endswith("s")), kind)

    def agreement(self, turn: Turn) -> Reply | None:
        """Two weak signals that agree: an intent below the threshold whose answer draws on the
        topic of passages that hold part of the question is taken."""
        floor = self.policy.settings.threshold * AGREE_FLOOR
        candidates = [
            c for c in turn.ranked if c.score >= floor and self.policy.holds_needs(c.intent, turn.u)
        ]
        if not candidates or self.passages is None:
            return None
        found = self._search(turn, AGREE_COVERAGE)
        if found and self._names_its_label(turn, found[0]):
            return None  # "what is Project Debater?": that item, not every company's projects
        topics = {f.passage.topic for f in found}
        for candidate in candidates:
            intent = self.intents.get(candidate.intent)
            if intent.category == "career" and self.composer.topics(intent) & topics:
                reply = self.composer.answer(intent, turn.u, turn.state, candidate.score)
                return self._sharpen(turn, reply)
        return None

    def _names_its_label(self, turn: Turn, found: Found) -> bool:
        """Whether a passage is an item whose label the question names in its own words ("explain
        Project Debater"); a label of one word, only when the passage holds all that is asked."""
        assert self.passages is not None
        label = found.passage.label
        terms = set(self.passages.terms(normalise(label)))
        if not terms or not terms <= set(found.own):
            return False
        return len(terms) > 1 or (found.coverage >= 1.0 and len(found.own) == len(found.held))

    def about_me(self, turn: Turn) -> Reply | None:
        """ "I moved to Austin", "I'm not a student any more": noted in the profile, and said so
        (unless the content's own profile intent answers it)."""
        if turn.intent is not None and turn.intent.category == "profile":
            return None
        if not may_tell_about_me(turn.u.tokens):
            return None
        pieces = sentences(turn.u.text)
        if not pieces or any(p.kind == "question" for p in pieces):
            return None
        if not any(p.kind == "about_me" for p in pieces):
            return None
        before = profile_rows(turn.state.profile, self.kb)
        self.composer.profile.remember(turn.u, turn.state.profile)
        after = profile_rows(turn.state.profile, self.kb)
        if after == before:
            return None
        lines = [self.texts["profile_ack"], *(f"- {label}: {value}" for label, value in after)]
        return Reply(
            "\n".join(lines), None, turn.score, suggestions=self.starters[:3], kind="answer"
        )

    def on_last_entity(self, turn: Turn) -> Reply | None:
        """ "Anything on the manufacturing side?" after an answer about Tesla: a question naming
        no other entity of its type gets the passage about the last answer's entity that holds
        what it asks."""
        state = turn.state
        if self.passages is None or state.intent not in self.intents:
            return None
        named = {e.type for m in turn.u.mentions for e in m.entities}
        known = self._known_terms(turn)
        if not known:
            return None
        types = self.intents.get(state.intent or "").slots
        for slot, id_ in state.slots.items():
            type_ = types.get(slot)
            if type_ in EXCLUSIVE_TYPES and type_ not in named:
                passage = self.passages.holding(type_, known, ON_ENTITY_COVERAGE).get(id_)
                if passage is not None:
                    return self._passages(turn, [passage], passage_coverage=ON_ENTITY_COVERAGE)
        return None

    def on_their_entity(self, turn: Turn) -> Reply | None:
        """ "What do they do with voice assistants?" after Amazon: a question referring to the
        last answer's entity, which the intent read does not take, gets that entity's passage
        holding what it asks, before any general answer."""
        state, top = turn.state, turn.top
        if self.anaphora_words.isdisjoint(turn.u.tokens) or state.intent not in self.intents:
            return None
        last = self.intents.get(state.intent or "").slots
        if COMPANY not in {last.get(slot) for slot in state.slots}:
            return None
        if top is not None and COMPANY in self.intents.get(top.intent).slots.values():
            return None  # "how do they hire?": the intent, asked of the company
        return self.on_last_entity(turn)

    def on_last_answer(self, turn: Turn) -> Reply | None:
        """ "And if I do want to manage?" after the career ladder: a short question no intent
        answers gets what the sections the last answer cited say of it."""
        state = turn.state
        if self.passages is None or not state.citations or turn.depth:
            return None
        if len(turn.u.tokens) > FOLLOW_UP_TOKENS:
            return None
        known = self._known_terms(turn)
        if not known:
            return None
        said = "\n".join(state.items)
        sections = [(c["source"], c["section"]) for c in state.citations]
        found = self.passages.under(sections, known, ON_ENTITY_COVERAGE, said)
        if not found:  # ... or of those it quoted
            quoted = self.passages.sections_quoted(said, {source for source, _ in sections})
            found = self.passages.under(quoted, known, ON_ENTITY_COVERAGE, said)
        if not found:
            return None
        return self._passages(turn, found[:MAX_PARTS], passage_coverage=ON_ENTITY_COVERAGE)

    def _known_terms(self, turn: Turn) -> list[str]:
        """The question's terms some passage holds; none when those are not at least half of
        them: words no passage has ("side") are no evidence either way, unless they are most."""
        assert self.passages is not None
        asked = self.passages.asked(turn.u.tokens)
        known = [term for term in asked if self.passages.knows(term)]
        return known if len(known) * 2 >= len(asked) else []

    def retrieve(self, turn: Turn) -> Reply | None:
        """The passages of the guides that hold most of what the question asks, cited; a
        question about the domain itself ("do ML engineers check models for bias?") needs less
        of its words held, as it cannot be about something else."""
        anchored = self.policy.about_domain(turn.u)
        # "anything on versioning?", "what's FAIR?": one rare term of the guides, asked by itself
        # in a few words; not of the last answer ("how much does it cost?", "would they...?"), nor
        # a question about the person ("do I have to think about cost?")
        own = anchored or (
            len(turn.u.tokens) <= LOOKUP_WORDS
            and self.pointing.isdisjoint(turn.u.tokens)
            and self.passages is not None
            and self.passages.asks_rare(turn.u.tokens)
        )
        found = self._search(turn, self.coverage * (ANCHORED if anchored else 1.0), own)
        if not found or self.passages is None:
            return None
        # a bare name ("Model Evaluation", an item of a list of skills) says little of what was
        # asked: the passages shown with it are those close to the best that says something
        saying = [f for f in found if len(f.passage.text.split()) > BARE_WORDS] or found
        kept = [f.passage for f in found if f.coverage >= saying[0].coverage - RETRIEVAL_SPREAD]
        # found by the company asked of alone ("Microsoft and ML, what's going on?"): what its
        # intent says, not its name in a list
        u = turn.u
        companies = [m for m in u.mentions if m.of_type("company")]
        named = set(self.passages.terms([t for m in companies for t in u.tokens[m.start : m.end]]))
        if named and all(set(f.held) <= named for f in found):
            return None
        return self._passages(turn, kept, found[0].coverage)

    def _passages(
        self, turn: Turn, kept: list[Passage], passage_coverage: float, intro: str = "retrieved"
    ) -> Reply:
        """Passages as a reply, under their headings, each cited."""
        lines = [self.texts[intro]]
        heading = None
        for passage in kept:
            if passage.heading != heading:
                heading = passage.heading
                lines += ["", heading if heading.endswith(("?", ":")) else heading + ":"]
            cited = passage.citation
            lines.append(f"- {passage.text} ({cited.title}, {cited.section})")
        state = turn.state
        state.citations = [p.citation.to_dict() for p in kept]
        self.composer.remember_items(state, "\n".join(f"- {p.text}" for p in kept))
        # "does NVIDIA do anything with digital twins?", answered from its passages alone: the
        # talk is about NVIDIA now ("what else is it famous for?")
        named = {
            e for m in turn.u.mentions for e in m.entities[:1] if e.type in self.entity_intents
        }
        shared = set.intersection(*(set(p.tags) for p in kept))
        about = {e for e in named if f"{e.type}:{e.id}" in shared}
        # "is a big tech firm into predictive healthcare?", answered by IBM's; not "weren't they
        # the protein-folding people?" of DeepMind, answered by Google's "Google DeepMind's
        # AlphaFold"
        if not about and self.anaphora_words.isdisjoint(turn.u.tokens):
            keys = [t for t in shared if t.split(":", 1)[0] in self.entity_intents]
            about = {e for k in keys if (e := self._entity(k))} if len(keys) == 1 else set()
        if len(about) == 1:
            self._about(state, about.pop())
        state.turns += 1
        return Reply(
            "\n".join(lines),
            None,
            passage_coverage,
            suggestions=self._closest(turn),
            citations=tuple(p.citation for p in kept),
            kind="retrieved",
        )

    def labelled(self, turn: Turn) -> Reply | None:
        """ "What's DALL-E?", "AlphaGo?": an item asked by its label alone, naming no entity,
        when nothing before (the last answer included) answered it."""
        if self.passages is None or turn.u.mentions:
            return None
        found = self.passages.labelled(turn.u.tokens)
        return self._passages(turn, found, 1.0) if found else None

    def about_entity(self, turn: Turn) -> Reply | None:
        """ "What is Tesla doing in ML?": a question about one named entity that asks nothing the
        guides' passages about it lack gets the intent that describes that kind of entity."""
        if self.passages is None:
            return None
        found = [
            (m, e) for m in turn.u.mentions for e in m.entities[:1] if e.type in self.entity_intents
        ]
        if len({e for _, e in found}) != 1:
            return None
        mention, entity = found[0]
        tokens = turn.u.tokens
        asked = set(self.passages.asked((*tokens[: mention.start], *tokens[mention.end :])))
        if not asked <= self.passages.entity_terms.get(f"{entity.type}:{entity.id}", frozenset()):
            return None
        intent = self.intents.get(self.entity_intents[entity.type])
        return self.composer.answer(intent, turn.u, turn.state, turn.score)

    def _closest(self, turn: Turn) -> tuple[str, ...]:
        """The questions of the career intents closest to the message."""
        seen: list[str] = []
        threshold = self.policy.settings.threshold
        for c in turn.u.candidates:
            if self.intents.get(c.intent).category == "career" and c.score >= threshold * 0.5:
                question = self.composer.question(c.intent)
                if question not in seen:
                    seen.append(question)
        return tuple(seen[:3])

    def decline(self, turn: Turn) -> Reply:
        """ "I don't know that", with the closest career questions as suggestions."""
        suggestions = self._closest(turn) or self.starters[:3]
        text = self.texts["fallback"]
        if suggestions:
            text += " " + self.texts["fallback_suggest"]
        top = turn.u.top
        return Reply(text, None, top.score if top else 0.0, suggestions=suggestions, kind="decline")


# a passage stating a figure: a share, an amount ("74%", "$500 billion", "2 million")
_STATED = re.compile(r"[$€£]\s?\d|\d(?:[\d.,]*)\s?(?:%|percent\b|billion\b|million\b)")
_NUMBERS = {
    w: n
    for n, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}


# around an existential "there" ("are there jobs in finance?")
_EXISTS = frozenset(("is", "are", "was", "were", "s", "will", "be"))
_WHY_WORDS = frozenset(("why", "specifically", "exactly", "in", "particular", "though", "tho"))
_NAMING_WORDS = frozenset(
    (
        *("and", "the", "what", "about", "how", "so", "ok", "then", "a", "an"),
        *("is", "it", "that", "this", "whats", "thats", "exactly"),
    )  # "what is it about?"
)
_TIME_WORDS = frozenset(("day", "days", "time", "point", "year", "month", "week", "morning"))


def _places(u: Understanding, types: Sequence[str]) -> list[Entity]:
    """The places a question names, when they are of both kinds an intent takes (a city and a
    state): each is asked of in turn. A state a named city lies in is not one of them ("Austin,
    Texas")."""
    if not set(PLACE_TYPES) <= set(types):
        return []
    named: list[Entity] = []
    for mention in u.mentions:
        place = next((e for t in PLACE_TYPES if (e := mention.of_type(t))), None)
        if place is not None and place not in named:
            named.append(place)
    within = {e.state for e in named if e.type == CITY}
    named = [e for e in named if not (e.type == STATE and e.id in within)]
    return named[:MAX_PARTS] if len({e.type for e in named}) > 1 else []


def _placed(intent: Intent, base: Mapping[str, str], slot: str, entity: Entity) -> dict[str, str]:
    """The slots of the part of an answer about one of several entities: for a place, the
    place alone, a city with its own state ("Seattle" is in Washington, whatever other place the
    question names); else the slot of its kind, set to it."""
    slots = dict(base)
    by_type = {t: s for s, t in intent.slots.items() if t in PLACE_TYPES}
    if entity.type not in by_type:
        slots[slot] = entity.id
        return slots
    for name in by_type.values():
        slots.pop(name, None)
    slots[by_type[entity.type]] = entity.id
    if entity.type == CITY and entity.state and STATE in by_type:
        slots[by_type[STATE]] = entity.state
    return slots


def _figure(item: str) -> float | None:
    """The first figure of a list item ("Computer Systems Design: $138,200" -> 138200)."""
    found = _FIGURE.search(item)
    return float(found.group(1).replace(",", "")) if found else None


_FIGURE = re.compile(r"\$?~?(\d{2,3}(?:,\d{3})+|\d+)")


def _count(token: str) -> int | None:
    """The number a token says ("ten", "10"), if any."""
    if token.isdigit() and len(token) <= 3:
        return int(token)
    return _NUMBERS.get(token)


def combine(headings: Sequence[str], parts: Sequence[Reply], intent: str | None = None) -> Reply:
    """One reply of several parts, each under its heading; a decline only if every part is one."""
    blocks = [f"{heading}\n{part.text}" for heading, part in zip(headings, parts, strict=False)]
    kind = "multi" if any(p.kind != "decline" for p in parts) else "decline"
    return Reply(
        "\n\n".join(blocks),
        intent,
        min(p.confidence for p in parts),
        suggestions=parts[-1].suggestions,
        citations=tuple(c for part in parts for c in part.citations),
        kind=kind,
        parts=tuple(parts),
    )
