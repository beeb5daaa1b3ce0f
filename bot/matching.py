"""Ranking intents for a message: weighted naive-Bayes evidence over stems and bigrams, calibrated for fallback.

How a message is scored (everything but the sums over the message's features is precomputed):

* features: the stem of every token (numbers reduced to their shape, "126" -> "0") and every
  pair of adjacent stems ("book flight");
* evidence: multinomial naive Bayes over intents (additive smoothing ALPHA), where each feature's
  log-likelihood is multiplied by its *concentration*, 1 - normalised entropy of p(intent | feature):
  a feature seen in one intent only counts fully, one spread over all intents ("the") hardly at all;
  bigrams count BIGRAM_WEIGHT as much as words; keywords count as KEYWORD_COUNT examples each.
  Intents are ranked by this evidence (ties: declaration order);
* confidence of a ranked intent = posterior among the TOP_K best (softmax at TEMPERATURE)
  x coverage^2 x similarity, where *coverage* is the share of the message's informative words
  (IDF over intents; words no intent knows weigh most) that the intent's examples contain, or
  that sit where the intent takes arbitrary words (a slot: "call <anyone>"), and *similarity*
  is rapidfuzz's token_sort_ratio to the intent's closest example. So "what does a pangolin
  eat" is not confidently "nutrition_info". A fixed logistic calibration maps the product onto
  [0, 1], so that 0.5 is the balanced fallback threshold.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from .text import stem


@dataclass(frozen=True)
class Candidate:
    """One ranked intent: its calibrated confidence in [0, 1] and its closest training example."""

    intent: str
    score: float
    example: str


@dataclass(frozen=True)
class IntentExamples:
    """What the matcher learns from for one intent (all token lists already normalised)."""

    name: str
    examples: tuple[tuple[str, ...], ...]
    keywords: tuple[tuple[str, ...], ...] = ()
    texts: tuple[str, ...] = ()


ALPHA = 0.03  # additive smoothing of per-intent feature counts
BETA = 0.03  # smoothing of p(intent | feature) when measuring a feature's concentration
BIGRAM_WEIGHT = 0.5  # evidence of a bigram relative to a word
BIGRAM_COVERAGE = 0.25  # share of a bigram in coverage relative to a word
KEYWORD_COUNT = 3  # a keyword counts as this many examples containing it
TEMPERATURE = 2.0  # of the softmax turning evidence into a posterior
TOP_K = 10  # the posterior is taken among this many best intents
UNKNOWN_BONUS = 2.0  # IDF of a word no intent knows = log(#intents) + this
COMMON_UNKNOWN = 0.5  # weight of an unknown everyday word (see Matcher common_words) in coverage
RARE = 2  # a word seen at most this often in an intent's examples is a slot filler there
# logistic calibration of log(posterior x coverage^2 x similarity): fitted once on CLINC150 validation
# data (val + oos_val + oos_train, in-scope and out-of-scope weighted equally) to predict "top is right"
CALIBRATION = (2.25, 5.55)  # (slope, intercept)

_DIGITS = re.compile(r"\d+")


def _is_number(token: str) -> bool:
    return not token.isalpha() and _DIGITS.search(token) is not None


@lru_cache(maxsize=65_536)
def _key(token: str) -> str:
    """The stem of a token; numbers keep only their shape ("126" -> "0", "5pm" -> "0pm")."""
    if _is_number(token):
        return _DIGITS.sub("0", token)
    return stem(token)


def _features(keys: Sequence[str]) -> set[str]:
    found = set(keys)
    found.update(f"{a} {b}" for a, b in zip(keys, keys[1:]))
    return found


def features(tokens: Sequence[str]) -> set[str]:
    """Stems of the tokens and adjacent stem pairs ("book flight")."""
    return _features([_key(token) for token in tokens])


def calibrate(raw: float) -> float:
    """Map coverage^2 x posterior x similarity (in [0, 1]) monotonically onto a confidence in [0, 1]."""
    if raw <= 0.0:
        return 0.0
    slope, intercept = CALIBRATION
    z = slope * math.log(raw) + intercept
    return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0


@dataclass(frozen=True)
class _Posting:
    """What one feature tells: its weight, its share in coverage and its evidence per intent."""

    weight: float
    coverage: float
    evidence: dict[int, float]


class Matcher:
    """Ranks intents for normalised tokens; `threshold` is the recommended fallback confidence."""

    threshold: float = 0.5

    def __init__(self, intents: Sequence[IntentExamples], common_words: Iterable[str] = ()) -> None:
        # everyday words ("roughly", "these") a message may use without changing its topic: unknown
        # to every intent, they still count only a little against the message being in scope
        self._common = frozenset(_key(word) for word in common_words)
        self.names = tuple(intent.name for intent in intents)
        n = len(self.names)
        counts: dict[str, dict[int, int]] = {}
        totals = [0] * n
        self._choices: list[list[str]] = []
        self._texts: list[tuple[str, ...]] = []
        self._slots = _SlotContexts()
        for index, intent in enumerate(intents):
            keyed = [[_key(token) for token in example] for example in intent.examples]
            self._slots.add(index, keyed)
            groups = [(keys, 1) for keys in keyed]
            groups += [([_key(token) for token in keyword], KEYWORD_COUNT) for keyword in intent.keywords]
            for keys, times in groups:
                for feature in _features(keys):
                    row = counts.setdefault(feature, {})
                    row[index] = row.get(index, 0) + times
                    totals[index] += times
            choices = [" ".join(example) for example in intent.examples]
            texts = intent.texts if len(intent.texts) == len(intent.examples) else tuple(choices)
            self._choices.append(choices)
            self._texts.append(texts)
        vocabulary = len(counts) or 1
        log_n = math.log(n) if n > 1 else 0.0
        self._base = [math.log(ALPHA / (total + ALPHA * vocabulary)) for total in totals]
        self._postings: dict[str, _Posting] = {}
        for feature, row in counts.items():
            bigram = " " in feature
            weight = _concentration(row, n, log_n) * (BIGRAM_WEIGHT if bigram else 1.0)
            idf = math.log(n / len(row)) if n > 1 else 1.0
            evidence = {index: weight * math.log((count + ALPHA) / ALPHA) for index, count in sorted(row.items())}
            self._postings[feature] = _Posting(weight, idf * (BIGRAM_COVERAGE if bigram else 1.0), evidence)
        self._unknown = log_n + UNKNOWN_BONUS

    def rank(self, tokens: Sequence[str], limit: int = 3) -> list[Candidate]:
        """The `limit` best intents, best first; equal evidence goes to the intent declared first.

        Scores never increase down the list. Returns [] when no token is known to any intent, and
        for numbers alone ("42"): they may answer a question, but say nothing about an intent.
        """
        n = len(self.names)
        if n == 0 or limit <= 0 or all(_is_number(token) for token in tokens):
            return []
        keys = [_key(token) for token in tokens]
        postings = []
        unknown = 0.0
        for feature in _features(keys):
            posting = self._postings.get(feature)
            if posting is None:
                unknown += self._unknown_weight(feature)
            else:
                postings.append(posting)
        if not postings:
            return []
        scores = [0.0] * n
        weight = 0.0
        for posting in postings:
            weight += posting.weight
            for index, value in posting.evidence.items():
                scores[index] += value
        scores = [score + base * weight for score, base in zip(scores, self._base)]
        order = sorted(range(n), key=lambda i: (-scores[i], i))
        top = scores[order[0]]
        z = sum(math.exp((scores[i] - top) / TEMPERATURE) for i in order[:TOP_K])
        informative = unknown + sum(posting.coverage for posting in postings)
        query = " ".join(tokens)
        result: list[Candidate] = []
        ceiling = 1.0
        for index in order[:limit]:
            covered = sum(posting.coverage for posting in postings if index in posting.evidence)
            covered += self._slot_credit(index, keys)
            posterior = math.exp((scores[index] - top) / TEMPERATURE) / z
            coverage = covered / informative if informative > 0.0 else 1.0
            example, similarity = self._example(index, query)
            confidence = min(ceiling, calibrate(coverage**2 * posterior * similarity))
            ceiling = confidence
            result.append(Candidate(self.names[index], confidence, example))
        return result

    def _unknown_weight(self, feature: str) -> float:
        words = feature.split(" ")
        weight = min(COMMON_UNKNOWN if word in self._common else self._unknown for word in words)
        return weight * (BIGRAM_COVERAGE if len(words) > 1 else 1.0)

    def _slot_credit(self, index: int, keys: list[str]) -> float:
        """Coverage regained by words the intent has not seen, in positions where it takes any word.

        "call aj please": "aj" is unknown, but in the intent's examples "call" is mostly followed
        by names seen once or twice, so "aj" is a slot filler, not evidence of another topic.
        """
        credit = 0.0
        seen: set[str] = set()
        for position, key in enumerate(keys):
            if key in seen:
                continue
            seen.add(key)
            posting = self._postings.get(key)
            if posting is not None and index in posting.evidence:
                continue
            openness = self._slots.openness(index, keys, position)
            if openness:
                credit += openness * (self._unknown if posting is None else posting.coverage)
        return credit

    def _example(self, index: int, query: str) -> tuple[str, float]:
        """The training example of an intent closest to the query (first one on ties), and its similarity."""
        choices = self._choices[index]
        if not choices:
            return "", 1.0
        best = process.extractOne(query, choices, scorer=fuzz.token_sort_ratio)
        return self._texts[index][best[2] if best else 0], (best[1] / 100 if best else 1.0)


class _SlotContexts:
    """For each intent and neighbouring word, how often the word next to it is a rare one (a slot filler)."""

    def __init__(self) -> None:
        self._after: dict[tuple[int, str], float] = {}
        self._before: dict[tuple[int, str], float] = {}

    def add(self, index: int, examples: Sequence[Sequence[str]]) -> None:
        """Learn the contexts of one intent from its examples (as keys, see `_key`)."""
        sequences = [["^", *keys, "$"] for keys in examples]
        frequency = Counter(key for keys in sequences for key in keys)  # "^" and "$" count as common
        after: dict[str, list[int]] = {}
        before: dict[str, list[int]] = {}
        for keys in sequences:
            for left, right in zip(keys, keys[1:]):
                after.setdefault(left, [0, 0])[frequency[right] <= RARE] += 1
                before.setdefault(right, [0, 0])[frequency[left] <= RARE] += 1
        for table, store in ((after, self._after), (before, self._before)):
            for word, (common, rare) in table.items():
                if rare:
                    store[(index, word)] = rare / (common + rare + 1)

    def openness(self, index: int, keys: list[str], position: int) -> float:
        """How likely the word at `position` is a slot filler of intent `index`, judging by its neighbours."""
        left = keys[position - 1] if position > 0 else "^"
        right = keys[position + 1] if position + 1 < len(keys) else "$"
        return max(self._after.get((index, left), 0.0), self._before.get((index, right), 0.0))


def _concentration(row: dict[int, int], n: int, log_n: float) -> float:
    """1 - normalised entropy of the smoothed p(intent | feature): 1 for a feature of one intent only."""
    if log_n == 0.0:
        return 1.0
    total = sum(row.values()) + BETA * n
    entropy = 0.0
    for count in row.values():
        p = (count + BETA) / total
        entropy -= p * math.log(p)
    p0 = BETA / total
    entropy -= (n - len(row)) * p0 * math.log(p0)
    return max(0.0, 1.0 - entropy / log_n)
