"""Composing an intent's answer: fill its slots, render its template, record it in the session."""

from __future__ import annotations

import re
import threading

from .intents import Intent, IntentSet
from .knowledge import Entity
from .matching import Candidate
from .profile import ProfileReader
from .references import list_items
from .render import Rendered, Renderer
from .reply import Reply
from .session import Session
from .settings import Settings
from .slots import SlotFiller
from .text import as_question, normalise
from .understanding import Understanding

_OFFERED = re.compile(r'\(?"[^"\n]*\?"\)?')  # a question offered in quotes


#: intent categories whose answers the conversation is about afterwards (follow-ups refer to them)
TOPICAL = ("career", "profile")
#: a second intent this close to the answered one's confidence is offered as the first suggestion
OFFER_MARGIN = 0.1
OCCUPATION = "occupation"  # mentioned work the content has no role for (`ProfileReader.mover`)
RECENT = 4  # entities the last answers were about, kept for "which of the two?"


class Composer:
    """Renders answers from the intents' templates against the knowledge base."""

    def __init__(
        self,
        intents: IntentSet,
        renderer: Renderer,
        slots: SlotFiller,
        profile: ProfileReader,
        settings: Settings,
    ) -> None:
        self.intents, self.renderer, self.slots, self.profile = intents, renderer, slots, profile
        self.texts, self.threshold = settings.texts, settings.threshold
        self._knows: dict[tuple[str, str, str], bool] = {}
        self._general_answers: dict[str, Rendered | None] = {}
        self._general_words: dict[str, str] = {}  # its words, normalised, between spaces
        self._lock = threading.Lock()
        self._questions: dict[str, str] = {}

    def question(self, intent: str) -> str:
        """The question suggesting an intent: its first example, written as a user would type it
        (the example a message came closest to may hold the typos it was taught with)."""
        question = self._questions.get(intent)
        if question is None:
            kb = self.slots.kb
            names = [e.name for e in kb.all_entities() if e.type == "company"] if kb else []
            question = as_question(self.intents.get(intent).examples[0], names)
            self._questions[intent] = question
        return question

    def answer(
        self,
        intent: Intent,
        u: Understanding,
        state: Session,
        confidence: float,
        carry: bool = False,
        slots: dict[str, str] | None = None,
        ranked: tuple[Candidate, ...] = (),
    ) -> Reply:
        """The intent's answer to the message; the session then holds it as the last answer."""
        if intent.category == "profile" or intent.remember or self.profile.describes_self(u):
            self.profile.remember(u, state.profile)
        if slots is None:
            slots, origins = self.slots.resolve(intent, u, state, carry)
        else:
            origins = {k: "conversation" for k in slots}
        values = self.slots.values(intent, slots, state.profile, u)
        mentioned = values["mentioned"]
        if OCCUPATION in intent.answer and "role" not in mentioned:
            # "can a nurse become an ML engineer?": work the content has no role for, named
            job = self.profile.mover(u)
            if job:
                values["mentioned"] = {**mentioned, OCCUPATION: [Entity(OCCUPATION, job, job)]}
        rendered = self.renderer.render(intent.name, intent.answer, values)
        text = rendered.text
        from_profile = [
            values[k].name for k, o in origins.items() if o == "profile" and values.get(k)
        ]
        if from_profile:
            text = self.texts["profile_note"].format(values=", ".join(from_profile)) + "\n" + text
        runner = next((c for c in (ranked or u.candidates) if c.intent != intent.name), None)
        if intent.category == "career":  # what the person says of themselves keeps the topic
            self.focus(state, intent, slots, origins)
            state.detail, state.citations = 0, [c.to_dict() for c in rendered.citations]
            state.confidence = confidence
            state.runner_up = runner.intent if runner else None
            state.runner_up_confidence = runner.score if runner else 0.0
            state.suggestions = list(intent.suggestions)
            self.remember_items(state, text)
        state.turns += 1
        kind = "smalltalk" if intent.category == "smalltalk" else "answer"
        if rendered.declined:
            kind = "decline"
        suggestions = intent.suggestions[:3]
        if (  # another reading of the ranked question, about as likely, is offered first
            ranked
            and intent.category == "career"
            and runner is not None
            and runner.score >= max(self.threshold, confidence - OFFER_MARGIN)
            and self.intents.get(runner.intent).category == "career"
            and self.question(runner.intent) not in suggestions
        ):
            suggestions = (self.question(runner.intent), *suggestions[:2])
        return Reply(
            text,
            intent.name,
            confidence,
            slots,
            suggestions,
            rendered.citations,
            kind=kind,
        )

    @staticmethod
    def focus(
        state: Session, intent: Intent, slots: dict[str, str], origins: dict[str, str]
    ) -> None:
        """The conversation is about the intent and the entities in its slots now."""
        state.intent, state.slots, state.slot_origins = intent.name, slots, origins
        named = [f"{intent.slots[slot]}:{id_}" for slot, id_ in slots.items()]
        state.recent = list(dict.fromkeys((*named, *state.recent)))[:RECENT]

    def remember_items(self, state: Session, text: str) -> None:
        """Keep the answer's list items, for "the second one"."""
        state.items = list_items(text)

    def _general(self, intent: Intent) -> Rendered | None:
        """The intent's general answer (no slot filled), rendered once; None if it fails."""
        key = intent.name
        if key not in self._general_answers:
            values = self.slots.values(intent, {}, Session().profile)
            try:
                rendered: Rendered | None = self.renderer.render(intent.name, intent.answer, values)
            except Exception:  # noqa: BLE001 - validation reports template errors
                rendered = None
            with self._lock:
                self._general_answers[key] = rendered
        return self._general_answers[key]

    def topics(self, intent: Intent) -> frozenset[str]:
        """The knowledge topics the intent's general answer draws on."""
        rendered = self._general(intent)
        return rendered.topics if rendered else frozenset()

    def ranks(self, intent: Intent) -> bool:
        """Whether the intent's general answer states figures (counts, pay) one can rank: "the
        fewest of all?" can be read from it."""
        rendered = self._general(intent)
        return rendered is not None and any(
            f.count is not None or f.pay is not None for f in rendered.facts
        )

    def says(self, intent: Intent, entity: Entity) -> bool:
        """Whether the intent's general answer names the entity ("Communication" in the soft
        skills), though it may take no slot of its type."""
        text = self._words(intent)
        return any(f" {' '.join(normalise(name))} " in text for name in entity.names())

    def _words(self, intent: Intent) -> str:
        """The intent's general answer, normalised, between spaces (cached)."""
        text = self._general_words.get(intent.name)
        if text is None:
            rendered = self._general(intent)
            # less the questions it offers ('Ask about a company ("What is Google's hiring
            # process?")'): an example of asking, no fact of the answer
            said = _OFFERED.sub(" ", rendered.text) if rendered else ""
            text = f" {' '.join(normalise(said))} " if said else ""
            with self._lock:
                self._general_words[intent.name] = text
        return text

    def knows(self, intent: Intent, slot: str, entity_id: str) -> bool:
        """Whether the intent's answer has facts about this particular entity (cached)."""
        key = (intent.name, slot, entity_id)
        known = self._knows.get(key)
        if known is None:
            values = self.slots.values(intent, {slot: entity_id}, Session().profile)
            try:
                known = self.renderer.render(intent.name, intent.answer, values).specific
            except Exception:  # noqa: BLE001 - validation reports template errors; here it only ranks
                known = False
            with self._lock:
                self._knows[key] = known
        return known
