"""The dialogue: builds the answering parts from the content,
and answers a message with the first answerer that can.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from .acts import Acts
from .answer import Composer
from .answerers import MAX_PARTS, Answerer, Answerers, Turn, combine
from .gaps import GapFinder
from .inputs import READ_TEXT
from .intents import IntentSet
from .knowledge import KnowledgeBase
from .policy import Policy, Terms
from .profile import ProfileReader, profile_rows
from .references import list_items
from .render import Renderer
from .reply import Reply
from .retrieval import PassageIndex
from .session import Session
from .settings import Settings
from .slots import SlotFiller
from .splitting import asks_twice, needs_splitting, paired, sentences, several_sentences
from .understanding import Understanding

#: a question this short may lean on the sentence before it ("... this transition?")
LEANING_WORDS = 15
TRIMMED_WORDS = 4  # a question trimmed of its adjunct keeps at least this many words
CLEARER = 0.15  # a question alone this much surer than the whole message is read alone
_CLAUSE_END = re.compile(r"[,.;!]")
ACKNOWLEDGE = "acknowledge"  # the small talk of a bare "ok": after thanks or goodbye
PLEASANTRY_WORDS = 3  # a message this short may be thanks in one of its words ("cheers mate")
# what a question adds after its point: "..., compared with R?", "..., since my team is moving"
_ADJUNCT = re.compile(
    r"(?i),\s*(?:so|so that|compared (?:with|to)|as opposed to|rather than|because|since|as|"
    r"given|especially|particularly|considering|even though|although|though|while|whereas|"
    r"instead of|without|or should|or do|or is|"
    r"or are|or would|or will|or can|or does|or did)\b"
    # ... or, with no comma, a reason the person gives of themselves ("... since I can't...")
    r"|\s+(?:since|because|as) (?:i|im|i'm|we|my|our)\b"
)
# ... or before it, choosing among what was said: "of all the ones you track, which has the
# fewest?"
_AMONG = re.compile(
    r"(?i)^\s*(?:and |so |ok |okay |but )*(?:of|among|out of|from|between) "
    r"(?:the|those|these|them|all)\b[^,?]*,\s*(?=(?:which|what|who|how)\b)"
)
# ... or a reason told before it: "Python is slow, so which language do they use for speed?"
_SO_ASKED = re.compile(
    r"(?i),\s*(?:and )?so\s+(?=(?:which|what|who|how|where|when|why|is|are|do|does|can|should)\b)"
)
# what follows thanks asks something: "..., but what about visas" (not "..., have a nice day")
_ASKING = re.compile(
    r"(?i)\s*(?:and |but |so |also |oh |ok |okay )*(?:what|whats|how|which|who|where|when|why|"
    r"anything|any|is|are|do|does|did|can|could|should|would|will|tell me|explain)\b"
)


class Dialogue:
    """Turns an understood message and a session into a reply; the session is changed in place."""

    knowledge: KnowledgeBase | None

    def __init__(
        self,
        intents: IntentSet,
        knowledge: KnowledgeBase | None,
        renderer: Renderer,
        settings: Settings,
        read: Callable[..., Understanding],
        out_of_scope: Terms = (),
        subject_terms: Terms = (),
        passages: PassageIndex | None = None,
        gaps: GapFinder | None = None,
        name_entities: Callable[[str], tuple[str, ...]] = lambda text: (),
    ) -> None:
        self.read = read
        self.intents, self.knowledge = intents, knowledge
        self.texts = settings.texts
        self.slots = SlotFiller(intents, knowledge)
        self.composer = Composer(
            intents,
            renderer,
            self.slots,
            ProfileReader(
                settings, gaps.places if gaps else None, _subject_roles(settings, knowledge, read)
            ),
            settings,
        )
        self.policy = Policy(
            intents,
            settings,
            self.slots,
            self.composer.knows,
            out_of_scope,
            subject_terms,
            self.composer.profile.is_insider,
            self.composer.says,
            self.composer.profile.enters,
            self.composer.profile.owns,
        )
        acts = Acts(intents, renderer, self.slots, settings)
        a = Answerers(
            intents,
            settings,
            self.policy,
            self.composer,
            acts,
            self._ask,
            passages,
            gaps,
            knowledge,
            name_entities,
        )
        self.answerers: Sequence[Answerer] = (
            a.empty,
            a.choice,
            a.reference,
            a.out_of_scope_term,
            a.gap,
            a.act,
            a.follow_up,
            a.on_their_entity,
            a.entity,
            a.about_me,
            a.listing,
            a.intent,
            a.which,
            a.agreement,
            a.on_last_entity,
            a.retrieve,
            a.about_entity,
            a.on_last_answer,
            a.labelled,
        )
        self.decline = a.decline
        self._comparing = frozenset(settings.comparison_words)

    def reply(self, text: str, state: Session) -> Reply:
        """Answer a whole message: its first READ_TEXT characters; a long or many-questioned one
        sentence by sentence (what it says about the person noted, up to MAX_PARTS questions)."""
        notice = None
        if len(text) > READ_TEXT:
            text, notice = text[:READ_TEXT], self.texts["truncated"].format(limit=READ_TEXT)
        last = (state.intent, list(state.items))
        reply = self._split(text, state) if needs_splitting(text) else None
        if reply is None:
            reply = self._whole(text, state)
        if reply.parts:  # each part's list, for "step 3" of the one it names
            state.part_lists = [
                [part.text.split("\n", 1)[0], *items]
                for part in reply.parts
                if len(items := list_items(part.text)) >= 2
            ]
        elif (state.intent, state.items) != last:  # a new answer; not "step 3" quoted from it
            state.part_lists = []
        return replace(reply, notice=notice) if notice else reply

    def _whole(self, text: str, state: Session) -> Reply:
        """A message that needs no splitting for its length: sentence by sentence when it asks
        two questions that each get an answer, or when its one question is far clearer alone;
        else read as one, and sentence by sentence after all if that declines ("I've written
        Java for years. Is C++ worth learning?")."""
        before = state.copy() if several_sentences(text) else None
        if asks_twice(text):  # "how many openings does Apple have, and what do they look for?"
            saved = state.copy()
            split = self._split(text, state)
            if split is not None and _answers_each(split):
                return split
            state.put_back(saved)
        u = self.read(text)
        if before is None and (pair := self._pair(text, u)):
            # "what ML roles and focus areas does Tesla have?": both, when each is clear alone
            saved = state.copy()
            split, _ = self._parts(pair, {}, state)
            if split.kind != "decline":  # one of them may be what the guides lack
                return split
            state.put_back(saved)
        if before is not None and self._clearer_alone(text, u, bool(state.intent)):
            # "I'm a PM moving into ML. Is demand for ML engineers growing?": the preamble only
            # blurs the question, which alone is clear
            split = self._split(text, state)
            if split is not None and split.kind != "decline":
                return split
            state.put_back(before)
        signed_off = self._signing_off(text, u)
        if signed_off is not None:  # "thanks, have a good weekend"
            u = signed_off
        kept = state.part_intents
        reply = self._trimmed(text, self.respond(u, state), state)
        if reply.kind == "decline" and reply.text.startswith(self.texts["fallback"]):
            pleasant = self._pleasantry(text, u)  # "I see. Thank you for your patience!"
            if pleasant is not None:
                reply = self.respond(pleasant, state)
        if state.part_intents is kept:  # after the reply, which may have used them (unless it
            state.part_intents = []  # set them anew: "and Google?" asked of both parts)
        if reply.kind != "decline" or before is None:
            return reply
        declined = state.copy()
        state.put_back(before)
        split = self._split(text, state)
        if split is not None and split.kind != "decline":
            return split
        state.put_back(declined)
        return reply

    def _signing_off(self, text: str, whole: Understanding) -> Understanding | None:
        """A message asking nothing whose best reading, unsure, is small talk, and whose first
        clause alone is that surely ("thanks, have a good weekend"): the first clause."""
        top = whole.top
        threshold = self.policy.settings.threshold
        if "?" in text or top is None or top.score >= threshold:
            return None
        if self.intents.get(top.intent).category != "smalltalk":
            return None
        first = _CLAUSE_END.split(text, maxsplit=1)[0]
        rest = text[len(first) + 1 :]
        if first == text or not first.strip() or _ASKING.match(rest):
            return None  # "thanks, but what about visas": asked
        alone = self.read(first)
        sure = alone.top is not None and alone.top.score >= threshold
        return alone if sure and alone.top and alone.top.intent == top.intent else None

    def _pleasantry(self, text: str, whole: Understanding) -> Understanding | None:
        """A message asking nothing, read as nothing surely, one of whose clauses is surely
        small talk ("I understand. Thank you for your patience.", "OK, I will check elsewhere.
        Bonne journée"): that clause."""
        threshold = self.policy.settings.threshold
        if "?" in text or (whole.top is not None and whole.top.score >= threshold):
            return None
        if not any(self.intents.get(c.intent).category == "smalltalk" for c in whole.candidates):
            return None  # no reading of the whole is small talk: no clause of it surely is
        pieces = sentences(text)
        if not pieces or any(p.kind == "question" for p in pieces):
            return None
        found: list[Understanding] = []
        for piece in pieces:
            clauses = list(filter(str.strip, _CLAUSE_END.split(piece.text)))
            if len(piece.text.split()) <= PLEASANTRY_WORDS:  # "cheers mate", "ok merci"
                clauses += piece.text.split()
            for clause in clauses:
                alone = self.read(clause)
                top = alone.top
                smalltalk = top is not None and self.intents.get(top.intent).category == "smalltalk"
                if smalltalk and top is not None and top.score >= threshold:
                    found.append(alone)
        # thanks or goodbye before a bare "ok"
        found.sort(key=lambda a: a.top is not None and a.top.intent == ACKNOWLEDGE)
        return found[0] if found else None

    def _clearer_alone(self, text: str, whole: Understanding, answered: bool = False) -> bool:
        """Whether the one question of a message whose other sentences only tell or chat is read
        far more surely alone than with them (or the whole reads as a statement about oneself);
        after one sentence about the person, as surely ("I'm an IT manager, how do I become an
        ML engineer?": the manager is who asks, not what is asked); or, after an answer, names
        only entities ("wow, SF is high. What about Texas?")."""
        pieces = sentences(text)
        questions = [p.text for p in pieces if p.kind == "question"]
        if len(questions) != 1:
            return False
        read = self.read(questions[0])
        if answered and self.policy.is_bare(read):
            return True  # "wow, SF is high. what about Texas?": a follow-up of the last answer
        alone = read.top
        if alone is None or alone.score < self.policy.settings.threshold:
            return False
        top = whole.top
        if top is None or self.intents.get(top.intent).category == "profile":
            return True
        told = len(pieces) == 2 and pieces[0].kind == "about_me"
        return alone.intent != top.intent and alone.score >= top.score + (0.0 if told else CLEARER)

    def _split(self, text: str, state: Session) -> Reply | None:
        pieces = sentences(text)
        questions = [p.text for p in pieces if p.kind == "question"]
        if not questions:
            return None
        # the sentence just before each question, when it tells something: its context
        context = {
            piece.text: pieces[i - 1].text
            for i, piece in enumerate(pieces)
            if piece.kind == "question" and i and pieces[i - 1].kind in ("about_me", "statement")
        }
        before = profile_rows(state.profile, self.knowledge)
        told = [p.text for p in pieces if p.kind in ("about_me", "statement")]
        # "I'm applying to NVIDIA and Tesla. What do their processes emphasize?": what "their"
        # points at; never quoted back as the bot's own last answer when nothing points at it
        refers = {w.strip("?,.!;:").lower() for q in questions for w in q.split()}
        if told and not self.policy.anaphora_words.isdisjoint(refers):
            state.items, state.slots = told, {}
        about_me = [p.text for p in pieces if p.kind == "about_me"]
        if (
            about_me
        ):  # read once, all together; only words and names are needed (limit 0: no intents)
            self.composer.profile.remember(self.read("\n".join(about_me), 0), state.profile)
        learnt = [row for row in profile_rows(state.profile, self.knowledge) if row not in before]
        note = (
            self.texts["profile_noted"].format(
                values="; ".join(f"{label.lower()}: {value}" for label, value in learnt)
            )
            if learnt
            else None
        )
        if len(questions) == 1:
            reply = self._question(questions[0], context.get(questions[0]), state)
            state.part_intents = []
            if reply.kind == "decline":
                return None  # the question alone was not enough: try the whole message
            return replace(reply, notice=note) if note else reply
        reply, read = self._parts(questions, context, state)
        if len(questions) > read:
            more = self.texts["more_questions"].format(limit=MAX_PARTS)
            reply = replace(reply, text=reply.text + "\n\n" + more)
        return replace(reply, notice=note) if note else reply

    def _parts(
        self, questions: list[str], context: dict[str, str], state: Session
    ) -> tuple[Reply, int]:
        """Up to MAX_PARTS questions answered in order, each a part under its heading, and how
        many questions were read. A question nothing in the guides answers (a title, "I want to
        know where I stand") takes no part while others are answered: it is named at the end."""
        parts: list[Reply] = []
        kept: list[str] = []
        unfound: list[tuple[str, Reply]] = []
        asked: list[str] = []
        read = 0
        for question in questions:
            if len(parts) == MAX_PARTS:
                break
            read += 1
            reply = self._question(question, context.get(question), state)
            if reply.kind == "decline" and reply.text.startswith(self.texts["fallback"]):
                unfound.append((question, reply))  # (a decline leaves the talk's topic alone)
                continue
            same = _same_part(parts, reply)
            if same is not None:  # answered as an earlier one was: one part for both
                kept[same] += " " + question
                parts[same] = max(parts[same], reply, key=lambda r: len(r.text))
                continue
            parts.append(reply)
            kept.append(question)
            if state.intent and state.intent not in asked:
                asked.append(state.intent)
        if not parts:  # nothing answered: each declined, as asked (each decline once)
            for question, reply in unfound:
                same = _same_part(parts, reply)
                if same is None:
                    kept.append(question)
                    parts.append(reply)
                else:
                    kept[same] += " " + question
            unfound = []
        if len(parts) == 1 and not unfound:
            return parts[0], read
        state.part_intents = [name for name in asked if name != state.intent]
        headings = [
            self.texts["part_heading"].format(number=i, question=q) for i, q in enumerate(kept, 1)
        ]
        reply = combine(headings, parts)
        if unfound:
            named = "; ".join(f'"{q}"' for q, _ in unfound)
            reply = replace(
                reply, text=reply.text + "\n\n" + self.texts["unfound"].format(questions=named)
            )
        return reply, read

    def _pair(self, text: str, whole: Understanding) -> list[str]:
        """The two questions a question joining two things by "and" asks (`paired`), when the
        whole reads as one of them, each alone reads surely, as another intent; not for a
        comparison ("the difference between X and Y")."""
        if whole.top is None or not self._comparing.isdisjoint(whole.tokens):
            return []
        pair = paired(text)
        if not pair:
            return []
        tops = [self.read(question).top for question in pair]
        threshold = self.policy.settings.threshold
        if any(top is None or top.score < threshold for top in tops):
            return []
        names = {top.intent for top in tops if top is not None}
        return pair if len(names) == 2 and whole.top.intent in names else []

    def _trimmed(self, question: str, reply: Reply, state: Session) -> Reply:
        """A declined question read again without what it adds after its point ("which cloud
        should I learn, since my team is moving to one?", "can courses add credibility since I
        can't afford a masters?": what the guides lack is only in the aside) or before it ("of
        those, which...", "Python is slow, so which..."); a decline the point itself gets
        stands."""
        if reply.kind != "decline":
            return reply
        found = _ADJUNCT.search(question)
        among = _AMONG.match(question) or _SO_ASKED.search(question)
        if among is not None:
            kept = question[among.end() :]
        elif found is not None and len(question[: found.start()].split()) >= TRIMMED_WORDS:
            kept = question[: found.start()]
        else:
            return reply
        before = state.copy()
        trimmed = self.respond(self.read(kept), state)
        if trimmed.kind != "decline":
            return trimmed
        state.put_back(before)
        return reply

    def _question(self, question: str, context: str | None, state: Session) -> Reply:
        """One question of a long message; one that leans on the sentence before it ("... to move
        into ML. What is the best way to prepare for this transition?") is read with it."""
        answered = bool(state.citations)  # an act with no answer before it has nothing to act on
        reply = self._trimmed(question, self.respond(self.read(question), state), state)
        leans = reply.kind == "decline" or (reply.kind == "act" and not answered)
        if leans and context and len(question.split()) <= LEANING_WORDS:
            before = state.copy()
            leaning = self.respond(self.read(f"{context} {question}"), state)
            if leaning.kind != "decline":
                return leaning
            state.put_back(before)  # the reading that was not kept leaves no trace
        return reply

    def respond(self, u: Understanding, state: Session, depth: int = 0) -> Reply:
        ranked = self.policy.rank(u, state)
        turn = Turn(u, state, ranked, self.policy.confident(ranked, u), depth)
        for answerer in self.answerers:
            reply = answerer(turn)
            if reply is not None:
                break
        else:
            reply = self.decline(turn)
        state.last_kind = reply.kind
        if reply.kind != "act":  # a bare number picks from what was shown last
            state.suggestions = list(reply.suggestions)
        return reply

    def _ask(self, text: str, state: Session, depth: int) -> Reply:
        return self.respond(self.read(text), state, depth)


def _subject_roles(
    settings: Settings, knowledge: KnowledgeBase | None, read: Callable[..., Understanding]
) -> dict[str, list[tuple[str, ...]]]:
    """The domain's own roles (`ignore_entities` of type role) by their names, read as tokens."""
    roles: dict[str, list[tuple[str, ...]]] = {}
    for key in settings.ignore_entities:
        type_, _, id_ = key.partition(":")
        entity = knowledge.entity(type_, id_) if knowledge and type_ == "role" else None
        if entity is not None:
            roles[id_] = [read(name, 0).tokens for name in entity.names()]
    return roles


def _answers_each(reply: Reply) -> bool:
    """Whether a reply in parts answers each part, each with another intent."""
    intents = [part.intent for part in reply.parts]
    return (
        len(reply.parts) > 1
        and all(part.kind != "decline" for part in reply.parts)
        and len(set(intents)) == len(intents)
    )


def _same_part(parts: Sequence[Reply], reply: Reply) -> int | None:
    """The earlier part saying what a reply says (one holds the other's text whole: "Senior pay"
    and "Senior pay" with what the guides say of senior engineers after it), if any."""
    return next(
        (i for i, part in enumerate(parts) if reply.text in part.text or part.text in reply.text),
        None,
    )
