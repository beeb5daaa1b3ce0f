"""The dialogue: builds the answering parts from the content,
and answers a message with the first answerer that can.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .acts import Acts
from .answer import Composer
from .answerers import Answerer, Answerers, Turn
from .intents import IntentSet
from .knowledge import KnowledgeBase
from .policy import Policy, Terms
from .profile import ProfileReader
from .render import Renderer
from .reply import Reply
from .session import Session
from .settings import Settings
from .slots import SlotFiller
from .understanding import Understanding


class Dialogue:
    """Turns an understood message and a session into a reply; the session is changed in place."""

    def __init__(
        self,
        intents: IntentSet,
        knowledge: KnowledgeBase | None,
        renderer: Renderer,
        settings: Settings,
        read: Callable[[str], Understanding],
        out_of_scope: Terms = (),
        subject_terms: Terms = (),
    ) -> None:
        self.read = read
        self.slots = SlotFiller(intents, knowledge)
        self.composer = Composer(intents, renderer, self.slots, ProfileReader(settings), settings)
        self.policy = Policy(
            intents, settings, self.slots, self.composer.knows, out_of_scope, subject_terms
        )
        acts = Acts(intents, renderer, self.slots, settings)
        a = Answerers(intents, settings, self.policy, self.composer, acts, self._ask)
        self.answerers: Sequence[Answerer] = (
            a.empty,
            a.choice,
            a.out_of_scope_term,
            a.act,
            a.follow_up,
            a.entity,
            a.intent,
        )
        self.decline = a.decline

    def respond(self, u: Understanding, state: Session) -> Reply:
        ranked = self.policy.rank(u, state)
        turn = Turn(u, state, ranked, self.policy.confident(ranked[0] if ranked else None))
        for answerer in self.answerers:
            reply = answerer(turn)
            if reply is not None:
                break
        else:
            reply = self.decline(turn)
        state.last_kind = reply.kind
        return reply

    def _ask(self, text: str, state: Session) -> Reply:
        return self.respond(self.read(text), state)
