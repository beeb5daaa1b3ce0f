"""The two statistics every developer tool shares: a percentile of a sample, and a fallback
threshold chosen on development data."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

#: an in-scope query as the threshold sees it: (was the top intent right, its confidence)
Judged = tuple[bool, float]


def percentile(values: Iterable[float], q: float) -> float:
    """The value at rank floor(q * n) of the sorted sample (0-based; 0 <= q <= 1), no interpolation:
    of 200 values, the 5th / 50th / 95th percentiles are the 11th / 101st / 191st smallest."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of an empty sample")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass(frozen=True)
class Scores:
    """What one threshold does on one split: a query is answered when its confidence reaches it."""

    threshold: float
    in_scope_accuracy: float  # in-scope queries answered with the right intent
    oos_recall: float  # out-of-scope queries declined
    oos_precision: float  # declined queries that were out of scope
    overall_accuracy: float  # out of scope counted as one more class


def _scores(
    threshold: float, correct: int, declined_in: int, declined_oos: int, n_in: int, n_oos: int
) -> Scores:
    declined = declined_in + declined_oos
    return Scores(
        threshold=threshold,
        in_scope_accuracy=correct / n_in if n_in else 0.0,
        oos_recall=declined_oos / n_oos if n_oos else 0.0,
        oos_precision=declined_oos / declined if declined else 0.0,
        overall_accuracy=(correct + declined_oos) / (n_in + n_oos) if n_in + n_oos else 0.0,
    )


def score(threshold: float, in_scope: Sequence[Judged], oos: Sequence[float]) -> Scores:
    """The figures of one threshold: `in_scope` (right, confidence) per in-scope query, `oos` the
    confidences of the out-of-scope ones."""
    correct = sum(1 for right, conf in in_scope if right and conf >= threshold)
    declined_in = sum(1 for _, conf in in_scope if conf < threshold)
    declined_oos = sum(1 for conf in oos if conf < threshold)
    return _scores(threshold, correct, declined_in, declined_oos, len(in_scope), len(oos))


def midpoints(in_scope: Sequence[Judged], oos: Sequence[float]) -> list[float]:
    """Every threshold that makes a difference: midpoints between the observed confidences, one
    just above zero (a query with no candidate at all has confidence 0) and one above them all."""
    values = sorted({conf for _, conf in in_scope} | set(oos))
    inner = [(a + b) / 2 for a, b in itertools.pairwise(values)]
    return sorted({1e-12, *inner, values[-1] + 1e-9 if values else 1.0})


def mean_accuracy_and_recall(s: Scores) -> float:
    """The usual objective: the mean of in-scope accuracy and out-of-scope recall."""
    return (s.in_scope_accuracy + s.oos_recall) / 2


def choose_threshold(
    in_scope: Sequence[Judged],
    oos: Sequence[float],
    objective: Callable[[Scores], float] = mean_accuracy_and_recall,
    candidates: Sequence[float] | None = None,
) -> Scores:
    """The candidate threshold (default `midpoints`) maximising `objective`, and its figures; the
    lowest wins ties. One sweep over the sorted confidences: O(n log n)."""
    candidates = midpoints(in_scope, oos) if candidates is None else sorted(candidates)
    events = sorted([(conf, 1, int(right)) for right, conf in in_scope] + [(c, 0, 0) for c in oos])
    n_in, n_oos = len(in_scope), len(oos)
    correct = sum(right for _, kind, right in events if kind)
    declined_in = declined_oos = position = 0
    best: Scores | None = None
    best_value = 0.0
    for threshold in candidates:
        while position < len(events) and events[position][0] < threshold:
            _, kind, right = events[position]
            if kind:
                correct -= right
                declined_in += 1
            else:
                declined_oos += 1
            position += 1
        figures = _scores(threshold, correct, declined_in, declined_oos, n_in, n_oos)
        value = objective(figures)
        if best is None or value > best_value + 1e-12:
            best, best_value = figures, value
    if best is None:
        raise ValueError("no candidate thresholds")
    return best
