"""The engine: loads the content and answers messages
in sessions (read -> decide -> render -> Reply).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import content, userdirs
from .compiled import Compiled, build, cached
from .dialogue import Dialogue
from .domain import COMPANY
from .errors import ContentError, Problem, StoreError
from .gaps import GapFinder
from .inputs import check_session_id, check_text
from .intents import Intent, IntentSet, load_intents
from .knowledge import CATALOGUES, KnowledgeBase, load_knowledge
from .matching import Candidate
from .needs import needs
from .profile import profile_rows
from .references import named_entities
from .render import Renderer
from .reply import Citation, Reply
from .restore import SessionCheck
from .session import Session
from .settings import Settings
from .store import MemoryStore, SessionStore
from .text import normalise
from .understanding import Reader, Understanding

if TYPE_CHECKING:  # imported where used: a one-shot answer needs none of it
    from .overview import Explanation, TopicGroup
    from .unanswered import UnansweredLog

log = logging.getLogger(__name__)
NAMED_TEXTS = 64  # texts whose named entities are remembered


class Engine:
    """Answers career questions from the knowledge base;
    one instance serves many sessions and threads.
    """

    def __init__(self, compiled: Compiled, store: SessionStore | None = None) -> None:
        self._compiled = compiled  # for devtools: the same content with other settings
        self.intents = compiled.intents
        self.knowledge = compiled.knowledge
        self.settings: Settings = compiled.intents.settings
        self.threshold = self.settings.threshold
        self.store: SessionStore = store if store is not None else MemoryStore()
        self.unanswered: UnansweredLog | None = None
        self._entities = compiled.entities
        self._read = Reader(
            compiled.intents.abbreviations,
            compiled.speller,
            compiled.entities,
            compiled.matcher,
            compiled.lexicon,
            {i.name: needs(i.needs) for i in compiled.intents.intents if i.needs},
            compiled.whole,
            frozenset(self.settings.filler_words),
        )
        self._renderer = Renderer(self.knowledge, compiled.templates)
        # ... and the abbreviations people write ("MLEs"), known words too
        vocabulary = compiled.speller.vocabulary | set(self.settings.common_words)
        vocabulary |= {a for a in compiled.intents.abbreviations if " " not in a}
        gaps = GapFinder(
            compiled.intents.gaps,
            compiled.places,
            frozenset(vocabulary),
            frozenset(self.settings.superlative_words),
            compiled.out_of_scope,
            frozenset(i.name for i in self.intents.intents if COMPANY in i.slots.values()),
            compiled.english,
            compiled.asked_words,
        )
        self._dialogue = Dialogue(
            self.intents,
            self.knowledge,
            self._renderer,
            self.settings,
            self._read,
            compiled.out_of_scope,
            compiled.subject_terms,
            compiled.passages,
            gaps,
            # the last answer's items are read again by each question of a long message
            lru_cache(maxsize=NAMED_TEXTS)(
                partial(
                    named_entities,
                    entities=compiled.entities,
                    abbreviations=compiled.intents.abbreviations,
                )
            ),
        )
        # what sessions may hold: the questions replies suggest among them
        self._fit = SessionCheck(
            compiled.intents, compiled.knowledge, self._dialogue.composer.question
        )

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        store: SessionStore | None = None,
        cache: bool | str | os.PathLike[str] = True,
        unanswered: UnansweredLog | None = None,
    ) -> Engine:
        """Load content from a folder holding `intents/` (and `knowledge/`), or a bare intents
        folder; sessions live in `store` (a bounded memory store by default), and what the bot
        declines or is unsure of is written to `unanswered` when given (off by default).

        With no path: the checkout's content, else the copy inside the installed package.
        Raises ContentError naming every problem found. The compiled content is cached (see
        `bot.compiled`) in the folder `cache` names, by default the user's cache folder
        (`$XDG_CACHE_HOME/careerbot`); a later start with unchanged content skips parsing.
        `cache=False` builds it every time.
        """
        intents_dir, knowledge_dir = content.resolve(path)
        files = sorted(intents_dir.rglob("*.yaml")) + (
            sorted(knowledge_dir.glob("*.yaml")) if knowledge_dir else []
        )

        def make() -> Compiled:
            return build(*_read(intents_dir, knowledge_dir), root=intents_dir.parent)

        if cache is False:
            compiled = make()
        else:
            folder = userdirs.cache_dir() if cache is True else Path(cache)
            compiled = cached(files, make, folder)
        engine = cls(compiled, store)
        engine.unanswered = unanswered
        return engine

    # -- the pipeline -------------------------------------------------------------------------

    def understand(self, text: str, limit: int = 3) -> Understanding:
        """Normalise, repair typos, find entities and rank intents; no session is touched."""
        return self._read(text, limit)

    def rank(self, text: str, limit: int = 3) -> list[Candidate]:
        """The best intents for a message, best first, with calibrated confidences."""
        return list(self._read(text, limit).candidates)

    def reply(self, text: str, session: str = "default") -> Reply:
        """Answer one message in a session. Raises InputError for text or a session id outside the
        limits of `bot.inputs`, and StoreError when the session store cannot be used; for any
        other input the reply is an answer, never a traceback."""
        text, session = check_text(text), check_session_id(session)
        try:
            with self.store.turn(session) as state:
                # saved under other content, a stored session may name what is gone
                self._fit.fit(state, session, logging.INFO)
                reply = self._dialogue.reply(text, state)
        except StoreError:
            raise  # the store is down or busy: the caller decides (a 503, a retry, a message)
        except Exception:  # a reply must never be a traceback; the turn's changes were not saved
            log.exception("reply failed for %r", text[:200])
            return Reply(self.settings.texts["error"], kind="decline")
        if self.unanswered is not None:
            top = self._read(text).top
            self.unanswered.record(text, reply, self.intents.get(top.intent).title if top else None)
        return reply

    # -- sessions ------------------------------------------------------------------------------

    def session(self, session: str = "default") -> Session:
        """A copy of a session's state (plain and serialisable)."""
        return self.store.get(check_session_id(session)) or Session()

    def restore(self, session: str, state: Session | Mapping[str, Any]) -> None:
        """Replace a session's state, e.g. with one saved by `session(...).to_dict()`. What the
        loaded content cannot use (unknown intents, entity ids, fields of the wrong type, another
        schema version) is dropped with a warning (see `bot.restore`)."""
        session = check_session_id(session)
        self.store.save(session, self._fit.restored(state, session))

    def reset(self, session: str = "default") -> None:
        """Forget a session: its context and its profile."""
        self.store.delete(check_session_id(session))

    # -- what adapters show --------------------------------------------------------------------

    def topics(self) -> tuple[TopicGroup, ...]:
        """What the bot answers, by group (in the order `topic_groups` gives), an example each."""
        from .overview import Topic, TopicGroup

        groups: dict[str, list[Topic]] = {}
        for intent in self.intents.intents:
            if intent.category in ("career", "profile") and intent.examples:
                example = self._dialogue.composer.question(intent.name)
                groups.setdefault(intent.group, []).append(Topic(intent.title, example))
        order = list(self.settings.topic_groups)
        ranked = sorted(groups, key=lambda g: (order.index(g) if g in order else len(order), g))
        return tuple(TopicGroup(g, tuple(groups[g])) for g in ranked)

    def names(self, entity_type: str) -> list[str]:
        """Display names of the entities of one type ("company"), sorted; [] for an unknown type."""
        table = self.knowledge.entities.get(entity_type, {}) if self.knowledge else {}
        return sorted({entity.name for entity in table.values()})

    def explain(self, session: str = "default") -> Explanation:
        """How the session's last message was understood: topic, confidence, runner-up, details
        with their origin, the citations of the last answer, and the profile."""
        from .overview import Explanation, SlotValue

        state = self.session(session)
        known = {i.name for i in self.intents.intents}
        intent = self.intents.get(state.intent) if state.intent in known else None
        runner = self.intents.get(state.runner_up) if state.runner_up in known else None
        slots: tuple[SlotValue, ...] = ()
        if intent is not None:
            slots = tuple(
                SlotValue(
                    slot,
                    self._entity_name(intent.slots.get(slot), value),
                    state.slot_origins.get(slot, ""),
                )
                for slot, value in state.slots.items()
            )
        return Explanation(
            intent=intent.name if intent else None,
            title=intent.title if intent else None,
            confidence=state.confidence,
            threshold=self.threshold,
            last_kind=state.last_kind,
            runner_up=runner.name if runner else None,
            runner_up_title=runner.title if runner else None,
            runner_up_confidence=state.runner_up_confidence,
            slots=slots,
            citations=tuple(Citation.from_dict(c) for c in state.citations),
            options=tuple(self.intents.get(n).title for n in state.options if n in known),
            profile=profile_rows(state.profile, self.knowledge),
        )

    def _entity_name(self, type_: str | None, id_: str) -> str:
        entity = self.knowledge.entity(type_, id_) if self.knowledge and type_ else None
        return entity.name if entity else id_

    def intent(self, name: str) -> Intent:
        """The intent of this name (KeyError if there is none)."""
        return self.intents.get(name)

    # -- validation ----------------------------------------------------------------------------

    def check(self) -> list[Problem]:
        """Render every intent with each slot empty and filled by each entity: template errors,
        knowledge topics that no intent reaches, and keywords that can never match are problems."""
        problems = self._unmatchable_keywords()
        kb = self.knowledge
        from .template_check import render_all  # validation only: it imports PyYAML

        found, reached = render_all(self.intents, kb, self._renderer, self._dialogue.slots)
        problems += found
        if kb:
            named = [("ignore_entities", key) for key in self.settings.ignore_entities]
            named += [("insider_roles", f"role:{role}") for role in self.settings.insider_roles]
            for setting, key in named:
                type_, _, id_ = key.partition(":")
                if kb.entity(type_, id_) is None:
                    problems.append(
                        Problem("intents", f"settings.{setting}", f"unknown entity {key!r}")
                    )
            for topic_id in sorted(set(kb.topics) - reached):
                problems.append(
                    Problem(
                        kb.topics[topic_id].file,
                        f"topics.{topic_id}",
                        "no intent's answer reaches this topic",
                    )
                )
        return problems

    def _unmatchable_keywords(self) -> list[Problem]:
        """Keywords naming an entity: questions carry its placeholder ("@level") there instead."""
        problems = []
        for intent in self.intents.intents:
            for keyword in intent.keywords:
                for mention in self._entities.find(normalise(keyword, self.intents.abbreviations)):
                    entity = mention.entities[0]
                    problems.append(
                        Problem(
                            intent.file,
                            f"{intent.name}.keywords",
                            f"{keyword!r} names the {entity.type} {entity.name!r}, "
                            f"which questions carry as {mention.placeholder!r}, "
                            "so it never matches: drop it, or say it in an example",
                        )
                    )
        return problems

    def summary(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        by_category: dict[str, int] = {}
        for intent in self.intents.intents:
            by_category[intent.category] = by_category.get(intent.category, 0) + 1
        out["intents"] = {
            "intents": len(self.intents.intents),
            "examples": sum(len(i.examples) for i in self.intents.intents),
            **by_category,
        }
        if self.knowledge:
            out["knowledge"] = self.knowledge.summary()
            out["entities"] = {
                name: len(self.knowledge.entities.get(t, {})) for name, t in CATALOGUES.items()
            }
        return out


def _read(intents_dir: Path, knowledge_dir: Path | None) -> tuple[IntentSet, KnowledgeBase | None]:
    """Parse and validate both folders, collecting every problem before raising."""
    problems: list[Problem] = []
    knowledge = None
    types: set[str] = set()
    if knowledge_dir:
        types = set(CATALOGUES.values())  # so intents are still checked when knowledge is broken
        try:
            knowledge = load_knowledge(knowledge_dir)
            types = set(knowledge.entities)
        except ContentError as exc:
            problems.extend(exc.problems)
    intents = None
    try:
        intents = load_intents(intents_dir, types)
    except ContentError as exc:
        problems.extend(exc.problems)
    if intents is not None and (knowledge is not None or knowledge_dir is None):
        # (when the knowledge is broken, every gap would name an "unknown" topic)
        problems += _gap_problems(intents, knowledge)
    if problems or intents is None:
        raise ContentError(problems)
    return intents, knowledge


def _gap_problems(intents: IntentSet, knowledge: KnowledgeBase | None) -> list[Problem]:
    """Gaps must point at knowledge topics, entity types and intents that exist."""
    problems = []
    topics = set(knowledge.topics) if knowledge else set()
    types = set(knowledge.entities) if knowledge else set()
    names = {intent.name for intent in intents.intents}
    for gap in intents.gaps.all():
        for name in gap.intents:
            if name not in names:
                problems.append(
                    Problem(intents.gaps.file, f"gaps.{gap.id}.intents", f"unknown intent {name!r}")
                )
        for topic in gap.nearby:
            if topic not in topics:
                problems.append(
                    Problem(intents.gaps.file, f"gaps.{gap.id}.nearby", f"unknown topic {topic!r}")
                )
        for type_ in (*gap.types, *([gap.nearby_entities] if gap.nearby_entities else [])):
            if type_ not in types:
                problems.append(
                    Problem(intents.gaps.file, f"gaps.{gap.id}", f"unknown entity type {type_!r}")
                )
    return problems


def validate(path: str | os.PathLike[str] | None = None) -> tuple[Engine | None, list[Problem]]:
    """Load the content and check every template: (engine or None, every problem found)."""
    try:
        engine = Engine.load(path)
    except ContentError as exc:  # templates are checked too, as far as they can be without a build
        try:
            intents_dir, _ = content.resolve(path)
        except ContentError:
            return None, exc.problems
        seen = {(p.file, p.path) for p in exc.problems}
        from .template_check import scan

        return None, exc.problems + [p for p in scan(intents_dir) if (p.file, p.path) not in seen]
    return engine, engine.check()


__all__ = ["Engine", "Understanding", "validate"]
