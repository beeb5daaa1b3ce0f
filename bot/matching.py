"""Ranking intents for a message: weighted naive-Bayes evidence over stems and bigrams, calibrated for fallback."""

from __future__ import annotations

import math
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


ALPHA = 0.03  # additive smoothing of per-intent feature frequencies
BETA = 0.1  # smoothing of p(intent | feature) when measuring how concentrated a feature is
KEYWORD_COUNT = 3  # a keyword counts as this many examples containing it


def features(tokens: Sequence[str]) -> set[str]:
    """Stems of the tokens and stem bigrams ("book flight")."""
    stems = [stem(token) for token in tokens]
    found = set(stems)
    found.update(f"{a} {b}" for a, b in zip(stems, stems[1:]))
    return found


class Matcher:
    """Scores every intent by concentration-weighted naive-Bayes evidence; confidence = coverage x posterior."""

    threshold: float = 0.3

    def __init__(self, intents: Sequence[IntentExamples]) -> None:
        self.names = tuple(intent.name for intent in intents)
        n = len(self.names)
        counts: dict[str, dict[int, int]] = {}
        totals = [0] * n
        self._examples: list[list[str]] = []
        self._texts: list[tuple[str, ...]] = []
        for index, intent in enumerate(intents):
            for example in intent.examples:
                for feature in features(example):
                    row = counts.setdefault(feature, {})
                    row[index] = row.get(index, 0) + 1
                    totals[index] += 1
            for keyword in intent.keywords:
                for feature in features(keyword):
                    row = counts.setdefault(feature, {})
                    row[index] = row.get(index, 0) + KEYWORD_COUNT
                    totals[index] += KEYWORD_COUNT
            self._examples.append([" ".join(example) for example in intent.examples])
            texts = intent.texts if len(intent.texts) == len(intent.examples) else ()
            self._texts.append(texts or tuple(self._examples[-1]))
        vocabulary = len(counts) or 1
        log_n = math.log(n) if n > 1 else 0.0
        self._base = [math.log(ALPHA / (total + ALPHA * vocabulary)) for total in totals]
        self._postings: dict[str, tuple[float, float, tuple[tuple[int, float], ...]]] = {}
        for feature, row in counts.items():
            weight = self._concentration(row, n, log_n)
            idf = math.log(n / len(row)) if n > 1 else 1.0
            evidence = tuple(
                (index, weight * math.log((count + ALPHA) / ALPHA)) for index, count in sorted(row.items())
            )
            self._postings[feature] = (weight, idf, evidence)
        self._unknown_idf = (math.log(n) if n > 1 else 1.0) + 1.0

    @staticmethod
    def _concentration(row: dict[int, int], n: int, log_n: float) -> float:
        """1 - normalised entropy of p(intent | feature): 1 for a feature seen in one intent only."""
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

    def rank(self, tokens: Sequence[str], limit: int = 3) -> list[Candidate]:
        """The `limit` best intents, best first; ties go to the intent declared first."""
        n = len(self.names)
        if n == 0 or limit <= 0:
            return []
        found = features(tokens)
        scores = [0.0] * n
        hits: list[set[int]] = []
        weight_sum = 0.0
        idf_total = 0.0
        idf_seen = [0.0] * n
        for feature in found:
            posting = self._postings.get(feature)
            if posting is None:
                idf_total += self._unknown_idf
                continue
            weight, idf, evidence = posting
            weight_sum += weight
            idf_total += idf
            for index, value in evidence:
                scores[index] += value
                idf_seen[index] += idf
        if idf_total == 0.0:
            return []
        scores = [score + base * weight_sum for score, base in zip(scores, self._base)]
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        z = sum(exps)
        order = sorted(range(n), key=lambda i: (-scores[i], i))[:limit]
        query = " ".join(tokens)
        result = []
        for index in order:
            confidence = (exps[index] / z) * (idf_seen[index] / idf_total)
            result.append(Candidate(self.names[index], min(1.0, max(0.0, confidence)), self._best_example(index, query)))
        return result

    def _best_example(self, index: int, query: str) -> str:
        choices = self._examples[index]
        if not choices:
            return ""
        best = process.extractOne(query, choices, scorer=fuzz.ratio)
        return self._texts[index][best[2]] if best else self._texts[index][0]
