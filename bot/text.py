"""Text normalisation shared by content loading and
replies: tokens, abbreviations and light stemming.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

#: only this many characters of any input are looked at (replies must stay fast on 100 KB pastes)
MAX_CHARS = 4_000
BRITISH_IS = 6  # letters: a stem this long ending "-is" is a British "-ise" verb ("realis")

# Apostrophes (ASCII and typographic) are deleted, so "what's" -> "whats" and "don't" -> "dont",
# which also merges them with the common apostrophe-less spellings users type.
_APOSTROPHES = re.compile("['\u2018\u2019\u201b\u02bc\u02b9\u0060\u00b4\u2032]")
# A possessive "'s" goes, so "Siri's" is "siri" and "Google's" is "google"; the contractions of
# "is" and "us" ("what's", "it's", "let's") keep their "s" as the apostrophe goes.
_APOSTROPHE_S = re.compile("['\u2018\u2019\u201b\u02bc][sS]\\b")
_LAST_WORD = re.compile(r"\w+$")
_CONTRACTED = frozenset(
    (
        "it",
        "that",
        "what",
        "there",
        "here",
        "he",
        "she",
        "who",
        "let",
        "where",
        "how",
        "when",
        "why",
    )
)
# Everything that is not a letter or a digit separates tokens (underscore included)...
_SEPARATORS = re.compile(r"[\W_]+")
# ... but "C++" and "C#" are not the letter "c" (which a search would drop as too short)
_SYMBOLIC = re.compile(r"(?<![\w+#])c(\+\+|#)(?![\w+#])")
_SYMBOLIC_WORDS = {"++": "cplusplus", "#": "csharp"}
_PARTIAL_WORD = re.compile(r"[^\W_]+$")


def _drop_possessives(text: str) -> str:
    def drop(match: re.Match[str]) -> str:
        word = _LAST_WORD.search(text, max(0, match.start() - 12), match.start())
        return match.group(0) if word is None or word.group(0).lower() in _CONTRACTED else ""

    return _APOSTROPHE_S.sub(drop, text)


def _strip_accents(text: str) -> str:
    """Drop combining marks after canonical decomposition,
    and format characters (zero-width etc.).
    """
    decomposed = unicodedata.normalize("NFKD", text)
    kept = [
        char
        for char in decomposed
        if not unicodedata.combining(char) and unicodedata.category(char) != "Cf"
    ]
    return unicodedata.normalize("NFC", "".join(kept))


def _head(text: str) -> str:
    """The first MAX_CHARS characters, without a word cut in half at the end."""
    if len(text) <= MAX_CHARS:
        return text
    head = text[:MAX_CHARS]
    if text[MAX_CHARS].isalnum():
        head = _PARTIAL_WORD.sub("", head)
    return head


def _base_tokens(text: str) -> list[str]:
    # apostrophes go before NFKC too: it turns the acute accent "´" into a space + combining mark
    text = _drop_possessives(_head(text))
    text = unicodedata.normalize("NFKC", _APOSTROPHES.sub("", text)).casefold()
    if not text.isascii():
        text = _strip_accents(text)
    text = _APOSTROPHES.sub("", text)
    if "c+" in text or "c#" in text:
        text = _SYMBOLIC.sub(lambda m: _SYMBOLIC_WORDS[m.group(1)], text)
    return _SEPARATORS.sub(" ", text).split()


@lru_cache(maxsize=4_096)
def _expansion(text: str) -> tuple[str, ...]:
    return tuple(_base_tokens(text))


_PAIRS: dict[int, tuple[Mapping[str, str], frozenset[str]]] = {}


def _pair_firsts(abbreviations: Mapping[str, str]) -> frozenset[str]:
    """The first words of the two-word keys (computed once per mapping)."""
    known = _PAIRS.get(id(abbreviations))
    if known is None or known[0] is not abbreviations:
        firsts = frozenset(key.split()[0] for key in abbreviations if " " in key)
        known = _PAIRS[id(abbreviations)] = (abbreviations, firsts)
    return known[1]


def normalise(text: str, abbreviations: Mapping[str, str] | None = None) -> list[str]:
    """Lower-case, accent-free word tokens of `text`
    (first MAX_CHARS characters), abbreviations expanded.

    Keys of `abbreviations` are one normalised token ("ml") or two ("my cv": a resume, where
    "cv" alone is computer vision); values are any text ("machine learning") and are
    normalised the same way before being spliced in.
    """
    tokens = _base_tokens(text)
    if not abbreviations:
        return tokens
    firsts = _pair_firsts(abbreviations)
    expanded: list[str] = []
    previous, spliced = "", 0  # the last token, and how many words it became
    for token in tokens:
        if previous in firsts and (pair := abbreviations.get(f"{previous} {token}")) is not None:
            del expanded[len(expanded) - spliced :]
            expanded.extend(_expansion(pair))
            previous, spliced = "", 0
            continue
        replacement = abbreviations.get(token)
        if replacement is None:
            expanded.append(token)
            previous, spliced = token, 1
        else:
            words = _expansion(replacement)
            expanded.extend(words)
            previous, spliced = token, len(words)
    return expanded


PHRASE_LISTS = 64  # word lists whose pattern is kept (a content has a handful)
_PHRASES: dict[int, tuple[object, re.Pattern[str]]] = {}  # by the id of a content's word list


def holds_phrase(tokens: Sequence[str], phrases: Iterable[str]) -> bool:
    """Whether the tokens hold any of the phrases (each normalised words joined by spaces)."""
    if not phrases:
        return False
    if not isinstance(phrases, tuple | frozenset):  # not a content's list: no pattern kept
        text = " " + " ".join(tokens) + " "
        return any(f" {phrase} " in text for phrase in phrases)
    known = _PHRASES.get(id(phrases))
    if known is None or known[0] is not phrases:
        if len(_PHRASES) >= PHRASE_LISTS:
            _PHRASES.clear()
        words = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
        known = _PHRASES[id(phrases)] = (phrases, re.compile(rf"(?<![^ ])(?:{words})(?![^ ])"))
    return known[1].search(" ".join(tokens)) is not None


_VOWELS = frozenset("aeiouy")
_DOUBLES = frozenset("bdgmnprt")


def _has_vowel(stem: str) -> bool:
    return any(char in _VOWELS for char in stem)


def _undouble(stem: str) -> str:
    """ "runn" -> "run", "stopp" -> "stop" (after -ing / -ed was removed)."""
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] in _DOUBLES:
        return stem[:-1]
    return stem


@lru_cache(maxsize=65_536)
def _too_short(rest: str) -> bool:
    """A rest ending in e that loses it too would leave three letters: "career" is not "car"."""
    return rest.endswith("e") and len(rest) <= 4


@lru_cache(maxsize=1 << 16)
def stem(token: str) -> str:
    """Light, deterministic suffix stripping: plurals, -ing, -ed, -ly, -er and a final -e.

    Not a linguistic stemmer: it only has to map inflected forms of a word onto the same
    key ("booking", "booked", "books" -> "book"; "making", "make" -> "mak"). Tokens that
    are short, contain digits or are placeholders ("@company") are returned unchanged.
    """
    if len(token) <= 3 or not token.isalpha():
        return token
    word = token
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if (
            word.endswith(suffix)
            and len(word) - len(suffix) >= 3
            and _has_vowel(word[: -len(suffix)])
        ):
            word = _undouble(word[: -len(suffix)])
            break
    if word.endswith("ly") and len(word) >= 6:
        word = word[:-2]
    elif word.endswith("er") and len(word) >= 6 and not _too_short(word[:-2]):
        word = _undouble(word[:-2])
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    # British spelling as American: "recognise", "specialisation" -> "recogniz", "specialization"
    if word.endswith("isation"):
        word = word[:-6] + "zation"
    elif word.endswith("is") and len(word) >= BRITISH_IS:
        word = word[:-1] + "z"
    return word


def occurrence(
    tokens: Sequence[str], term: Sequence[str], not_after: frozenset[str] = frozenset()
) -> str | None:
    """Where the term's tokens occur in a row (its last word also as a plural: "actuaries"), as
    typed; not
    right after a word or two-word phrase of `not_after`."""
    n = len(term)
    last = term[-1]
    plurals = (last, last + "s", last + "es", *((last[:-1] + "ies",) if last.endswith("y") else ()))
    firsts = plurals if n == 1 else (term[0],)
    for i in [i for i, token in enumerate(tokens[: len(tokens) - n + 1]) if token in firsts]:
        window = tokens[i : i + n]
        if tuple(window[:-1]) != tuple(term[:-1]) or window[-1] not in plurals:
            continue
        if i and (tokens[i - 1] in not_after or " ".join(tokens[max(0, i - 2) : i]) in not_after):
            continue
        return " ".join(window)
    return None


_QUESTION_WORDS = frozenset(
    [
        "how",
        "what",
        "which",
        "who",
        "where",
        "when",
        "why",
        "is",
        "are",
        "do",
        "does",
        "can",
        "should",
        "could",
        "will",
        "would",
        "any",
    ]
)


def as_question(example: str, names: Iterable[str] = ()) -> str:
    """An intent example as a user would type it: capitalised, "ML", "I" and `names` spelt
    properly ("google" -> "Google"), and a "?" after a question word."""
    text = re.sub(r"\bml\b", "ML", example)
    text = re.sub(r"\bi\b", "I", text)
    for name in names:
        text = re.sub(rf"\b{re.escape(name.lower())}\b", name, text)
    text = text[:1].upper() + text[1:]
    first = example.split(" ", 1)[0].lower()
    if first in _QUESTION_WORDS and not text.endswith("?"):
        text += "?"
    return text
