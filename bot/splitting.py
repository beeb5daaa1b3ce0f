"""Splitting a message into sentences: questions to answer, what it says of the person, chatter."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

from msgspec import Struct

#: a message needs splitting when it is longer than this or asks more than one question
SHORT = 160
#: a question this short right after another one finishes it ("..., right? which ones?")
FRAGMENT_WORDS = 3
# compiled on first use (`_compiled`): a one-shot question that needs no splitting never pays for it
_SENTENCE = r"(?<=[.?!])[\"')\]]*\s+|\n+|(?<=\?)(?=\S)"
_QUESTION_START = (
    r"(?i)^(?:and |also |so |but |or |plus |then |ok |okay |now )*"
    r"(?:what|whats|what's|how|hows|how's|which|who|whom|whose|where|when|why|is|are|am|was|were|do|"
    r"does|did|can|could|should|shall|would|will|have|has|any|anything|tell me|explain|describe|"
    r"i'd like to know|i would like to know|i wonder|i'm wondering|im wondering|wondering|"
    r"curious|i'm curious|is it|are there|is there)\b"
)
# every phrase of _ABOUT_ME starts with one of these words (once apostrophes are gone)
_ABOUT_ME_WORDS = frozenset(("i", "im", "ive", "my", "we", "just"))
_ABOUT_ME = (
    r"(?i)^(?:hi|hello|hey)?[,! ]*(?:i'm|i am|im|i've|i have|ive|i was|i work|i live|i moved|"
    r"i'm moving|i relocated|i'm relocating|im relocating|we moved|just moved|i'm based|im based|"
    r"i'm now|im now|i'm no longer|im no longer|i'm not|im not|i don't|i dont|"
    r"i currently|i just|i recently|my |i studied|i graduated|i finished|i did|i know|i've been|"
    r"i've got|i got|i spent)\b"
)
# a question inside a sentence: "I'm in high school, what should I do"; read in lower case
_ASKS = (
    r"[,;:-]\s*(?:and |so |but )?(?:what|how|which|where|when|why|who|should i|can i|"
    r"could i|do i|is it|is there|are there|would i|will i|any tips|any advice)\b"
    r"|\b(?:what|how) (?:should|can|do|would)\b"
    r"|\b(?:wondering|wonder|curious|want to know|like to know) (?:what|how|which|where|when|why|"
    r"who|if|whether)\b"
)
# _ASKS can match only text holding one of these: checked first, as most statements hold none
_ASKS_WORDS = (
    *("what", "how", "which", "where", "when", "why", "who", "wonder", "curious", "to know"),
    *("should i", "can i", "could i", "do i", "is it", "is there", "are there", "would i"),
    *("will i", "any tips", "any advice"),
)
# two questions in one sentence: "how much would I make in Toronto, and does Java help?"
_CLAUSE = (
    r"(?i),\s*(?:and|but|or|also|plus)\s+(?=(?:what|whats|how|which|where|when|why|who|is|are|"
    r"do|does|did|can|could|should|would|will)\b)"
    r"|\s+and\s+(?=(?:what|whats|how|which|where|when|why|who)\b)"
)
#: a clause shorter than this is not a question of its own ("what and how to learn")
CLAUSE_WORDS = 4
_CHATTER = (
    r"(?i)^(?:hi|hello|hey|thanks|thank you|thx|ty|cheers|sorry|apologies|best|regards|"
    r"any help|any advice|any input|any thoughts|appreciate|long (?:post|question)|tl;?dr|edit)\b"
)


class Sentence(Struct, frozen=True):
    """A piece of a message and what it is: "question", "about_me" or "chatter"."""

    text: str
    kind: str


class _Patterns(NamedTuple):
    sentence: re.Pattern[str]
    question_start: re.Pattern[str]
    about_me: re.Pattern[str]
    asks: re.Pattern[str]
    chatter: re.Pattern[str]
    letter: re.Pattern[str]
    clause: re.Pattern[str]


@cache
def _compiled() -> _Patterns:
    return _Patterns(
        re.compile(_SENTENCE),
        re.compile(_QUESTION_START),
        re.compile(_ABOUT_ME),
        re.compile(_ASKS),
        re.compile(_CHATTER),
        re.compile(r"[^\W\d_]"),
        re.compile(_CLAUSE),
    )


def sentences(text: str) -> list[Sentence]:
    """The message's sentences, each classified; empty pieces dropped."""
    patterns = _compiled()
    out: list[Sentence] = []
    for piece in patterns.sentence.split(text):
        piece = piece.strip(" \t-–—*•")
        if not patterns.letter.search(piece):
            continue
        kind = _kind(piece, patterns)
        if (
            kind == "question"
            and out
            and out[-1].kind == "question"
            and len(piece.split()) <= FRAGMENT_WORDS
        ):
            out[-1] = Sentence(f"{out[-1].text} {piece}", kind)
        elif kind == "question":
            out.extend(Sentence(clause, kind) for clause in _clauses(piece, patterns))
        else:
            out.append(Sentence(piece, kind))
    return out


def _clauses(question: str, patterns: _Patterns) -> list[str]:
    """A question sentence as the questions it joins, when each is long enough to stand alone."""
    clauses = [c.strip(" ,;") for c in patterns.clause.split(question)]
    if len(clauses) > 1 and all(len(c.split()) >= CLAUSE_WORDS for c in clauses):
        return clauses
    return [question]


def _kind(piece: str, patterns: _Patterns) -> str:
    if piece.endswith("?") or patterns.question_start.match(piece):
        return "question"
    lower = piece.lower()
    if any(word in lower for word in _ASKS_WORDS) and patterns.asks.search(lower):
        return "question"
    if patterns.about_me.match(piece):
        return "about_me"
    if patterns.chatter.match(piece):
        return "chatter"
    return "statement"


def may_tell_about_me(tokens: Iterable[str]) -> bool:
    """Whether a message could have a sentence about the person (cheaper than `sentences`)."""
    return not _ABOUT_ME_WORDS.isdisjoint(tokens)


def needs_splitting(text: str) -> bool:
    """Whether a message is long, or asks more than one question."""
    return len(text) > SHORT or text.count("?") > 1 or "\n" in text.strip()


def several_sentences(text: str) -> bool:
    """Whether a message has more than one sentence."""
    return _compiled().sentence.search(text.strip()) is not None


def asks_twice(text: str) -> bool:
    """Whether a message asks more than one question, in one sentence or in several ("how many
    openings does Apple have, and what do they look for?")."""
    if not several_sentences(text) and not _compiled().clause.search(text):
        return False  # one sentence that joins no two questions: no need to split it
    return sum(piece.kind == "question" for piece in sentences(text)) > 1
