"""Dialogue acts about the last answer: "tell me more", "where is that from?", "why?"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .intents import Intent, IntentSet
from .knowledge import Count, Fact, Pay
from .matching import Candidate
from .render import Renderer
from .reply import Citation, Reply
from .session import Session
from .settings import Settings
from .slots import SlotFiller
from .text import normalise, stem

JUDGED = 3  # lines of the last answer quoted for "does that count?"


class Acts:
    """Performs the act an intent of category "dialogue" names (see `intents.ACTS`)."""

    def __init__(
        self, intents: IntentSet, renderer: Renderer, slots: SlotFiller, settings: Settings
    ) -> None:
        self.intents, self.renderer, self.slots = intents, renderer, slots
        self.texts, self.starters = settings.texts, settings.starter_questions

    def perform(
        self, act: Intent, top: Candidate, state: Session, words: Sequence[str] = ()
    ) -> Reply | None:
        """The act on the last answer; `words` are what the message says besides the act ("does
        that count, personal projects?"): only "judge" uses them, and gives None when the last
        answer says nothing of them."""
        if act.name == "sources" and state.citations:
            return self._sources(act, top, state)
        if act.name == "judge" and state.intent is None and state.items and state.citations:
            # "would that help me?" after passages of the guides: what they said
            cited = tuple(Citation.from_dict(c) for c in state.citations)
            return self._judged(act, top, state, list(state.items), words, cited)
        if state.intent not in self.intents:
            return Reply(
                self.texts["no_context"],
                act.name,
                top.score,
                suggestions=self.starters[:3],
                kind="act",
            )
        intent = self.intents.get(state.intent or "")
        if act.name == "sources":
            return self._sources(act, top, state)
        if act.name == "why":
            return self._why(act, intent, top, state)
        if act.name == "exact":
            return self._exact(act, intent, top, state)
        if act.name == "judge":
            return self._judge(act, intent, top, state, words)
        if act.name == "items" and state.items:
            return self._items(act, top, state)
        return self._more(act, intent, top, state)

    def _reply(
        self,
        text: str,
        name: str,
        top: Candidate,
        state: Session,
        citations: tuple[Citation, ...] = (),
    ) -> Reply:
        return Reply(
            text,
            name,
            top.score,
            dict(state.slots),
            tuple(state.suggestions),
            citations,
            kind="act",
        )

    def _sources(self, act: Intent, top: Candidate, state: Session) -> Reply:
        cited = tuple(Citation.from_dict(c) for c in state.citations)
        lines = [self.texts["sources"], *(f"- {c.title}: {c.section}" for c in cited)]
        return self._reply("\n".join(lines), act.name, top, state, cited)

    def _why(self, act: Intent, intent: Intent, top: Candidate, state: Session) -> Reply:
        if not intent.why:
            return self._reply(self.texts["no_reason"], act.name, top, state)
        values = self.slots.values(intent, state.slots, state.profile)
        rendered = self.renderer.render(intent.name + ".why", intent.why, values)
        return self._reply(rendered.text, act.name, top, state, rendered.citations)

    def _judge(
        self, act: Intent, intent: Intent, top: Candidate, state: Session, words: Sequence[str]
    ) -> Reply | None:
        """ "Would that help me?": the guides cannot weigh the person's case, so the reason they
        give for the last answer; asked of something ("do personal projects count?"), the lines
        of the last answer that say it."""
        if not words and intent.why:
            reason = self._why(act, intent, top, state)
            return replace(reason, text=self.texts["judge"] + "\n" + reason.text)
        values = self.slots.values(intent, state.slots, state.profile)
        rendered = self.renderer.render(intent.name, intent.answer, values, detail=1)
        lines = [  # what the answer says, without its headings ("From the card:", "Skills:")
            line.strip(" -")
            for line in rendered.text.splitlines()
            if line.strip(" -") and not line.rstrip().endswith(":")
        ]
        return self._judged(act, top, state, lines, words, rendered.citations)

    def _judged(
        self,
        act: Intent,
        top: Candidate,
        state: Session,
        lines: list[str],
        words: Sequence[str],
        citations: tuple[Citation, ...],
    ) -> Reply | None:
        """The lines of the last answer (those saying the `words`, if any) under the heading
        saying the guides cannot weigh the person's case; None if no line says the words."""
        if words:
            asked = {stem(w) for w in words}
            lines = [line for line in lines if asked & {stem(t) for t in normalise(line)}]
            if not lines:
                return None
        heading = self.texts["judge_said" if words else "judge_lines"]
        text = "\n".join([heading, *(f"- {line}" for line in lines[:JUDGED])])
        return self._reply(text, act.name, top, state, citations)

    def figures(self, state: Session) -> list[tuple[Fact, Count | Pay]]:
        """Each figure the last answer showed, with its fact, in order."""
        if state.intent not in self.intents:
            return []
        intent = self.intents.get(state.intent or "")
        values = self.slots.values(intent, state.slots, state.profile)
        rendered = self.renderer.render(intent.name, intent.answer, values, detail=state.detail)
        facts = {id(fact): fact for fact in rendered.facts}.values()  # each once, in order
        return [
            (fact, figure)
            for fact in facts
            for figure in (fact.count, fact.pay)
            if figure is not None and str(figure) in rendered.text
        ]

    def _exact(self, act: Intent, intent: Intent, top: Candidate, state: Session) -> Reply:
        """ "What's the exact number?": each figure of the last answer as the guides state it, and
        whether they give it only roughly ("~") or as a floor ("+")."""
        shown = self.figures(state)
        if not shown:
            return self._reply(self.texts["no_figure"], act.name, top, state)
        lines = [self.texts["figures"]]
        cited: dict[Citation, None] = {}
        for fact, figure in shown:
            citation = Citation(fact.source.id, fact.source.title, fact.section)
            cited[citation] = None
            label = f"{fact.name}: " if fact.name else ""
            kind = f" {figure.basis_label}" if isinstance(figure, Pay) else ""
            lines.append(f"- {label}{figure}{kind} ({citation.title}, {citation.section})")
        if any(figure.approx or figure.open_max for _, figure in shown):
            lines += ["", self.texts["figures_rough"]]
        return self._reply("\n".join(lines), act.name, top, state, tuple(cited))

    def _items(self, act: Intent, top: Candidate, state: Session) -> Reply:
        """ "Which ones?", "like what?": the items the last answer listed, each named."""
        lines = [self.texts["named_items"], *(f"- {item}" for item in state.items)]
        cited = tuple(Citation.from_dict(c) for c in state.citations)
        return self._reply("\n".join(lines), act.name, top, state, cited)

    def _more(self, act: Intent, intent: Intent, top: Candidate, state: Session) -> Reply:
        """The next level of detail of the last answer, if its template has one."""
        values = self.slots.values(intent, state.slots, state.profile)
        state.detail += 1
        rendered = self.renderer.render(intent.name, intent.answer, values, detail=state.detail)
        shorter = self.renderer.render(intent.name, intent.answer, values, detail=state.detail - 1)
        if state.detail > 1 or rendered.text == shorter.text:
            text = self.texts["no_more"]
            if state.suggestions:
                text += " You could ask next: " + "; ".join(state.suggestions[:3])
            return self._reply(text, act.name, top, state, rendered.citations)
        return self._reply(rendered.text, intent.name, top, state, rendered.citations)
