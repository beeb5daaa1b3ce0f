"""The project's exception types.

CareerBotError            base of every error the package raises on purpose
├── ContentError          content (YAML) that cannot be loaded: names every problem found
├── UsageError            a caller asked for something that cannot be done (bad argument)
│   └── InputError        a request from outside broke a limit (text, session id, JSON)
└── StoreError            the session store cannot be reached or used
"""

from __future__ import annotations

from msgspec import Struct


class CareerBotError(Exception):
    """Base class of the package's own errors; `exit_code` is what the CLI exits with."""

    exit_code = 1


class Problem(Struct, frozen=True):
    """One thing wrong with one content file: where it is and what is wrong."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ContentError(CareerBotError):
    """The content folders hold invalid YAML or facts; `problems` lists all that was found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the content"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))


class UsageError(CareerBotError):
    """A caller passed something the engine cannot use."""

    exit_code = 2


class InputError(UsageError):
    """A message or request from outside that the engine will not take; the text says why."""


class StoreError(CareerBotError):
    """The session store cannot be reached or used
    (a file that cannot be written, a server down).
    """
