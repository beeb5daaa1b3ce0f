"""Reading one message: normalise, repair typos,
find entities, rank intents; no session is touched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from msgspec import Struct, field

from .entities import EntityIndex, Mention
from .lexicon import Lexicon
from .matching import Candidate, Matcher
from .needs import Needs
from .spelling import Speller
from .text import normalise

BARE_WORDS = 3  # an entity named with at most this many other words is asked of its kind's intent
WHOLE_TOKENS = 8  # a message this short may be a `whole` intent's example said with fillers
# a capitalised word inside a sentence (not after its end): a name ("does Boeing hire...")
_NAMED = re.compile(r"(?<=[\w,;:] )([A-Z][a-z]{2,})\b")


class Understanding(Struct, frozen=True):
    """What the pipeline made of one message, before any dialogue decision."""

    text: str
    tokens: tuple[str, ...]
    mentions: tuple[Mention, ...]
    matched: tuple[str, ...]  # tokens with entities as placeholders and concepts by their name
    candidates: tuple[Candidate, ...] = field(default=())

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class Reader:
    """Turns text into an Understanding with the content's
    abbreviations, speller, entities and matcher.
    """

    def __init__(
        self,
        abbreviations: Mapping[str, str],
        speller: Speller,
        entities: EntityIndex,
        matcher: Matcher,
        lexicon: Lexicon | None = None,
        needs: Mapping[str, Needs] | None = None,
        whole: Mapping[str, Candidate] | None = None,
        fillers: frozenset[str] = frozenset(),
    ) -> None:
        self.abbreviations, self.speller, self.entities = abbreviations, speller, entities
        self.matcher, self.lexicon = matcher, lexicon or Lexicon(())
        self.needs = needs or {}  # intent -> the words it needs (`Intent.needs`)
        # what `whole` intents answer ("ok"), and the words that may come with it ("lol")
        self.whole, self.fillers = whole or {}, fillers

    def __call__(self, text: str, limit: int = 3) -> Understanding:
        written = normalise(text, self.abbreviations)
        tokens = self.speller.correct(written)
        if tokens != written and _NAMED.search(text):
            tokens = self._names_kept(text, written, tokens)
        mentions = self.entities.find(tokens)
        matched = EntityIndex.replace(tokens, mentions)
        candidates: list[Candidate] = []
        said = None
        if len(tokens) <= WHOLE_TOKENS:  # "ok", "lol ok", "hmm, got it": short, never a post
            said = self.whole.get(" ".join(t for t in tokens if t not in self.fillers))
            said = said or self.whole.get(" ".join(tokens))  # "lol": a filler said alone
            if said is None and tokens and self.fillers.issuperset(tokens):
                # "hmm", "oh well": fillers alone say what a filler said alone does
                said = next((self.whole[f] for f in sorted(self.fillers) if f in self.whole), None)
        if said is not None and limit > 0:
            candidates = [said]
        elif limit > 0:  # 0: only the words and names are wanted
            matched = self.lexicon.apply(matched)
            candidates = self.matcher.rank(matched, limit, self._lacks(text, tokens, matched))
        # "which industries besides tech": an entity set aside is not what the question is about
        aside = self.lexicon.aside(tokens)
        about = tuple(m for m in mentions if m.start not in aside)
        return Understanding(text, tuple(tokens), about, tuple(matched), tuple(candidates))

    def _names_kept(self, text: str, written: list[str], tokens: list[str]) -> list[str]:
        """A word capitalised inside a sentence is a name: not respelt into a word of everyday
        English ("does Boeing hire...?" is no "being"), only into a name the content knows
        ("Pytroch")."""
        names = {m.group(1).lower() for m in _NAMED.finditer(text)}
        known = self.entities.vocabulary
        return [
            w if w in names and t != w and t not in known else t
            for w, t in zip(written, tokens, strict=True)
        ]

    def _lacks(self, text: str, tokens: list[str], matched: list[str]) -> frozenset[str]:
        """The intents whose needed words the message lacks: not among its readings ("what other
        sectors?" is not the pay by industry, whatever else it shares with it). A bare entity
        ("senior?") lacks none: it is asked of whatever its kind's intent answers."""
        words = [t for t in matched if not t.startswith("@")]
        if not self.needs or (len(words) <= BARE_WORDS and len(words) < len(matched)):
            return frozenset()
        held: dict[int, bool] = {}  # intents often share one list of needs: checked once
        lacks = []
        for name, need in self.needs.items():
            found = held.get(id(need))
            if found is None:
                found = held[id(need)] = need.held(text, tokens, matched)
            if not found:
                lacks.append(name)
        return frozenset(lacks)
