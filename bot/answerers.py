"""The ways a message can be answered, tried in order; each returns a Reply, or None to pass it on.

The order is the policy: small talk and acts come before intents, a bare entity before a
decline. A new answering path is one more entry in `Dialogue.answerers`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .acts import Acts
from .answer import TOPICAL, Composer
from .intents import Intent, IntentSet
from .matching import Candidate
from .policy import Policy
from .retrieval import PassageIndex
from .reply import Reply
from .session import Session
from .settings import Settings
from .understanding import Understanding


@dataclass
class Turn:
    """One message being answered: what was understood, the session, and the policy's ranking."""

    u: Understanding
    state: Session
    ranked: tuple[Candidate, ...]
    intent: Intent | None  # the top candidate's intent when confident enough

    @property
    def top(self) -> Candidate | None:
        return self.ranked[0] if self.ranked else None

    @property
    def score(self) -> float:
        return self.ranked[0].score if self.ranked else 0.0


Answerer = Callable[[Turn], Reply | None]
RETRIEVAL_SPREAD = 0.1  # passages this close in coverage to the best one are shown with it


class Answerers:
    """The standard answering paths over one content's parts."""

    def __init__(
        self,
        intents: IntentSet,
        settings: Settings,
        policy: Policy,
        composer: Composer,
        acts: Acts,
        ask: Callable[[str, Session], Reply],
        passages: PassageIndex | None = None,
    ) -> None:
        self.intents, self.policy, self.composer, self.acts = intents, policy, composer, acts
        self.passages, self.coverage = passages, settings.retrieval_coverage
        self.texts, self.starters = settings.texts, settings.starter_questions
        self.anaphora_words = frozenset(settings.anaphora_words)
        self._ask = ask  # answers a whole question in a session (a suggestion picked by number)

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
            if pick is None or options[pick - 1] not in self.intents:
                return None
            intent = self.intents.get(options[pick - 1])
            return self.composer.answer(intent, u, state, 1.0, slots=dict(state.pending_slots))
        if pick is not None and state.suggestions and len(u.tokens) == 1 and u.tokens[0].isdigit():
            return self._ask(state.suggestions[pick - 1], state)
        return None

    def out_of_scope_term(self, turn: Turn) -> Reply | None:
        term = self.policy.out_of_scope_term(turn.u)
        if term is None:
            return None
        text = self.texts["out_of_scope_term"].format(term=term)
        return Reply(text, None, 0.0, suggestions=self.starters[:3], kind="decline")

    def act(self, turn: Turn) -> Reply | None:
        if turn.intent is None or turn.intent.category != "dialogue" or turn.top is None:
            return None
        return self.acts.perform(turn.intent, turn.top, turn.state)

    def follow_up(self, turn: Turn) -> Reply | None:
        """ "and Amazon?": the last answer's intent for another entity."""
        # "I'm based in Austin" tells about the user; a bare "in Austin?" follows the last answer up
        if turn.intent and turn.intent.category == "profile" and not self.policy.is_bare(turn.u):
            return None
        intent = self.policy.follow_up(turn.u, turn.state)
        if intent is None:
            return None
        return self.composer.answer(intent, turn.u, turn.state, turn.score, carry=True)

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
        return (
            None if intent is None else self.composer.answer(intent, turn.u, turn.state, turn.score)
        )

    def intent(self, turn: Turn) -> Reply | None:
        """The confident intent's answer, or a clarifying question when two are close."""
        if self._needs_entity(turn) or turn.intent is None or turn.top is None:
            return None
        runner = self.policy.runner_up(turn.u, turn.intent, turn.top)
        if runner is not None:
            return self._clarify(turn, turn.top, runner)
        carry = bool(self.anaphora_words & set(turn.u.tokens))
        return self.composer.answer(
            turn.intent, turn.u, turn.state, turn.score, carry=carry, ranked=turn.ranked
        )

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
            suggestions=(top.example, runner.example),
            kind="clarify",
        )

    def retrieve(self, turn: Turn) -> Reply | None:
        """The passages of the guides that hold most of what the question asks, cited."""
        if self.passages is None:
            return None
        named: dict[str, set[str]] = {}
        for mention in turn.u.mentions:
            for entity in mention.entities:
                named.setdefault(entity.type, set()).add(entity.id)
        found = self.passages.search(turn.u.tokens, named, limit=3, min_coverage=self.coverage)
        if not found:
            return None
        best = found[0].coverage
        kept = [f.passage for f in found if f.coverage >= best - RETRIEVAL_SPREAD]
        lines = [self.texts["retrieved"]]
        heading = None
        for passage in kept:
            if passage.heading != heading:
                heading = passage.heading
                lines += ["", heading if heading.endswith(("?", ":")) else heading + ":"]
            cited = passage.citation
            lines.append(f"- {passage.text} ({cited.title}, {cited.section})")
        state = turn.state
        state.citations = [p.citation.to_dict() for p in kept]
        state.items = [p.text for p in kept]
        state.turns += 1
        return Reply("\n".join(lines), None, found[0].coverage, suggestions=self._closest(turn),
                     citations=tuple(p.citation for p in kept), kind="retrieved")

    def _closest(self, turn: Turn) -> tuple[str, ...]:
        """Example questions of the career intents closest to the message."""
        seen: list[str] = []
        threshold = self.policy.settings.threshold
        for c in turn.u.candidates:
            if (self.intents.get(c.intent).category == "career" and c.score >= threshold * 0.5
                    and c.example not in seen):
                seen.append(c.example)
        return tuple(seen[:3])

    def decline(self, turn: Turn) -> Reply:
        """ "I don't know that", with the closest career questions as suggestions."""
        seen: list[str] = []
        threshold = self.policy.settings.threshold
        for c in turn.u.candidates:
            if (
                self.intents.get(c.intent).category == "career"
                and c.score >= threshold * 0.5
                and c.example not in seen
            ):
                seen.append(c.example)
        suggestions = tuple(seen[:3]) or self.starters[:3]
        text = self.texts["fallback"]
        if suggestions:
            text += " " + self.texts["fallback_suggest"]
        top = turn.u.top
        return Reply(text, None, top.score if top else 0.0, suggestions=suggestions, kind="decline")
