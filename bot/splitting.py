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
# compiled on first use (`_pattern`): a one-shot question that needs no splitting never pays for it
# not inside brackets: "I'm an architect (buildings!) who scripts Python" is one sentence
_SENTENCE = r"(?<=[.?!])[\"']*\s+|\n+|(?<=\?)(?=[^\s)\]])"
_QUESTION_START = (
    r"(?i)^(?:and |also |so |but |or |plus |then |ok |okay |now )*"
    r"(?:what|whats|what's|how|hows|how's|which|who|whom|whose|where|when|why|is|are|am|was|were|do|"
    r"does|did|can|could|should|shall|would|will|have|has|any|anything|tell me|explain|describe|"
    r"i'd like to know|i would like to know|i wonder|i'm wondering|im wondering|wondering|"
    r"curious|i'm curious|is it|are there|is there)\b"
)
# every phrase of _ABOUT_ME starts with one of these words (once apostrophes are gone)
_ABOUT_ME_WORDS = frozenset(("i", "im", "ive", "my", "we", "just"))
# ... after a greeting, to whom it may be ("Hello all, I'm a nurse"), or a word that goes on
# ("So, I'm 52")
_ABOUT_ME = (
    r"(?i)^(?:(?:hi|hello|hey)(?: all| everyone| folks| guys| there| team| \w+)?|so|ok|okay|"
    r"well|anyway|anyways|also|and|but|basically)?[,! ]*"
    r"(?:i'm|i am|im|i've|i have|ive|i was|i work|i live|i moved|"
    r"i'm moving|i relocated|i'm relocating|im relocating|we moved|just moved|i'm based|im based|"
    r"i'm now|im now|i'm no longer|im no longer|i'm not|im not|i don't|i dont|"
    r"i currently|i just|i recently|my |i studied|i graduated|i finished|i did|i know|i've been|"
    r"i've got|i got|i spent)\b"
)
# who the person is, said without "I": "Product manager here, NYC", "backend engineer with 5 yrs"
_ABOUT_ME_ROLE = (
    r"(?i)^(?:hi|hello|hey)?[,! ]*[a-z][a-z/-]*(?: [a-z][a-z/-]*){0,3}"
    r"(?: here\b(?! (?:is|are|was|were))| with \d+\+? ?(?:years|yrs|yoe|year)\b)"
)
# a question inside a sentence: "I'm in high school, what should I do"; read in lower case
# ("..., and why we can't have it all" tells, in a statement's word order, and "..., which
# makes it hard", "..., which surprised me", "..., which I could do part-time" or "..., who use
# ML" of what came before: no question)
_ASKS = (
    r"[,;:-]\s*(?:and |so |but )?"
    r"(?:(?!which (?:is|was|are|were|makes|made|means|has|had|\w+ed|i)\b)"
    # "the support desk, who run our scripts": who, then a verb of its own, tells of them
    r"(?!who (?!(?:should|shall|can|could|do|does|did|would|will|to|else)\b))"
    r"(?:what|how|which|where|when|why|who)\b(?! (?:we|you|they|he|she|it|a|an|the|my)\b)"
    r"(?! i (?!can|could|should|would|will|need|must)\b)"  # "how i can start" still asks
    r"|should i|can i|"
    r"could i|do i|is it|is there|are there|would i|will i|any tips|any advice)\b"
    r"|\b(?:what|how) (?:should|can|do|would)\b"
    r"|\b(?:wondering|wonder|curious|(?:want|wants|wanted|like|need|love) to (?:know|understand|"
    r"figure out)|not sure|unsure|asks)(?:,[^,.?]{1,40},)? (?:what|how|which|where|when|why|who|if|"
    r"whether)\b"
)
_ASIDE = re.compile(r"\([^()]*\)")
# _ASKS can match only text holding one of these: checked first, as most statements hold none
_ASKS_WORDS = (
    *("what", "how", "which", "where", "when", "why", "who", "wonder", "curious", "to know"),
    *("to understand", "figure out", "not sure", "unsure"),
    *("should i", "can i", "could i", "do i", "is it", "is there", "are there", "would i"),
    *("will i", "any tips", "any advice"),
)
_ASKS_ANY = "|".join(map(re.escape, _ASKS_WORDS))  # any of them, as a substring
# telling of oneself inside a sentence that does not begin so: "with 3 yrs im probably mid level"
_TOLD = re.compile(r"\b(?:i'm|i am|im|i've|ive|i have|i work|i live|my)\b")
# ... but a phrase opening with a preposition tells only with a verb of its own: "with 3 yrs im
# probably mid level" tells, "at my age" does not
_PHRASE = re.compile(r"(?i)^(?:at|in|on|for|with|as|by|from|given|to)\b")
_TOLD_VERB = re.compile(r"\b(?:i'm|i am|im|i've|ive|i have|i work|i live)\b")
# two questions in one sentence: "how much would I make in Toronto, and does Java help?"
_CLAUSE = (
    r"(?i),\s*(?:and|but|or|also|plus)\s+(?=(?:what|whats|how|which|where|when|why|who|is|are|"
    r"do|does|did|can|could|should|would|will|if)\b)"
    r"|\s+and\s+(?=(?:what|whats|how|which|where|when|why|who)\b)"
)
# ... and before the last of a list of questions, a comma alone
_LISTED = (
    r"(?i),\s*(?=(?:what|whats|how|which|where|when|why|who|is|are|do|does|can|could|should|"
    r"would|will)\b)"
)
#: a clause shorter than this is not a question of its own ("what and how to learn")
CLAUSE_WORDS = 4
#: ... but after a comma ending what the person tells of themselves, this is ("what's mid pay?")
TOLD_ASKED_WORDS = 3
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
    about_me_role: re.Pattern[str]
    asks: re.Pattern[str]
    chatter: re.Pattern[str]
    letter: re.Pattern[str]
    clause: re.Pattern[str]


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    """One pattern, compiled when first used: most messages need only the sentence breaks."""
    return re.compile(pattern)


@cache
def _compiled() -> _Patterns:
    return _Patterns(
        _pattern(_SENTENCE),
        _pattern(_QUESTION_START),
        _pattern(_ABOUT_ME),
        _pattern(_ABOUT_ME_ROLE),
        _pattern(_ASKS),
        _pattern(_CHATTER),
        _pattern(r"[^\W\d_]"),
        _pattern(_CLAUSE),
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
        elif kind == "question" and (told := _told_then_asked(piece, patterns)):
            # "with 3 yrs im probably mid level, what's mid pay?": what it tells, then the question
            out.extend((Sentence(told[0], "about_me"), Sentence(told[1], "question")))
        elif kind == "question":
            out.extend(Sentence(clause, kind) for clause in _clauses(piece, patterns))
        else:
            out.append(Sentence(piece, kind))
    return out


def _told_then_asked(sentence: str, patterns: _Patterns) -> tuple[str, str] | None:
    """A sentence telling something of the person, then, after a comma, asking ("I'm a nurse,
    what does an ML engineer do?"): the two parts."""
    if "," not in sentence:
        return None
    told, _, asked = sentence.partition(",")
    told, asked = told.strip(), asked.strip()
    telling = _TOLD_VERB if _PHRASE.match(told) else _TOLD
    about = patterns.about_me.match(told) or telling.search(told.lower())
    if about and len(asked.split()) >= TOLD_ASKED_WORDS and patterns.question_start.match(asked):
        return told, asked
    return None


def _clauses(question: str, patterns: _Patterns) -> list[str]:
    """A question sentence as the questions it joins, when each is long enough to stand alone;
    a list of them ends with "and": "which industries use it, what does one do, and how...?"."""
    clauses = [c.strip(" ,;") for c in patterns.clause.split(question)]
    if len(clauses) > 1:
        listed = [c.strip(" ,;") for c in _pattern(_LISTED).split(clauses[0])]
        clauses = [*listed, *clauses[1:]] if len(listed) > 1 else clauses
    if len(clauses) > 1 and all(len(c.split()) >= CLAUSE_WORDS for c in clauses):
        return clauses
    return [question]


# "What ML roles and focus areas does Tesla have?": two things asked of one subject. The first
# is what follows the last of these words before "and"; the second ends before one of the next.
_PAIR_BEFORE = frozenset(
    ("what", "whats", "which", "how", "is", "are", "the", "a", "an", "about", "do", "does", "my")
)
_PAIR_AFTER = frozenset(
    (
        *("does", "do", "did", "is", "are", "was", "were", "have", "has", "had", "for", "at"),
        *("in", "of", "on", "with", "to", "from", "by", "like", "should", "would", "can"),
        *("could", "will", "i", "you", "they", "we", "it"),
    )
)
_ARTICLES = frozenset(("the", "a", "an"))
_DASHES = frozenset(("-", "–", "—"))
_PAIR_ASKS = frozenset(("what", "whats", "which", "how"))
PAIR_WORDS = 3  # at most this many words on each side of "and"


def paired(text: str) -> list[str]:
    """The two questions a one-sentence question asks by joining two things with "and" ("what
    is the salary and interview process at Google?": the salary at Google, and the interview
    process there), or none."""
    words = text.strip().rstrip("?!. ").split()
    low = [w.lower().strip(",;:") for w in words]
    if low.count("and") != 1:
        return []
    at = low.index("and")
    # tersely, what is asked of after a dash or colon: "Tesla - roles and focus?"
    sep = next((k + 1 for k in range(at) if low[k] in _DASHES or words[k].endswith(":")), 0)
    if not sep and low[0].endswith(("'s", "’s")):  # "Google's open roles and focus areas?"
        sep = 1
    if low[0] not in _PAIR_ASKS and not sep:
        return []
    if at + 1 < len(low) and low[at + 1] in _PAIR_ASKS | _PAIR_AFTER:
        return []  # "... and what do they do?", "... and do they": two clauses (`_clauses`)
    end = next((j for j in range(at + 1, len(low)) if low[j] in _PAIR_AFTER), len(low))
    start = sep or next((k + 1 for k in range(at - 1, -1, -1) if low[k] in _PAIR_BEFORE), 0)
    second = words[at + 1 : end]
    while second and second[0].lower() in _ARTICLES:
        second = second[1:]
    first = words[start:at]
    if not start or not (0 < len(first) <= PAIR_WORDS and 0 < len(second) <= PAIR_WORDS):
        return []
    head, rest, mark = words[:start], words[end:], "?" if text.rstrip().endswith("?") else ""
    return [" ".join((*head, *part, *rest)) + mark for part in (first, second)]


def _kind(piece: str, patterns: _Patterns) -> str:
    if piece.endswith("?"):
        return "question"
    # an aside in brackets asks nothing of the bot ("(half wondering whether I could...)")
    lower = _ASIDE.sub("", piece.lower()) if "(" in piece else piece.lower()
    if _pattern(_ASKS_ANY).search(lower) and patterns.asks.search(lower):
        return "question"
    if patterns.about_me.match(piece) or patterns.about_me_role.match(piece):
        return "about_me"
    if patterns.chatter.match(piece):
        return "chatter"  # "Any input is welcome, ...", though "any tips" would ask
    if patterns.question_start.match(piece):
        return "question"
    return "statement"


def opens_with_oneself(text: str) -> bool:
    """Whether a message opens by saying who the person is without "I" ("Product manager here",
    "backend engineer with 5 years of Java")."""
    return _pattern(_ABOUT_ME_ROLE).match(text) is not None


def may_tell_about_me(tokens: Iterable[str]) -> bool:
    """Whether a message could have a sentence about the person (cheaper than `sentences`)."""
    return not _ABOUT_ME_WORDS.isdisjoint(tokens)


_QUESTION_MARKS = re.compile(r"\?+")


def needs_splitting(text: str) -> bool:
    """Whether a message is long, or asks more than one question."""
    # "??" is one question asked loudly, not two
    return len(text) > SHORT or len(_QUESTION_MARKS.findall(text)) > 1 or "\n" in text.strip()


def several_sentences(text: str) -> bool:
    """Whether a message has more than one sentence, or tells something of the person before
    asking ("I'm a nurse, what does an ML engineer do?")."""
    text = text.strip()
    if _pattern(_SENTENCE).search(text) is not None:
        return True
    return "," in text and _told_then_asked(text, _compiled()) is not None


def asks_twice(text: str) -> bool:
    """Whether a message asks more than one question, in one sentence or in several ("how many
    openings does Apple have, and what do they look for?")."""
    if not several_sentences(text) and not _pattern(_CLAUSE).search(text):
        return False  # one sentence that joins no two questions: no need to split it
    return sum(piece.kind == "question" for piece in sentences(text)) > 1
