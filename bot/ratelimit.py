"""A per-key rate limit (token buckets) for the HTTP server: how many requests a sender may make."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

MAX_KEYS = 100_000  # buckets kept; the least recently used go first (a full bucket is no loss)


class RateLimiter:
    """At most `per_minute` requests a minute for each key, in bursts of up to `per_minute`.

    Not thread-safe: the server calls it from its event loop only.
    """

    def __init__(
        self, per_minute: int, max_keys: int = MAX_KEYS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_minute, self.max_keys, self._clock = per_minute, max_keys, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = (
            OrderedDict()
        )  # key -> (tokens, when)

    def wait(self, key: str) -> float:
        """0 if the request may go ahead (and count it), else the seconds until it may."""
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        rate = self.per_minute / 60.0
        tokens, then = self._buckets.pop(key, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - then) * rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return 0.0 if allowed else (1.0 - tokens) / rate
