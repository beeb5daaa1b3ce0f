"""The words an intent needs (`Intent.needs`): a message holding none of them is not asked of
the intent, though it may share its other words ("what other sectors?" is not the pay by
industry)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import msgspec

from .text import normalise


class Needs(msgspec.Struct, frozen=True):
    """The words an intent needs (`Intent.needs`): single words (with their plurals) as a set,
    phrases as padded strings of tokens, and signs ("$") found in the text itself."""

    words: frozenset[str]
    phrases: tuple[str, ...]  # " take home ", " take homes ": each, its last word also plural
    signs: tuple[str, ...]

    def held(self, text: str, *readings: Sequence[str]) -> bool:
        """Whether a message holds one, in one of its readings (tokens, concepts) or its text."""
        if any(not self.words.isdisjoint(tokens) for tokens in readings):
            return True
        if any(sign in text for sign in self.signs):
            return True
        found = _alternation(self.phrases)
        return found is not None and any(found.search(f" {' '.join(t)} ") for t in readings)


@cache
def _alternation(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """The phrases as one pattern: a message is searched once, not once for each phrase."""
    return re.compile("|".join(map(re.escape, phrases))) if phrases else None


@cache
def needs(needed: tuple[str, ...]) -> Needs:
    """The needs of an intent, from its `needs` list (intents often share one: the pay words)."""
    terms = [(term, tuple(normalise(term))) for term in needed]
    words = {w + end for _, t in terms if len(t) == 1 for w in t for end in ("", "s", "es")}
    phrases = tuple(
        f" {' '.join((*t[:-1], t[-1] + end))} "
        for _, t in terms
        if len(t) > 1
        for end in ("", "s", "es")
    )
    return Needs(frozenset(words), phrases, tuple(term for term, t in terms if not t))
