"""Ranking intents for a message: weighted naive-Bayes evidence over stems and bigrams, calibrated for fallback.

How a message is scored (every number below is precomputed at construction except the sums):

* features: the stem of every token (numbers reduced to their shape, "126" -> "0") and every
  pair of adjacent stems ("book flight");
* evidence: multinomial naive Bayes over intents (additive smoothing ALPHA), where each feature's
  log-likelihood is multiplied by its *concentration*, 1 - normalised entropy of p(intent | feature):
  a feature seen in one intent only counts fully, one spread over all intents ("the") hardly at all;
  bigrams count BIGRAM_WEIGHT as much as words; keywords count as KEYWORD_COUNT examples each;
* confidence: posterior of the intent among the TOP_K best (softmax at TEMPERATURE) times the
  squared *coverage*: the share of the message's informative words (IDF over intents) that the
  intent's examples contain. Words no intent knows weigh most, so "what does a pangolin eat" is
  not confidently "nutrition_info". The product is then mapped through a fixed logistic
  calibration so that scores read roughly as "probability the top intent is right".
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

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
UNKNOWN_BONUS = 1.0  # IDF of a word no intent knows = log(#intents) + this
# logistic calibration of log(coverage^2 x posterior), fitted once on CLINC150 validation data
CALIBRATION = (2.0, 4.5)  # (slope, intercept)

_DIGITS = re.compile(r"\d+")


def _key(token: str) -> str:
    """The stem of a token; numbers keep only their shape ("126" -> "0", "5pm" -> "0pm")."""
    if not token.isalpha() and any(char.isdigit() for char in token):
        return _DIGITS.sub("0", token)
    return stem(token)


def features(tokens: Sequence[str]) -> set[str]:
    """Stems of the tokens and adjacent stem pairs ("book flight")."""
    keys = [_key(token) for token in tokens]
    found = set(keys)
    found.update(f"{a} {b}" for a, b in zip(keys, keys[1:]))
    return found


def calibrate(raw: float) -> float:
    """Map coverage^2 x posterior (in [0, 1]) monotonically onto a confidence in [0, 1]."""
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

    def __init__(self, intents: Sequence[IntentExamples]) -> None:
        self.names = tuple(intent.name for intent in intents)
        n = len(self.names)
        counts: dict[str, dict[int, int]] = {}
        totals = [0] * n
        self._choices: list[list[str]] = []
        self._texts: list[tuple[str, ...]] = []
        for index, intent in enumerate(intents):
            groups = [(example, 1) for example in intent.examples]
            groups += [(keyword, KEYWORD_COUNT) for keyword in intent.keywords]
            for tokens, times in groups:
                for feature in features(tokens):
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

        Scores never increase down the list. Returns [] when no token is known to any intent.
        """
        n = len(self.names)
        if n == 0 or limit <= 0 or not tokens:
            return []
        postings = []
        unknown = 0.0
        for feature in features(tokens):
            posting = self._postings.get(feature)
            if posting is None:
                unknown += self._unknown * (BIGRAM_COVERAGE if " " in feature else 1.0)
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
            posterior = math.exp((scores[index] - top) / TEMPERATURE) / z
            coverage = covered / informative if informative > 0.0 else 1.0
            confidence = min(ceiling, calibrate(coverage**2 * posterior))
            ceiling = confidence
            result.append(Candidate(self.names[index], confidence, self._example(index, query)))
        return result

    def _example(self, index: int, query: str) -> str:
        """The training example of an intent closest to the query (first one on ties)."""
        choices = self._choices[index]
        if not choices:
            return ""
        best = process.extractOne(query, choices, scorer=fuzz.token_sort_ratio)
        return self._texts[index][best[2] if best else 0]


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
