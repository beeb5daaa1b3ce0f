"""Retrying homeserver requests: the wait the server asks for on a rate limit, exponential
back-off with jitter on transient errors, and a bound on attempts."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

log = logging.getLogger(__name__)

R = TypeVar("R")
#: how a result is judged: None when it is final (success or an error not worth retrying), else
#: the seconds the server asked to wait (0.0 when it did not say)
Verdict = Callable[[R], "float | None"]


class Exhausted(Exception):
    """Every attempt failed with a transient error; the last result or exception is `last`."""

    def __init__(self, what: str, attempts: int, last: object) -> None:
        super().__init__(f"{what}: gave up after {attempts} attempts; last: {last}")
        self.last = last


@dataclass(frozen=True)
class Backoff:
    """Waits of `first`, `first*factor`, ... seconds, at most `cap`, each with up to 50% jitter
    off; a server's own "retry after" is obeyed up to `max_hint`. `attempts` None retries
    forever."""

    first: float = 0.5
    factor: float = 2.0
    cap: float = 30.0
    max_hint: float = 120.0
    attempts: int | None = 6

    def delay(self, failures: int, hint: float = 0.0) -> float:
        if hint > 0:
            return min(hint, self.max_hint)
        base = min(self.cap, self.first * self.factor ** max(0, failures - 1))
        return base * random.uniform(0.5, 1.0)


async def retry(
    call: Callable[[], Awaitable[R]],
    verdict: Verdict[R],
    what: str,
    backoff: Backoff = Backoff(),
    transient: tuple[type[BaseException], ...] = (),
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> R:
    """`call()` until `verdict` calls its result final; exceptions of `transient` types count as
    failures to retry, any other propagates. Raises Exhausted after `backoff.attempts` failures."""
    failures = 0
    while True:
        hint: float | None
        try:
            result = await call()
        except transient as exc:
            last: object = exc
            hint = 0.0
        else:
            hint = verdict(result)
            if hint is None:
                return result
            last = result
        failures += 1
        if backoff.attempts is not None and failures >= backoff.attempts:
            raise Exhausted(what, failures, last)
        wait = backoff.delay(failures, hint)
        log.warning("%s failed (%s); retry %d in %.1f s", what, last, failures, wait)
        await sleep(wait)
