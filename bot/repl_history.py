"""The REPL's input history: a file only its owner can read, bounded, that can be turned off or
forgotten (what people type about themselves is personal)."""

from __future__ import annotations

import datetime
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from prompt_toolkit.history import FileHistory, History, InMemoryHistory

from .userdirs import state_dir

log = logging.getLogger(__name__)

MAX_ENTRIES = 1_000  # entries kept; older ones are dropped when the REPL starts
NO_HISTORY_ENV = "CAREERBOT_NO_HISTORY"
_PRIVATE = 0o600


def history_file() -> Path:
    """`$XDG_STATE_HOME/careerbot/history`, else `~/.local/state/careerbot/history`."""
    return state_dir() / "history"


def history_wanted(no_history: bool = False) -> bool:
    """False when `--no-history` was given or $CAREERBOT_NO_HISTORY is set (to anything but 0)."""
    return not no_history and os.environ.get(NO_HISTORY_ENV, "") in ("", "0")


class PrivateHistory(FileHistory):
    """A FileHistory written with mode 0600, bounded to `limit` entries, that can be forgotten;
    it keeps the chat going when the file becomes unreadable or unwritable."""

    def __init__(self, filename: str | os.PathLike[str], limit: int = MAX_ENTRIES) -> None:
        super().__init__(os.fspath(filename))
        self.path, self.limit = Path(filename), limit

    def load_history_strings(self) -> Iterable[str]:
        try:
            return list(super().load_history_strings())
        except OSError as exc:
            log.warning("cannot read history %s: %s", self.path, exc)
            return []

    def store_string(self, string: str) -> None:
        entry = f"\n# {datetime.datetime.now()}\n" + "".join(
            f"+{line}\n" for line in string.split("\n")
        )
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, _PRIVATE)
            with os.fdopen(fd, "ab") as fh:
                fh.write(entry.encode("utf-8", errors="replace"))
        except OSError as exc:
            log.warning("cannot write history %s: %s", self.path, exc)

    def count(self) -> int:
        """How many entries the history holds."""
        return len(self.get_strings()) if self._loaded else len(list(self.load_history_strings()))

    def trim(self) -> None:
        """Keep only the newest `limit` entries in the file."""
        newest_first = list(self.load_history_strings())
        if len(newest_first) > self.limit:
            self._rewrite(reversed(newest_first[: self.limit]))

    def forget(self) -> None:
        """Empty the file and what this session has loaded of it."""
        self._rewrite([])
        self._loaded_strings = []
        self._loaded = True

    def _rewrite(self, oldest_first: Iterable[str]) -> None:
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".history-")  # mode 0600
            with os.fdopen(fd, "wb") as fh:
                for string in oldest_first:
                    body = "".join(f"+{line}\n" for line in string.split("\n"))
                    fh.write(f"\n# (kept)\n{body}".encode("utf-8", errors="replace"))
            os.replace(tmp, self.path)
            tmp = None
        except OSError as exc:
            log.warning("cannot rewrite history %s: %s", self.path, exc)
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)


def open_history(path: str | os.PathLike[str] | None = None, limit: int = MAX_ENTRIES) -> History:
    """The history file, private to its owner and trimmed to `limit` entries (its folder created,
    0700, if missing), or in-memory history if it cannot be."""
    try:
        file = Path(path) if path is not None else history_file()
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, _PRIVATE)
        try:
            if os.fstat(fd).st_mode & 0o077:  # written before by a version that left it readable
                os.fchmod(fd, _PRIVATE)
        finally:
            os.close(fd)
    except (OSError, RuntimeError) as exc:  # RuntimeError: no home directory to be found
        log.info("history not saved: %s", exc)
        return InMemoryHistory()
    history = PrivateHistory(file, limit)
    history.trim()
    return history
