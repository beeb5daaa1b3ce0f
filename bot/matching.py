"""Ranking intents for a message: weighted naive-Bayes
evidence over stems and bigrams, calibrated for fallback.

How a message is scored (everything but the sums over the message's features is precomputed):

* features: the stem of every token (numbers reduced to their shape, "126" -> "0") and every
  pair of adjacent stems ("book flight");
* evidence: multinomial naive Bayes over intents (additive smoothing ALPHA), where each feature's
  log-likelihood is multiplied by its *concentration*, 1 - normalised entropy of
  p(intent | feature): a feature seen in one intent only counts fully, one spread over all intents
  ("the") hardly at all;
  bigrams count BIGRAM_WEIGHT as much as words; keywords count as KEYWORD_COUNT examples each;
* ranking: intents are ranked by this evidence plus, as in Bernoulli naive Bayes, evidence against
  them from the features their examples usually have but the message lacks: MISSING_WEIGHT x the
  feature's weight x log(1 - share of the intent's examples (+1) with it). So "cancel it" is not
  "cancel_reservation", whose examples nearly all say "reservation". A message of one word
  ("salary?") lacks nearly everything, so it is ranked by what it has only. Ties: declaration order;
* confidence of a ranked intent = posterior among the TOP_K best (softmax at TEMPERATURE of the
  evidence of what the message has, so that what it lacks decides the order, not the certainty)
  x coverage^2 x similarity x example share, where *coverage* is the share of the message's
  informative words (IDF over intents; words no intent knows weigh most) that the intent's
  examples contain, or that sit where the intent takes arbitrary words (a slot: "call <anyone>"),
  *similarity* is rapidfuzz's token_sort_ratio to the intent's closest example, and the *example
  share* is the largest share (by evidence weight) of any one of its examples or keywords that the
  message restates. So "what does a pangolin eat" is not confidently "nutrition_info", nor is a
  message stitched from words of several examples. A fixed logistic calibration maps the product
  onto [0, 1], so that 0.5 is the balanced fallback threshold.
"""

from __future__ import annotations

import itertools
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from operator import truediv

from msgspec import Struct
from rapidfuzz import fuzz, process

from .text import stem


class Candidate(Struct, frozen=True):
    """One ranked intent: its calibrated confidence in [0, 1] and its closest training example.

    `score` is capped by the candidates ranked above it, so scores never increase down a ranking;
    `own` is the confidence before that cap (a caller that sets a higher candidate aside may use
    it).
    """

    intent: str
    score: float
    example: str
    own: float | None = None


class IntentExamples(Struct, frozen=True):
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
MISSING_WEIGHT = 0.5  # of the evidence against an intent from its usual features the message lacks
TEMPERATURE = 2.0  # of the softmax turning evidence into a posterior
TOP_K = 10  # the posterior is taken among this many best intents
UNKNOWN_BONUS = 2.0  # IDF of a word no intent knows = log(#intents) + this
COMMON_UNKNOWN = 0.5  # weight of an unknown everyday word (see Matcher common_words) in coverage
EXAMPLE_REACH = 2.0  # a message restates at most this multiple of its own weight of an example
RARE = 2  # a word seen at most this often in an intent's examples is a slot filler there
# logistic calibration of log(posterior x coverage^2 x similarity x example share): fitted once on
# CLINC150 validation data (val + oos_val + oos_train, in-scope and out-of-scope weighted equally)
# to predict "top is right"
CALIBRATION = (1.91, 5.78)  # (slope, intercept)

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
    found.update(f"{a} {b}" for a, b in itertools.pairwise(keys))
    return found


def features(tokens: Sequence[str]) -> set[str]:
    """Stems of the tokens and adjacent stem pairs ("book flight")."""
    return _features([_key(token) for token in tokens])


def calibrate(raw: float) -> float:
    """Map coverage^2 x posterior x similarity x example
    share (in [0, 1]) monotonically onto [0, 1].
    """
    if raw <= 0.0:
        return 0.0
    slope, intercept = CALIBRATION
    z = slope * math.log(raw) + intercept
    return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0


class _Postings:
    """What each feature tells, mostly in flat arrays: the compiled content is unpickled at every
    start, and an array loads as one block of bytes where a dict per feature is thousands of
    objects.

    Feature number p (`ids`) has a weight and a share in coverage; rows start[p]:start[p + 1] hold,
    sorted by intent, each intent whose examples have it, with its evidence and the (negative)
    evidence of lacking it; rows held[p]:held[p + 1], sorted by intent, the examples (of that
    intent) holding it.
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.weight: list[float] = []  # lists, not arrays: read at every reply
        self.coverage: list[float] = []
        self.start = array("q", [0])
        self.intent = array("q")
        self.evidence = array("d")
        self.lacking = array("d")
        self.held = array("q", [0])
        self.holder_intent = array("q")
        self.holder_example = array("q")
        self._rows: dict[int, dict[int, tuple[float, float]]] = {}
        self._examples: dict[int, dict[int, tuple[int, ...]]] = {}

    def add(self, feature: str, weight: float, coverage: float) -> None:
        self.ids[feature] = len(self.weight)
        self.weight.append(weight)
        self.coverage.append(coverage)

    def add_rows(self, rows: Iterable[tuple[int, float, float]]) -> None:
        """The rows of the feature added last, sorted by intent."""
        for index, evidence, lacking in rows:
            self.intent.append(index)
            self.evidence.append(evidence)
            self.lacking.append(lacking)
        self.start.append(len(self.intent))

    def add_holders(self, holders: Iterable[tuple[int, int]]) -> None:
        """(intent, example) holding each feature, in feature order, each sorted by intent."""
        for index, example in holders:
            self.holder_intent.append(index)
            self.holder_example.append(example)
        self.held.append(len(self.holder_intent))

    def row(self, p: int) -> dict[int, tuple[float, float]]:
        """Intent -> (evidence, evidence of lacking it) for feature p; made into a dict on first
        use, so a long-running process reads it as fast as if it were loaded so."""
        row = self._rows.get(p)
        if row is None:
            start, end = self.start[p], self.start[p + 1]
            row = dict(
                zip(
                    self.intent[start:end],
                    zip(self.evidence[start:end], self.lacking[start:end], strict=True),
                    strict=True,
                )
            )
            self._rows[p] = row
        return row

    def examples(self, p: int) -> dict[int, tuple[int, ...]]:
        """Intent -> its examples holding feature p, made into a dict on first use."""
        examples = self._examples.get(p)
        if examples is None:
            examples = {}
            for i in range(self.held[p], self.held[p + 1]):
                index = self.holder_intent[i]
                examples[index] = (*examples.get(index, ()), self.holder_example[i])
            self._examples[p] = examples
        return examples

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_rows", "_examples")}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._rows, self._examples = {}, {}


class Matcher:
    """Ranks intents for normalised tokens, with confidences calibrated so that 0.5 is balanced."""

    def __init__(self, intents: Sequence[IntentExamples], common_words: Iterable[str] = ()) -> None:
        # everyday words ("roughly", "these") a message may use without changing its topic: unknown
        # to every intent, they still count only a little against the message being in scope
        self._common = frozenset(_key(word) for word in common_words)
        self.names = tuple(intent.name for intent in intents)
        n = len(self.names)
        counts: dict[str, dict[int, int]] = {}
        totals = [0] * n
        sizes = [0] * n  # examples, a keyword counting as KEYWORD_COUNT
        self._choices: list[list[str]] = []
        self._texts: list[tuple[str, ...]] = []
        self._slots = _SlotContexts()
        # per intent, the features of each example and keyword; one string per distinct feature
        phrasings: list[list[tuple[str, ...]]] = []
        canonical: dict[str, str] = {}
        for index, intent in enumerate(intents):
            keyed = [[_key(token) for token in example] for example in intent.examples]
            self._slots.add(index, keyed)
            groups = [(keys, 1) for keys in keyed]
            groups += [
                ([_key(token) for token in keyword], KEYWORD_COUNT) for keyword in intent.keywords
            ]
            phrasings.append([])
            for keys, times in groups:
                sizes[index] += times
                found = tuple(canonical.setdefault(feature, feature) for feature in _features(keys))
                phrasings[index].append(found)
                for feature in found:
                    row = counts.setdefault(feature, {})
                    row[index] = row.get(index, 0) + times
                    totals[index] += times
            choices = [" ".join(example) for example in intent.examples]
            texts = intent.texts if len(intent.texts) == len(intent.examples) else tuple(choices)
            # token_sort_ratio sorts both sides' words on every comparison: sorted once here
            self._choices.append([" ".join(sorted(choice.split())) for choice in choices])
            self._texts.append(texts)
        vocabulary = len(counts) or 1
        log_n = math.log(n) if n > 1 else 0.0
        self._base = [math.log(ALPHA / (total + ALPHA * vocabulary)) for total in totals]
        self._postings = _Postings()
        self._lacking = [0.0] * n  # evidence of lacking all features of the intent's examples
        postings = self._postings
        for feature, row in counts.items():
            bigram = " " in feature
            weight = _concentration(row, n, log_n) * (BIGRAM_WEIGHT if bigram else 1.0)
            idf = math.log(n / len(row)) if n > 1 else 1.0
            postings.add(feature, weight, idf * (BIGRAM_COVERAGE if bigram else 1.0))
            rows = []
            for index, count in sorted(row.items()):
                lacking = MISSING_WEIGHT * weight * math.log(1.0 - count / (sizes[index] + 1))
                self._lacking[index] += lacking
                rows.append((index, weight * math.log((count + ALPHA) / ALPHA), lacking))
            postings.add_rows(rows)
        self._unknown = log_n + UNKNOWN_BONUS
        # per intent, the total evidence weight of each example or keyword with any, and for each
        # feature the examples holding it (so a message is compared only with what it shares)
        self._example_totals: list[list[float]] = []
        holders: dict[str, list[tuple[int, int]]] = {}
        for index, phrases in enumerate(phrasings):
            weights: list[float] = []
            for found in phrases:
                total = sum(postings.weight[postings.ids[feature]] for feature in found)
                if total > 0.0:
                    for feature in found:
                        holders.setdefault(feature, []).append((index, len(weights)))
                    weights.append(total)
            self._example_totals.append(weights)
        for feature in postings.ids:
            postings.add_holders(holders.get(feature, ()))

    def rank(
        self, tokens: Sequence[str], limit: int = 3, skip: frozenset[str] = frozenset()
    ) -> list[Candidate]:
        """The `limit` best intents, best first; equal evidence goes to the intent declared first.
        The intents named in `skip` are left out, as if they had no examples.

        Scores never increase down the list. Returns [] when no token is known to any intent, and
        for numbers alone ("42"): they may answer a question, but say nothing about an intent.
        """
        n = len(self.names)
        if n == 0 or limit <= 0 or all(_is_number(token) for token in tokens):
            return []
        keys = [_key(token) for token in tokens]
        postings = self._postings
        found: list[int] = []  # the message's features that some intent has
        unknown = 0.0
        for feature in _features(keys):
            p = postings.ids.get(feature)
            if p is None:
                unknown += self._unknown_weight(feature)
            else:
                found.append(p)
        if not found:
            return []
        rows = [postings.row(p) for p in found]
        scores = [0.0] * n
        lacking = list(self._lacking)
        weight = 0.0
        for p, row in zip(found, rows):
            weight += postings.weight[p]
            for index, (evidence, missing) in row.items():
                scores[index] += evidence
                lacking[index] -= missing  # the message has it after all
        scores = [score + base * weight for score, base in zip(scores, self._base)]
        ranking = scores
        if len(set(keys)) > 1:  # one word lacks nearly everything: ranked by what it has
            ranking = [score + missing for score, missing in zip(scores, lacking)]
        order = sorted(range(n), key=ranking.__getitem__, reverse=True)  # stable: ties by index
        if skip:
            order = [i for i in order if self.names[i] not in skip]
        top = max(scores[i] for i in order[:TOP_K])
        z = sum(math.exp((scores[i] - top) / TEMPERATURE) for i in order[:TOP_K])
        informative = unknown + sum(postings.coverage[p] for p in found)
        query = " ".join(sorted(" ".join(tokens).split()))
        # what the candidates are compared on: each feature's examples and weight, and each word
        # once, with its feature's row if any
        holders = [(postings.examples(p), postings.weight[p]) for p in found]
        words: dict[str, int] = {}  # each word's first position, in the message's order
        for position, key in enumerate(keys):
            words.setdefault(key, position)
        firsts = [(position, key, postings.ids.get(key)) for key, position in words.items()]
        result: list[Candidate] = []
        ceiling = 1.0
        for index in order[:limit]:
            held = sum(postings.coverage[p] for p, row in zip(found, rows) if index in row)
            held += self._slot_credit(index, keys, firsts)
            posterior = math.exp((scores[index] - top) / TEMPERATURE) / z
            coverage = held / informative if informative > 0.0 else 1.0
            example, similarity = self._example(index, query)
            share = self._example_share(index, holders, weight)
            own = calibrate(coverage**2 * posterior * similarity * share)
            ceiling = min(ceiling, own)
            result.append(Candidate(self.names[index], ceiling, example, own))
        return result

    def _unknown_weight(self, feature: str) -> float:
        words = feature.split(" ")
        weight = min(COMMON_UNKNOWN if word in self._common else self._unknown for word in words)
        return weight * (BIGRAM_COVERAGE if len(words) > 1 else 1.0)

    def _slot_credit(
        self, index: int, keys: list[str], firsts: list[tuple[int, str, int | None]]
    ) -> float:
        """Coverage regained by words the intent has not seen, in positions where it takes any word.

        "call aj please": "aj" is unknown, but in the intent's examples "call" is mostly followed
        by names seen once or twice, so "aj" is a slot filler, not evidence of another topic.
        `firsts`: (position, key, feature number or None) of each word's first occurrence.
        """
        credit = 0.0
        postings = self._postings
        for position, _, p in firsts:
            if p is not None and index in postings.row(p):
                continue
            openness = self._slots.openness(index, keys, position)
            if openness:
                credit += openness * (self._unknown if p is None else postings.coverage[p])
        return credit

    def _example_share(
        self, index: int, holders: list[tuple[dict[int, tuple[int, ...]], float]], size: float
    ) -> float:
        """The largest share (by evidence weight) of one
        example or keyword that the message restates.

        Coverage asks how much of the message the intent's examples explain together; this asks
        whether it restates some one example:
        "when was the last time the presidents visited florida" has the words of
        "when was the last time ...", but little else of any one example. A short message
        (`size`: the weight of its known features) is not expected to restate more than
        EXAMPLE_REACH times its own weight, so "salary?" restates "salary at each level" fairly
        well. `holders`: for each feature of the message, the examples holding it by intent, and
        its weight.
        """
        totals = self._example_totals[index]
        if not totals or size <= 0.0:
            return 1.0  # nothing to compare: neutral
        reach = EXAMPLE_REACH * size
        shared = [0.0] * len(totals)
        for examples, weight in holders:
            for example in examples.get(index, ()):
                shared[example] += weight
        # value / min(total, reach) is the larger of value / total and value / reach
        return min(1.0, max(max(map(truediv, shared, totals)), max(shared) / reach))

    def _example(self, index: int, query: str) -> tuple[str, float]:
        """The training example of an intent closest to the query (first one on ties), and its
        similarity: `fuzz.token_sort_ratio`, computed on words sorted in advance.
        """
        choices = self._choices[index]
        if not choices:
            return "", 1.0
        best = process.extractOne(query, choices, scorer=fuzz.ratio)
        return self._texts[index][best[2] if best else 0], (best[1] / 100 if best else 1.0)


class _SlotContexts:
    """For each intent and neighbouring word, how often
    the word next to it is a rare one (a slot filler).
    """

    def __init__(self) -> None:
        self._after: dict[tuple[int, str], float] = {}
        self._before: dict[tuple[int, str], float] = {}

    def add(self, index: int, examples: Sequence[Sequence[str]]) -> None:
        """Learn the contexts of one intent from its examples (as keys, see `_key`)."""
        sequences = [["^", *keys, "$"] for keys in examples]
        frequency = Counter(
            key for keys in sequences for key in keys
        )  # "^" and "$" count as common
        after: dict[str, list[int]] = {}
        before: dict[str, list[int]] = {}
        for keys in sequences:
            for left, right in itertools.pairwise(keys):
                after.setdefault(left, [0, 0])[frequency[right] <= RARE] += 1
                before.setdefault(right, [0, 0])[frequency[left] <= RARE] += 1
        for table, store in ((after, self._after), (before, self._before)):
            for word, (common, rare) in table.items():
                if rare:
                    store[(index, word)] = rare / (common + rare + 1)

    def openness(self, index: int, keys: list[str], position: int) -> float:
        """How likely the word at `position` is a slot
        filler of intent `index`, judging by its neighbours.
        """
        left = keys[position - 1] if position > 0 else "^"
        right = keys[position + 1] if position + 1 < len(keys) else "$"
        return max(self._after.get((index, left), 0.0), self._before.get((index, right), 0.0))


def _concentration(row: dict[int, int], n: int, log_n: float) -> float:
    """1 - normalised entropy of the smoothed
    p(intent | feature): 1 for a feature of one intent only.
    """
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
