"""Token-level typo repair against the content's own vocabulary."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from .text import stem

#: tokens shorter than this are never corrected (too many near neighbours)
MIN_LENGTH = 4
#: corrections remembered per Speller; the cache is emptied when it is full
CACHE_SIZE = 20_000
#: an English word used this often (in the frequency list given) is a word, not a typo...
COMMON = 300
#: ...unless the word it would be respelt into is used this many times more ("dose" -> "does")
MORE_COMMON = 50


def max_edits(length: int) -> int:
    """Edits (insert, delete, substitute, swap adjacent) allowed for a token of this length.

    Four-letter tokens get one edit too, but only a swap of two adjacent letters is accepted.
    """
    if length < MIN_LENGTH:
        return 0
    if length < 9:
        return 1
    return 2


def _plausible(token: str, word: str, distance: int) -> bool:
    """Typos rarely touch the first letter, and short words have too many one-edit neighbours."""
    if token[0] != word[0] and token[:2] != word[1::-1]:
        return False
    if len(token) - len(word) >= 2 and token.startswith(word):
        return False  # a known word with a suffix ("mechanic-al") is another word, not a typo
    if len(token) == MIN_LENGTH:
        return Levenshtein.distance(token, word) == 2 and distance == 1
    return True


class Speller:
    """Repairs misspelt tokens by the closest known word
    within a small, length-dependent edit distance.

    `vocabulary` may repeat words: the counts break ties between equally close words (the more
    frequent wins, then alphabetical order). Tokens that are known, short, numeric or
    placeholders ("@company") are left alone, and so is any token with no close known word
    (an out-of-domain word must not be pulled into the domain).
    """

    def __init__(self, vocabulary: Iterable[str], english: Mapping[str, int] | None = None) -> None:
        """`english`, word -> frequency in general English, keeps common words that are close
        to a content word from being respelt into it ("heard" is not "hard", "regression" not
        "recession"); only the words it would otherwise respell are kept (`_words`)."""
        counts = Counter(word for word in vocabulary if word)
        self._known = frozenset(counts)
        # word families by stem, of words seen more than once: a typo an example is written with
        # ("scikit-lern") must not make "lerning" a family of its own that "learning" is not in
        self._stems = frozenset(stem(word) for word, n in counts.items() if n > 1)
        ranked = sorted(counts, key=lambda word: (-counts[word], word))
        self._rank = {word: index for index, word in enumerate(ranked)}
        # by length and first letter: a typo rarely touches the first letter (`_plausible`)
        self._by_start: dict[tuple[int, str], list[str]] = {}
        for word in ranked:
            self._by_start.setdefault((len(word), word[0]), []).append(word)
        self._cache: dict[str, str] = {}
        self._lock = threading.Lock()
        self._words: frozenset[str] = frozenset()
        # general English the content lacks, by length and first letter: a typo closer to one of
        # these than to any content word is a misspelt English word ("recieving"), left alone
        # (one string a bucket, a word a line: unpickled at start as fast as one word)
        outside: dict[tuple[int, str], list[str]] = {}
        for word, used in (english or {}).items():
            if (
                used >= COMMON
                and len(word) >= MIN_LENGTH
                and word.isalpha()
                and word not in self._known
            ):
                outside.setdefault((len(word), word[0]), []).append(word)
        self._english = {key: "\n".join(words) for key, words in outside.items()}
        if english:
            self._words = frozenset(
                word
                for word, used in english.items()
                if used >= COMMON
                and len(word) >= MIN_LENGTH
                and word.isalpha()
                and word not in self._known
                and (respelt := self._closest(word)) != word
                and english.get(respelt, 0) < MORE_COMMON * used
            )

    def keep(self, words: Iterable[str]) -> None:
        """Never respell these words, though no content holds them (place names); only those it
        would respell are kept."""
        self._words |= frozenset(
            w
            for w in words
            if w not in self._known
            and len(w) >= MIN_LENGTH
            and w.isalpha()
            and self._closest(w) != w
        )

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        del state["_lock"]
        state["_cache"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def vocabulary(self) -> frozenset[str]:
        return self._known

    def correct(self, tokens: Sequence[str]) -> list[str]:
        """The tokens with each repairable misspelling replaced by its correction."""
        known = self._known  # most words are known: no call for them
        return [token if token in known else self.correct_token(token) for token in tokens]

    def correct_token(self, token: str) -> str:
        """One token, repaired if it is an unknown word
        of MIN_LENGTH+ letters with a close known word.
        """
        if (
            token in self._known
            or token in self._words
            or len(token) < MIN_LENGTH
            or not token.isalpha()
        ):
            return token
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        corrected = self._closest(token)
        with self._lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[token] = corrected
        return corrected

    def _closest(self, token: str) -> str:
        # An inflection of a known word ("salaries") is only respelt into the same word family
        # ("enginer" -> "engineer"), never into another word ("designer" -> "designed").
        family = stem(token) if stem(token) in self._stems else None
        limit = max_edits(len(token))
        best: tuple[int, int, str] | None = None
        firsts = {token[0], token[1]}  # the first letter, or the second one swapped with it
        for length in range(max(MIN_LENGTH, len(token) - limit), len(token) + limit + 1):
            words = [w for first in firsts for w in self._by_start.get((length, first), ())]
            if not words:
                continue
            for word, distance, _ in process.extract(
                token, words, scorer=OSA.distance, score_cutoff=limit, limit=None
            ):
                if not _plausible(token, word, distance) or (
                    family is not None and stem(word) != family
                ):
                    continue
                key = (distance, self._rank[word], word)
                if best is None or key < best:
                    best = key
        if best is None:
            return token
        if best[0] > 1 and self._nearer_english(token, best[0], firsts):
            return token
        return best[2]

    def _nearer_english(self, token: str, distance: int, firsts: set[str]) -> bool:
        """Whether a word of general English is closer to the token than `distance` edits."""
        limit = distance - 1
        for length in range(len(token) - limit, len(token) + limit + 1):
            words = [w for f in firsts for w in self._english.get((length, f), "").split("\n") if w]
            for word, near, _ in process.extract(
                token, words, scorer=OSA.distance, score_cutoff=limit, limit=None
            ):
                if _plausible(token, word, near):
                    return True
        return False
